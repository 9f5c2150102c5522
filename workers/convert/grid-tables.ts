import { mergeRules } from './rules.js';
import { assignSpans, cellText, cluster } from './table-cells.js';
import { splitTextRows } from './table-rows.js';
import type { Box, Line, Rule, Table, TableCell } from './types.js';

/** Distance (pt) within which a line end counts as touching another line. */
const TOUCH = 2.5;
/** Rules closer than this are one (double rules, a frame drawn twice). */
const SAME = 3.5;
/**
 * Pairs tested when grouping rules into grids. A page of real tables has tens of rules;
 * a page of thousands is a drawing, skipped before the pairwise pass can cost anything.
 */
const MAX_PAIRS = 250_000;

export interface RuleGroup extends Box {
  h: Rule[];
  v: Rule[];
}

/** Rules that touch each other, grouped (union-find over crossing h/v pairs). */
export function ruleGroups(raw: Rule[]): RuleGroup[] {
  const rules = mergeRules(raw);
  const h = rules.filter((r) => r.dir === 'h');
  const v = rules.filter((r) => r.dir === 'v');
  if (h.length * v.length > MAX_PAIRS) return [];
  const parent = rules.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const index = new Map(rules.map((r, i) => [r, i]));
  for (const a of h) {
    for (const b of v) {
      if (b.x0 >= a.x0 - TOUCH && b.x0 <= a.x1 + TOUCH && a.y0 >= b.y0 - TOUCH && a.y0 <= b.y1 + TOUCH) {
        parent[find(index.get(a)!)] = find(index.get(b)!);
      }
    }
  }
  const groups = new Map<number, RuleGroup>();
  rules.forEach((r, i) => {
    const root = find(i);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { h: [], v: [], x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity }));
    (r.dir === 'h' ? g.h : g.v).push(r);
    g.x0 = Math.min(g.x0, r.x0);
    g.y0 = Math.min(g.y0, r.y0);
    g.x1 = Math.max(g.x1, r.x1);
    g.y1 = Math.max(g.y1, r.y1);
  });
  return [...groups.values()];
}

/** A table and the page lines it took. */
export interface Found {
  table: Table;
  consumed: Line[];
}

const hasV = (g: RuleGroup, x: number, y: number) => g.v.some((r) => Math.abs(r.x0 - x) <= SAME && r.y0 - TOUCH <= y && y <= r.y1 + TOUCH);
const hasH = (g: RuleGroup, y: number, x: number) => g.h.some((r) => Math.abs(r.y0 - y) <= SAME && r.x0 - TOUCH <= x && x <= r.x1 + TOUCH);

/**
 * A drawn grid → a table: column boundaries where vertical rules are, row boundaries where
 * horizontal ones are; a boundary missing inside the grid merges the two cells it would
 * separate (colspan/rowspan). Rejected when it does not hold text like a table does: fewer
 * than two rows or columns, mostly empty cells (a plot's grid), or text running across
 * drawn boundaries (labels on a drawing).
 */
export function gridTable(g: RuleGroup, pageLines: Line[]): Found | undefined {
  const xs = cluster(g.v.map((r) => r.x0), SAME);
  const ys = cluster(g.h.map((r) => r.y0), SAME);
  if (xs.length < 2 || ys.length < 3) return undefined;
  if (xs[0]! - g.x0 > SAME) xs.unshift(g.x0);
  if (g.x1 - xs[xs.length - 1]! > SAME) xs.push(g.x1);
  const inside = pageLines.filter((l) => l.table === undefined && within(l, xs[0]!, ys[0]!, xs[xs.length - 1]!, ys[ys.length - 1]!));
  if (inside.length === 0) return undefined;
  dropEmptySlivers(xs, inside.flatMap((l) => l.spans.map((s) => (s.x0 + s.x1) / 2)), 15);
  dropEmptySlivers(ys, inside.map((l) => (l.y0 + l.y1) / 2), 6);
  const rows = ys.length - 1;
  const cols = xs.length - 1;
  if (cols < 2 || rows < 2 || rows * cols > 5000) return undefined;
  const midY = (r: number) => (ys[r]! + ys[r + 1]!) / 2;
  const midX = (c: number) => (xs[c]! + xs[c + 1]!) / 2;

  // Merged cells: extend right while no vertical rule separates, then down while no horizontal one does.
  const owner: number[][] = Array.from({ length: rows }, () => new Array<number>(cols).fill(-1));
  const cells: TableCell[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (owner[r]![c] !== -1) continue;
      let cs = 1;
      while (c + cs < cols && owner[r]![c + cs] === -1 && !hasV(g, xs[c + cs]!, midY(r))) cs++;
      let rs = 1;
      const open = (rr: number) => {
        for (let k = c; k < c + cs; k++) if (owner[rr]![k] !== -1 || hasH(g, ys[rr]!, midX(k))) return false;
        return true;
      };
      while (r + rs < rows && open(r + rs)) rs++;
      for (let rr = r; rr < r + rs; rr++) for (let k = c; k < c + cs; k++) owner[rr]![k] = cells.length;
      cells.push({ row: r, col: c, rowSpan: rs, colSpan: cs, lines: [] });
    }
  }
  if (cells.length < 4) return undefined;

  const walls = (r: number) => xs.slice(1, -1).filter((x) => hasV(g, x, midY(r)));
  const { crossing, spans } = assignSpans(inside, xs, ys, owner, cells, walls);
  const filled = cells.filter((c) => cellText(c) !== '').length;
  if (filled < 2 || filled < 0.25 * cells.length || crossing > 0.1 * spans) return undefined;
  return { table: splitTextRows({ x0: xs[0]!, y0: ys[0]!, x1: xs[cols]!, y1: ys[rows]!, xs, ys, cells, source: 'ruled' }), consumed: inside };
}

/**
 * Narrow slots holding no text are artefacts, not columns or rows: a frame drawn a few
 * points outside a shaded box, a double rule, a background strip per code line. Their
 * boundary is dropped (the inner one for a slot at the edge), so a framed code listing
 * comes out as one column and is not taken for a table.
 */
function dropEmptySlivers(bounds: number[], centers: number[], min: number): void {
  for (let i = bounds.length - 2; i >= 0 && bounds.length > 2; i--) {
    const a = bounds[i]!;
    const b = bounds[i + 1]!;
    if (b - a >= min || centers.some((c) => c > a && c < b)) continue;
    bounds.splice(i === 0 ? 1 : i, 1);
  }
}

function within(l: Box, x0: number, y0: number, x1: number, y1: number): boolean {
  const cx = (l.x0 + l.x1) / 2;
  const cy = (l.y0 + l.y1) / 2;
  return cx > x0 && cx < x1 && cy > y0 && cy < y1;
}
