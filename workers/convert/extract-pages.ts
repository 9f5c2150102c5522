import type * as Mupdf from 'mupdf';
import { engineMessage } from '../pdf.js';
import { extractPage } from './extract.js';
import { detectTables } from './tables.js';
import type { Margins, PageData } from './types.js';

export interface ExtractPagesOptions {
  images: boolean;
  tables: boolean;
  onPage?: (done: number, total: number) => void;
}

/**
 * Every selected page → PageData, one page at a time (each page's MuPDF objects are freed
 * before the next is loaded). A page MuPDF cannot read becomes an empty page marked
 * `failed`, so one damaged page does not cost the whole document.
 */
export function extractPages(mupdf: typeof Mupdf, doc: Mupdf.Document, indexes: number[], opts: ExtractPagesOptions): PageData[] {
  const out: PageData[] = [];
  for (const [n, index] of indexes.entries()) {
    let page: Mupdf.Page | undefined;
    try {
      page = doc.loadPage(index);
      const raw = extractPage(mupdf, page, index + 1, { images: opts.images });
      if (opts.tables) detectTables(raw.data, raw.rules);
      out.push(raw.data);
    } catch (err) {
      out.push({ page: index + 1, width: 612, height: 792, lines: [], images: [], tables: [], chars: 0, imagesSkipped: 0, failed: engineMessage(err) });
    } finally {
      page?.destroy();
    }
    opts.onPage?.(n + 1, indexes.length);
  }
  return out;
}

/** Page margins for the docx section: where the text of the first pages sits, within 0.25–1.25 in. */
export function marginsOf(pages: PageData[]): Margins {
  const sample = pages.filter((p) => p.lines.length > 0).slice(0, 8);
  const clamp = (v: number) => Math.min(90, Math.max(18, v));
  if (sample.length === 0) return { top: 54, bottom: 54, left: 54, right: 54 };
  let left = Infinity;
  let right = Infinity;
  let top = Infinity;
  let bottom = Infinity;
  for (const p of sample) {
    for (const l of p.lines) {
      left = Math.min(left, l.x0);
      right = Math.min(right, p.width - l.x1);
      top = Math.min(top, l.y0);
      bottom = Math.min(bottom, p.height - l.y1);
    }
  }
  return { left: clamp(left), right: clamp(right), top: clamp(top), bottom: clamp(bottom) };
}
