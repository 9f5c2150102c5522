/** Small statistics shared by the compression benchmarks. */

/** The median of the finite values (NaN when there are none). */
export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Rows of one run grouped by file, then by tool: the table the summaries compare across. */
export function byFileAndTool<R extends { file: string; tool: string }>(rows: R[]): Map<string, Map<string, R>> {
  const byFile = new Map<string, Map<string, R>>();
  for (const r of rows) (byFile.get(r.file) ?? byFile.set(r.file, new Map()).get(r.file)!).set(r.tool, r);
  return byFile;
}
