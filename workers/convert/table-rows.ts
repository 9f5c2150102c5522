import type { Line, Table, TableCell } from './types.js';

/**
 * Many ruled tables draw only the frame, the column lines and a rule under the header, and
 * leave the rows to the text (the gnuplot manual's "Command-line Editing Commands": 13 key
 * and description pairs between two rules). A band between two drawn rules is cut into
 * text rows when every non-empty cell of it holds the same number of lines (two or more)
 * on the same baselines; a band where one column wraps and another does not stays one row
 * of multi-line cells, which is what it is. When any band is cut, cells merged down are
 * split into one cell per band first (their lines go to the band they sit in).
 */
export function splitTextRows(t: Table): Table {
  const rows = t.ys.length - 1;
  // Every cell cut into one cell per band it covers.
  const bands: TableCell[][] = Array.from({ length: rows }, () => []);
  for (const c of t.cells) {
    for (let r = c.row; r < c.row + c.rowSpan && r < rows; r++) {
      const lines = c.rowSpan === 1 ? c.lines : c.lines.filter((l) => inBand(l, t.ys, r, c.row, c.row + c.rowSpan - 1));
      bands[r]!.push({ row: r, col: c.col, rowSpan: 1, colSpan: c.colSpan, lines });
    }
  }
  const counts = bands.map(textRows);
  if (counts.every((k) => k < 2)) return t;
  const ys: number[] = [t.ys[0]!];
  const cells: TableCell[] = [];
  let row = 0;
  bands.forEach((band, r) => {
    const k = counts[r]!;
    if (k < 2) {
      for (const c of band) cells.push({ ...c, row });
      ys.push(t.ys[r + 1]!);
      row++;
      return;
    }
    const lead = band.find((c) => c.lines.length > 0)!.lines;
    for (let i = 0; i < k; i++) {
      for (const c of band) cells.push({ row: row + i, col: c.col, rowSpan: 1, colSpan: c.colSpan, lines: c.lines[i] ? [c.lines[i]!] : [] });
      ys.push(i < k - 1 ? (lead[i]!.y1 + lead[i + 1]!.y0) / 2 : t.ys[r + 1]!);
    }
    row += k;
  });
  return { ...t, ys, cells };
}

/** Lines of a merged cell belong to the band their middle is in (the first and last bands take the overflow). */
function inBand(l: Line, ys: number[], r: number, first: number, last: number): boolean {
  const y = (l.y0 + l.y1) / 2;
  return (r === first || y >= ys[r]!) && (r === last || y < ys[r + 1]!);
}

/** k ≥ 2 when the band's non-empty cells (at least two) each hold k lines on shared baselines; else 0. */
function textRows(band: TableCell[]): number {
  const filled = band.filter((c) => c.lines.length > 0);
  const lead = filled[0]?.lines;
  if (!lead || lead.length < 2 || filled.length < 2) return 0;
  const ok = filled.every((c) => c.lines.length === lead.length && c.lines.every((l, i) => Math.abs(l.baseline - lead[i]!.baseline) <= 0.4 * l.size));
  return ok ? lead.length : 0;
}
