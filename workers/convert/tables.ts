import { alignedTables } from './column-tables.js';
import { gridTable, ruleGroups, type Found } from './grid-tables.js';
import { cluster } from './table-cells.js';
import type { Box, PageData, Rule } from './types.js';

/** Horizontal rules of about the same extent (±8 pt) stacked on a page: a booktabs-style table's frame. */
function ruleChains(rules: Rule[], pageHeight: number): Box[] {
  const h = rules.filter((r) => r.dir === 'h' && r.x1 - r.x0 >= 40).sort((a, b) => a.y0 - b.y0);
  if (h.length > 200) return []; // pairwise below; a page with this many free rules is a drawing
  const chains: Box[] = [];
  const used = new Set<Rule>();
  for (const top of h) {
    if (used.has(top)) continue;
    let last = top;
    for (const r of h) {
      if (r.y0 <= last.y0 || used.has(r)) continue;
      if (Math.abs(r.x0 - top.x0) <= 8 && Math.abs(r.x1 - top.x1) <= 8 && r.y0 - last.y0 <= 0.5 * pageHeight) {
        used.add(r);
        last = r;
      }
    }
    if (last !== top) chains.push({ x0: top.x0, y0: top.y0, x1: top.x1, y1: last.y0 });
  }
  return chains;
}

/**
 * Finds the page's tables and marks the lines they take (line.table). Drawn grids first;
 * then text columns, looked for with a looser test inside frames that have no inner lines
 * and between stacked horizontal rules, and with a strict one in the rest of the page.
 */
export function detectTables(data: PageData, rules: Rule[]): void {
  const found: Found[] = [];
  const hints: Box[] = [];
  const groups = ruleGroups(rules);
  for (const g of groups) {
    if (g.v.length > 0 && g.h.length > 0) {
      const t = gridTable(g, data.lines);
      if (t) {
        found.push(t);
        for (const l of t.consumed) l.table = found.length - 1;
      } else if (g.x1 - g.x0 > 40 && g.y1 - g.y0 > 20 && cluster(g.v.map((r) => r.x0), 3.5).length <= 2) {
        hints.push(g); // a frame with no inner vertical lines: columns, if any, are in the text
      }
    }
  }
  const loose = groups.filter((g) => g.v.length === 0).flatMap((g) => g.h);
  hints.push(...ruleChains(loose, data.height));
  for (const t of alignedTables(data.lines, hints, data.width)) {
    found.push(t);
    for (const l of t.consumed) l.table = found.length - 1;
  }
  data.tables = found.map((f) => f.table);
}
