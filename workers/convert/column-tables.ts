import type { Found } from './grid-tables.js';
import { assignSpans, cellText, simpleCells } from './table-cells.js';
import type { Box, Line, Span } from './types.js';

interface Segment {
  x0: number;
  x1: number;
  text: string;
  /** MuPDF blocks its text came from. */
  blocks: number[];
}

interface Row {
  lines: Line[];
  y0: number;
  y1: number;
  size: number;
  segments: Segment[];
}

/** Strict for free text (3+ rows of short cells); looser between rules, where a table is expected. */
interface Criteria {
  minRows: number;
  maxMedianWords: number;
  /** Share of rows that must have two or more cells. */
  multiShare: number;
}
const FREE: Criteria = { minRows: 3, maxMedianWords: 4, multiShare: 1 };
const HINTED: Criteria = { minRows: 2, maxMedianWords: 10, multiShare: 0.5 };

const LIST_MARKER = /^(?:[•◦▪‣∙·*–—-]|\(?(?:\d{1,3}|[a-z]|[ivxlc]+)[.)])$/i;
const LEADERS = /(?:\.\s?){4,}/;

/** Lines sharing a baseline (across MuPDF blocks) → rows, each cut into segments at wide gaps. */
function toRows(lines: Line[]): Row[] {
  const sorted = lines.filter((l) => !l.mono && l.table === undefined).sort((a, b) => a.baseline - b.baseline || a.x0 - b.x0);
  const rows: Row[] = [];
  for (const line of sorted) {
    const last = rows[rows.length - 1];
    if (last && Math.abs(line.baseline - last.lines[0]!.baseline) <= 0.3 * Math.max(line.size, last.size)) {
      last.lines.push(line);
      last.y0 = Math.min(last.y0, line.y0);
      last.y1 = Math.max(last.y1, line.y1);
    } else rows.push({ lines: [line], y0: line.y0, y1: line.y1, size: line.size, segments: [] });
  }
  for (const row of rows) {
    // A column gap is at least one em: word gaps are ~0.25 em, ~0.6 em in loosely justified text.
    const gap = Math.max(row.size, 4);
    const only = row.lines.length === 1 ? row.lines[0]! : undefined;
    if (only && only.spans.every((s, i) => i === 0 || s.x0 - only.spans[i - 1]!.x1 < gap)) {
      // Most rows are one line of prose: one segment, no need to walk its spans.
      row.segments.push({ x0: only.x0, x1: only.x1, text: only.text, blocks: [only.block] });
      continue;
    }
    const spans: { s: Span; block: number }[] = row.lines.flatMap((l) => l.spans.map((s) => ({ s, block: l.block })));
    if (row.lines.length > 1) spans.sort((a, b) => a.s.x0 - b.s.x0);
    for (const { s, block } of spans) {
      const seg = row.segments[row.segments.length - 1];
      if (seg && s.x0 - seg.x1 < gap) {
        seg.x1 = Math.max(seg.x1, s.x1);
        seg.text += s.text;
        if (!seg.blocks.includes(block)) seg.blocks.push(block);
      } else row.segments.push({ x0: s.x0, x1: s.x1, text: s.text, blocks: [block] });
    }
  }
  return rows;
}

/** Column boundaries: the centres of the vertical white channels no segment of the rows crosses. */
function channels(rows: Row[]): number[] {
  const spans = rows.flatMap((r) => r.segments).sort((a, b) => a.x0 - b.x0);
  const size = rows.reduce((s, r) => s + r.size, 0) / rows.length;
  const out: number[] = [];
  let end = -Infinity;
  for (const s of spans) {
    if (end > -Infinity && s.x0 - end >= 0.5 * size) out.push((s.x0 + end) / 2);
    end = Math.max(end, s.x1);
  }
  return out;
}

/** 1, 2, 3… (a few gaps allowed: blank lines are not always numbered). */
function isLineNumbering(col: string[]): boolean {
  const nums = col.filter(Boolean).map(Number);
  if (nums.length < 3 || nums.some((n) => !Number.isInteger(n))) return false;
  let steps = 0;
  for (let i = 1; i < nums.length; i++) if (nums[i]! - nums[i - 1]! >= 1 && nums[i]! - nums[i - 1]! <= 3) steps++;
  return steps >= 0.8 * (nums.length - 1);
}

/**
 * Text set in columns (an index, a two-column page) is drawn one column after the other, so
 * MuPDF makes each column a block running down several rows; a table is drawn row by row,
 * so a block holds cells of several columns (or one cell each). A block that runs down a
 * column while no block crosses columns means page columns, not a table.
 */
function isColumnLayout(rows: Row[], bounds: number[]): boolean {
  const rowsOf = new Map<number, Set<number>>();
  const colsOf = new Map<number, Set<number>>();
  rows.forEach((row, r) => {
    for (const seg of row.segments) {
      const col = bounds.filter((b) => b < (seg.x0 + seg.x1) / 2).length;
      for (const b of seg.blocks) {
        (rowsOf.get(b) ?? rowsOf.set(b, new Set()).get(b)!).add(r);
        (colsOf.get(b) ?? colsOf.set(b, new Set()).get(b)!).add(col);
      }
    }
  });
  let down = 0;
  for (const [b, cols] of colsOf) {
    if (cols.size > 1) return false;
    if (rowsOf.get(b)!.size > 1) down++;
  }
  return down > 0;
}

/**
 * Two columns that are both wide (each over 30 % of the page) are a two-column page layout
 * (docbook's reference pages set code beside prose), not a table: in real two-column tables
 * one side holds short keys or values.
 */
function isTwoWideColumns(rows: Row[], bounds: number[], pageWidth: number): boolean {
  if (bounds.length !== 1) return false;
  const widest = [0, 0];
  for (const r of rows) for (const s of r.segments) {
    const col = (s.x0 + s.x1) / 2 < bounds[0]! ? 0 : 1;
    widest[col] = Math.max(widest[col]!, s.x1 - s.x0);
  }
  return widest[0]! > 0.3 * pageWidth && widest[1]! > 0.3 * pageWidth;
}

/**
 * Justified prose with a stretched gap looks like two cells on a line; but its segments fill
 * the line, where table cells leave their column gaps empty. Rows filled over 85 % (median)
 * are text, not a table.
 */
function isFilledText(rows: Row[]): boolean {
  const x0 = Math.min(...rows.flatMap((r) => r.segments.map((s) => s.x0)));
  const x1 = Math.max(...rows.flatMap((r) => r.segments.map((s) => s.x1)));
  const fill = rows.map((r) => r.segments.reduce((n, s) => n + s.x1 - s.x0, 0) / Math.max(1, x1 - x0)).sort((a, b) => a - b);
  return fill[Math.floor(fill.length / 2)]! > 0.85;
}

function tableOf(rows: Row[], c: Criteria, pageWidth: number): Found | undefined {
  if (rows.length < c.minRows) return undefined;
  if (rows.filter((r) => r.segments.length >= 2).length < c.multiShare * rows.length) return undefined;
  const bounds = channels(rows);
  if (bounds.length === 0 || isColumnLayout(rows, bounds) || isTwoWideColumns(rows, bounds, pageWidth) || isFilledText(rows)) return undefined;
  const x0 = Math.min(...rows.flatMap((r) => r.segments.map((s) => s.x0))) - 1;
  const x1 = Math.max(...rows.flatMap((r) => r.segments.map((s) => s.x1))) + 1;
  const xs = [x0, ...bounds, x1];
  const ys = [rows[0]!.y0 - 1];
  for (let i = 1; i < rows.length; i++) ys.push((rows[i - 1]!.y1 + rows[i]!.y0) / 2);
  ys.push(rows[rows.length - 1]!.y1 + 1);
  const { cells, owner } = simpleCells(rows.length, xs.length - 1);
  const consumed = rows.flatMap((r) => r.lines);
  assignSpans(consumed, xs, ys, owner, cells, () => bounds);
  const texts = cells.map(cellText).filter(Boolean);
  if (texts.length < 0.5 * cells.length || texts.some((t) => LEADERS.test(t))) return undefined;
  const words = texts.map((t) => t.split(/\s+/).length).sort((a, b) => a - b);
  if (words[Math.floor(words.length / 2)]! > c.maxMedianWords) return undefined;
  const firstCol = cells.filter((cell) => cell.col === 0).map(cellText);
  if (xs.length === 3 && firstCol.every((t) => t === '' || LIST_MARKER.test(t))) return undefined;
  if (isLineNumbering(firstCol)) return undefined; // a numbered code listing
  return { table: { x0, y0: ys[0]!, x1, y1: ys[ys.length - 1]!, xs, ys, cells, source: 'aligned' }, consumed };
}

/**
 * Tables without a drawn grid: text in columns separated by white channels. Inside `hints`
 * (between horizontal rules, or in a frame without inner lines) a table is expected and
 * the test is looser; elsewhere it takes 3+ consecutive rows of 2+ short cells, so prose,
 * two-column layouts, lists and tables of contents stay paragraphs. Monospaced lines (code)
 * are never tables.
 */
export function alignedTables(lines: Line[], hints: Box[], pageWidth: number): Found[] {
  const found: Found[] = [];
  const taken = new Set<Line>();
  for (const h of hints) {
    const inside = lines.filter((l) => !taken.has(l) && (l.y0 + l.y1) / 2 > h.y0 && (l.y0 + l.y1) / 2 < h.y1 && l.x0 >= h.x0 - 2 && l.x1 <= h.x1 + 2);
    const t = tableOf(toRows(inside), HINTED, pageWidth);
    if (t) {
      found.push(t);
      for (const l of t.consumed) taken.add(l);
    }
  }
  const rows = toRows(lines.filter((l) => !taken.has(l)));
  let i = 0;
  while (i < rows.length) {
    if (rows[i]!.segments.length < 2) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < rows.length) {
      const row = rows[j]!;
      const prev = rows[j - 1]!;
      if (row.segments.length < 2 || row.y0 - prev.y1 > 1.5 * Math.max(row.size, prev.size)) break;
      if (channels(rows.slice(i, j + 1)).length === 0) break;
      j++;
    }
    const t = tableOf(rows.slice(i, j), FREE, pageWidth);
    if (t) found.push(t);
    // Rows of a run that failed are not retried from each later start: that would be
    // cubic on a page of 2-segment rows (a table of contents), and finds nothing new.
    i = Math.max(i + 1, j);
  }
  return found;
}
