/**
 * Page selections as users write them: "1-3,7", "5-", "-2", "all" (1-based, inclusive).
 * The syntax is checked at submission (parsePageSpec, before the page count is known) and
 * resolved against the document in the worker (resolvePages). Shared by conversion, OCR
 * and text extraction.
 */
export interface PageRange {
  from: number;
  /** Inclusive; undefined = to the last page. */
  to: number | undefined;
}

const PART = /^(\d+)?\s*(-)?\s*(\d+)?$/;

/** Throws an Error whose message names the bad part; routes turn it into INVALID_OPTIONS. */
export function parsePageSpec(spec: string | undefined): PageRange[] | undefined {
  if (spec === undefined || spec.trim() === '' || spec.trim().toLowerCase() === 'all') return undefined;
  if (spec.length > 1000) throw new Error('pages: the selection is too long');
  return spec.split(',').map((raw) => {
    const part = raw.trim();
    const m = PART.exec(part);
    if (!part || !m || (!m[1] && !m[3])) throw new Error(`pages: "${part.slice(0, 20)}" is not a page or a range like 1-3`);
    const from = m[1] ? Number(m[1]) : 1;
    const to = m[2] ? (m[3] ? Number(m[3]) : undefined) : from;
    if (from < 1 || (to !== undefined && to < from)) throw new Error(`pages: "${part}" is not a valid range`);
    return { from, to };
  });
}

/**
 * The 0-based page indexes a selection picks in a document of `count` pages, in document
 * order without duplicates. Pages past the end are an error, not silently dropped.
 */
export function resolvePages(ranges: PageRange[] | undefined, count: number): number[] {
  if (!ranges) return Array.from({ length: count }, (_, i) => i);
  const picked = new Set<number>();
  for (const { from, to } of ranges) {
    if (from > count) throw new Error(`pages: page ${from} does not exist (the document has ${count})`);
    const last = Math.min(to ?? count, count);
    if (to !== undefined && to > count) throw new Error(`pages: page ${to} does not exist (the document has ${count})`);
    for (let p = from; p <= last; p++) picked.add(p - 1);
  }
  return [...picked].sort((a, b) => a - b);
}
