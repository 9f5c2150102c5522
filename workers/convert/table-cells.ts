import { finishLine } from './extract.js';
import type { Line, Span, TableCell } from './types.js';

/** Sorted values grouped where neighbours are within tol; each group → its mean. */
export function cluster(values: number[], tol: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const out: number[] = [];
  let group: number[] = [];
  for (const v of sorted) {
    if (group.length && v - group[group.length - 1]! > tol) {
      out.push(group.reduce((s, x) => s + x, 0) / group.length);
      group = [];
    }
    group.push(v);
  }
  if (group.length) out.push(group.reduce((s, x) => s + x, 0) / group.length);
  return out;
}

/** Index i with bounds[i] <= v < bounds[i + 1], clamped to the grid. */
export function slot(bounds: number[], v: number): number {
  let lo = 0;
  let hi = bounds.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bounds[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return Math.max(0, lo);
}

/**
 * A span that runs over a column boundary (MuPDF joined two cells' words into one line
 * because the gap between them was narrow) is cut at the word break nearest the boundary,
 * in proportion to its characters. Undefined when the span has no break there.
 */
function splitSpan(span: Span, x: number): [Span, Span] | undefined {
  const n = span.text.length;
  const at = Math.round(((x - span.x0) / (span.x1 - span.x0)) * n);
  let best = -1;
  for (let d = 0; d <= Math.max(3, n / 4); d++) {
    if (span.text[at - d] === ' ') best = at - d;
    else if (span.text[at + d] === ' ') best = at + d;
    if (best >= 0) break;
  }
  if (best <= 0 || best >= n - 1) return undefined;
  const mid = span.x0 + ((span.x1 - span.x0) * best) / n;
  return [
    { ...span, text: span.text.slice(0, best), x1: mid },
    { ...span, text: span.text.slice(best + 1), x0: mid },
  ];
}

export interface Assignment {
  cells: TableCell[];
  /** Spans that still straddle a boundary that was drawn (a sign this is not a table). */
  crossing: number;
  spans: number;
}

/**
 * Puts the spans of `lines` into the cells of a grid. `owner[r][c]` names the cell (index in
 * `cells`) covering grid slot (r, c); `walls(r)` lists the inner column boundaries that are
 * real in row r (drawn, or inferred from the text), where spans are cut.
 */
export function assignSpans(lines: Line[], xs: number[], ys: number[], owner: number[][], cells: TableCell[], walls: (row: number) => number[]): Assignment {
  const bySpan = new Map<TableCell, { span: Span; baseline: number; block: number }[]>();
  let crossing = 0;
  let count = 0;
  for (const line of lines) {
    const r = slot(ys, (line.y0 + line.y1) / 2);
    const queue = [...line.spans];
    while (queue.length) {
      const span = queue.shift()!;
      count++;
      const wall = walls(r).find((x) => span.x0 < x - 1 && span.x1 > x + 1);
      if (wall !== undefined) {
        const parts = splitSpan(span, wall);
        if (parts) {
          queue.unshift(...parts);
          count--;
          continue;
        }
        crossing++;
      }
      const cell = cells[owner[r]![slot(xs, (span.x0 + span.x1) / 2)]!]!;
      let list = bySpan.get(cell);
      if (!list) bySpan.set(cell, (list = []));
      list.push({ span: { ...span, text: span.text }, baseline: line.baseline, block: line.block });
    }
  }
  for (const [cell, list] of bySpan) {
    list.sort((a, b) => a.baseline - b.baseline || a.span.x0 - b.span.x0);
    let cur: Line | undefined;
    for (const { span, baseline, block } of list) {
      if (cur && Math.abs(baseline - cur.baseline) <= 0.35 * span.size) {
        const prev = cur.spans[cur.spans.length - 1]!;
        if (!/\s$/.test(prev.text) && !/^\s/.test(span.text)) span.text = ` ${span.text}`;
        cur.spans.push(span);
        cur.x1 = Math.max(cur.x1, span.x1);
      } else {
        span.text = span.text.replace(/^\s+/, '');
        cur = { x0: span.x0, y0: span.y0, x1: span.x1, y1: span.y1, baseline, spans: [span], block, size: span.size, text: '', mono: false };
        cell.lines.push(cur);
      }
    }
    for (const line of cell.lines) finishLine(line);
  }
  return { cells, crossing, spans: count };
}

/** Cells 1×1 for every slot of a grid with no merged cells. */
export function simpleCells(rows: number, cols: number): { cells: TableCell[]; owner: number[][] } {
  const cells: TableCell[] = [];
  const owner: number[][] = [];
  for (let r = 0; r < rows; r++) {
    owner.push([]);
    for (let c = 0; c < cols; c++) {
      owner[r]!.push(cells.length);
      cells.push({ row: r, col: c, rowSpan: 1, colSpan: 1, lines: [] });
    }
  }
  return { cells, owner };
}

export function cellText(cell: TableCell): string {
  return cell.lines.map((l) => l.text.trim()).filter(Boolean).join(' ');
}

/** The cells of each grid row, left to right (cells merged down appear in their first row only). */
export function cellsByRow(rows: number, cells: TableCell[]): TableCell[][] {
  const out: TableCell[][] = Array.from({ length: rows }, () => []);
  for (const c of cells) out[c.row]?.push(c);
  for (const row of out) row.sort((a, b) => a.col - b.col);
  return out;
}
