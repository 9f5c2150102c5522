import { PAGE_BREAK, paragraphXml, tableXml } from './docx-body.js';
import { marginsOf } from './extract-pages.js';
import { htmlPage } from './html-body.js';
import { layoutPage } from './layout.js';
import { headingToken, sizeHistogram, type SizeHistogram } from './style.js';
import { cellText, cellsByRow } from './table-cells.js';
import type { Margins, PageData, PageImage } from './types.js';

/**
 * A run of consecutive pages made ready for writing: the format's text (docx XML or HTML)
 * with heading decisions left as tokens, since heading sizes depend on the whole document;
 * images apart; the font-size histogram and counts. Parts are built one per chunk of pages
 * (in parallel threads for long documents) and joined by the write step (assemble.ts).
 */
export interface Part {
  /** Size of the first page, margins from where text sits on the first pages (docx section). */
  first?: { width: number; height: number; margins: Margins };
  histogram: SizeHistogram;
  /** docx/html: text fragments and images in reading order. */
  segments: Segment[];
  /** xlsx: the tables, and every text line (used when the document has no table). */
  tables: SheetTable[];
  lines: string[];
  stats: PartStats;
}

export type Segment = string | PartImage;

export interface PartImage {
  type: 'png' | 'jpg';
  /** Displayed size in points. */
  width: number;
  height: number;
  /** In memory, or (between threads) in a file of the work folder. */
  data?: Uint8Array;
  file?: string;
}

export interface SheetTable {
  page: number;
  /** Column widths in points. */
  widths: number[];
  /** Cell text and boldness by row, at the column of each cell (undefined: covered by a merge). */
  rows: ({ text: string; bold: boolean } | undefined)[][];
  merges: [number, number, number, number][];
}

export interface PartStats {
  pages: number[];
  withoutText: number[];
  failed: { page: number; reason: string }[];
  tables: number;
  images: number;
  imagesSkipped: number[];
}

export const textWidthOf = (pageWidth: number, m: Margins) => Math.max(72, pageWidth - m.left - m.right);


export function buildPart(pages: PageData[], format: 'docx' | 'html' | 'xlsx'): Part {
  const stats: PartStats = {
    pages: pages.map((p) => p.page),
    withoutText: pages.filter((p) => !p.failed && p.chars === 0).map((p) => p.page),
    failed: pages.filter((p) => p.failed).map((p) => ({ page: p.page, reason: p.failed! })),
    tables: pages.reduce((n, p) => n + p.tables.length, 0),
    images: pages.reduce((n, p) => n + p.images.length, 0),
    imagesSkipped: pages.filter((p) => p.imagesSkipped > 0).map((p) => p.page),
  };
  const head = pages[0];
  const margins = marginsOf(pages);
  const part: Part = { histogram: sizeHistogram(pages), segments: [], tables: [], lines: [], stats };
  if (head) part.first = { width: head.width, height: head.height, margins };
  if (format === 'xlsx') {
    for (const p of pages) {
      for (const t of p.tables) part.tables.push(sheetTable(p.page, t));
      for (const l of p.lines) if (l.text.trim()) part.lines.push(l.text.trim());
    }
    return part;
  }
  const width = head ? textWidthOf(head.width, margins) : 468;
  let text = '';
  const image = (img: PageImage) => {
    if (text) part.segments.push(text);
    text = '';
    part.segments.push({ type: img.type, width: img.x1 - img.x0, height: img.y1 - img.y0, data: img.data });
  };
  for (const p of pages) {
    const { items } = layoutPage(p);
    if (format === 'html') {
      htmlPage(p.page, items, (html) => (text += html), image);
      continue;
    }
    let lastTable = false;
    for (const item of items) {
      if (item.kind === 'image') image(item.image);
      else if (item.kind === 'table') text += (lastTable ? '<w:p/>' : '') + tableXml(item.table, width); // Word joins adjacent tables
      else text += paragraphXml(item.runs, item.size ? headingToken(item.size) : '', item.mono);
      lastTable = item.kind === 'table';
    }
    // Every page ends with a break, so parts can be joined; the last one is cut when assembling.
    text += (lastTable ? '<w:p/>' : '') + PAGE_BREAK;
  }
  if (text) part.segments.push(text);
  return part;
}

function sheetTable(page: number, t: PageData['tables'][number]): SheetTable {
  const rows = cellsByRow(t.ys.length - 1, t.cells).map((cells) => {
    const row: ({ text: string; bold: boolean } | undefined)[] = new Array(t.xs.length - 1).fill(undefined);
    for (const c of cells) row[c.col] = { text: cellText(c), bold: c.lines.length > 0 && c.lines.every((l) => l.spans.every((s) => s.bold || !s.text.trim())) };
    return row;
  });
  const merges = t.cells.filter((c) => c.rowSpan > 1 || c.colSpan > 1).map((c): [number, number, number, number] => [c.row, c.col, c.row + c.rowSpan - 1, c.col + c.colSpan - 1]);
  return { page, widths: t.xs.slice(1).map((x, i) => x - t.xs[i]!), rows, merges };
}
