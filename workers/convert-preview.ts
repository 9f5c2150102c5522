import { walkActiveContent, type ActiveContent } from './active-content.js';
import path from 'node:path';
import { extractPages } from './convert/extract-pages.js';
import { notesFor } from './convert/notes.js';
import { extractPart, isStructured, runConversion, writeParts } from './convert/run.js';
import type { ConvertFormat } from '../src/schemas/convert.js';
import type { ConvertRequest, Note } from './convert/types.js';
import { OUTPUT_EXT } from './convert.js';
import { openPdf, selectPages } from './pdf.js';
import { defineTask } from './task.js';

export interface ConvertPreviewPayload extends ConvertRequest {
  path: string;
  /** Scratch folder for the sample conversion (the request's staging folder). */
  scratchDir: string;
  /** Time allowed for the per-page analysis; pages past it are not analysed. */
  budgetMs?: number;
}

export interface PagePreview {
  page: number;
  has_text: boolean;
  chars: number;
  tables: number;
  images: number;
}

export interface ConvertPreviewResult {
  /** Scripts, external actions, attachments, forms: what sanitize=true would remove. */
  active_content: ActiveContent;
  format: ConvertFormat;
  page_count: number;
  pages_selected: number;
  pages_scanned: number;
  pages: PagePreview[];
  pages_without_text: number[];
  tables_found: number;
  images_found: number;
  estimated_output_size: number;
  estimated_time_s: number;
  sample: { pages: number[]; ms: number; bytes: number };
  notes: Note[];
}

/**
 * The analysis is the conversion's own page pass (text, tables, images), ~5 ms a page on
 * manuals: 1.5 s covers ~300 pages and keeps the one probe thread free for submissions.
 */
const DEFAULT_BUDGET_MS = 1500;
const SAMPLE_PAGES = 3;
/** Bytes of an output with one blank page: the package every file has, not scaled with pages. */
const PACKAGE_BYTES: Record<string, number> = { docx: 10_052, html: 781, xlsx: 5_866, txt: 0, images: 22 };
/**
 * Writing the file costs a fixed part (measured with the sample) plus about a fifth of the
 * page work (gnuplot manual, 311 pages: ~0.2 s of writing for ~1 s of page work).
 */
const WRITE_SHARE = 0.2;
/** xlsx holds only the tables when there are any: ~1.1 KB a table (gnuplot manual: 22 tables, 30 KB). */
const XLSX_TABLE_BYTES = 1100;

/**
 * POST /api/convert/preview: what a conversion would find and produce, from the real file.
 * Pages are analysed in order until the time budget is spent; then up to three pages spread
 * over the selection are converted for real, and size and time are extrapolated from them.
 */
export const convertPreview = defineTask(async (p: ConvertPreviewPayload): Promise<ConvertPreviewResult> => {
  const { mupdf, doc, pages: pageCount } = await openPdf(p.path, { maxPages: p.maxPages });
  try {
    const activeContent = walkActiveContent(doc, false);
    const indexes = selectPages(p.pages, pageCount);
    const budget = p.budgetMs ?? DEFAULT_BUDGET_MS;
    const started = performance.now();
    const pages: PagePreview[] = [];
    for (const index of indexes) {
      if (performance.now() - started > budget && pages.length > 0) break;
      const [d] = extractPages(mupdf, doc, [index], { images: false, tables: true });
      if (d) pages.push({ page: d.page, has_text: d.chars > 0, chars: d.chars, tables: d.tables.length, images: d.images.length });
    }
    const sample = [...new Set(Array.from({ length: Math.min(SAMPLE_PAGES, indexes.length) }, (_, i) => indexes[Math.floor((i * indexes.length) / Math.min(SAMPLE_PAGES, indexes.length))]!))];
    const out = path.join(p.scratchDir, `preview.${OUTPUT_EXT[p.format]}`);
    const k = sample.length;
    const n = indexes.length;
    let bytes = 0;
    let pageMs: number;
    let fixedMs = 0;
    const settings = { format: p.format, dpi: p.dpi, imageFormat: p.imageFormat, ocr: p.ocr, title: 'preview' };
    // The probe thread is often cold (it stops after 30 s idle): a first conversion compiles
    // the writer (docx, exceljs), which measured 0.6 s against 0.05 s warm and would be
    // multiplied by the page count. One page is converted untimed first.
    if (p.format !== 'txt') await runConversion(mupdf, doc, sample.slice(0, 1), settings, `${out}.warm`, () => {});
    const t0 = performance.now();
    if (p.format === 'txt') {
      // Text is what the analysis already read: time a plain text pass on the sample pages.
      for (const i of sample) {
        const page = doc.loadPage(i);
        const st = page.toStructuredText('preserve-whitespace');
        bytes += Buffer.byteLength(st.asText());
        st.destroy();
        page.destroy();
      }
      pageMs = (performance.now() - t0) / k;
    } else if (isStructured(p.format)) {
      const part = extractPart(mupdf, doc, sample, p.format);
      pageMs = ((performance.now() - t0) / k) * (1 + WRITE_SHARE);
      const t1 = performance.now();
      bytes = (await writeParts([part], { ...settings, format: p.format }, out)).output_size;
      fixedMs = performance.now() - t1;
    } else {
      bytes = (await runConversion(mupdf, doc, sample, settings, out, () => {})).output_size;
      pageMs = (performance.now() - t0) / k;
    }
    const ms = performance.now() - t0;
    const fixed = Math.min(bytes, PACKAGE_BYTES[p.format] ?? 0);
    const tables = pages.reduce((sum, pg) => sum + pg.tables, 0);
    const size = p.format === 'xlsx' && tables > 0 ? fixed + tables * (n / pages.length) * XLSX_TABLE_BYTES : fixed + ((bytes - fixed) / k) * n;
    const withoutText = pages.filter((pg) => !pg.has_text).map((pg) => pg.page);
    const notes = notesFor(p, { withoutText });
    if (pages.length < n) notes.push({ code: 'PARTIAL_SCAN', message: `The first ${pages.length} of ${n} selected pages were analysed; counts cover those pages only.` });
    return {
      format: p.format,
      page_count: pageCount,
      pages_selected: n,
      pages_scanned: pages.length,
      pages,
      pages_without_text: withoutText,
      tables_found: tables,
      images_found: pages.reduce((s, pg) => s + pg.images, 0),
      active_content: activeContent,
      estimated_output_size: Math.round(size),
      estimated_time_s: Math.round(pageMs * n + fixedMs) / 1000,
      sample: { pages: sample.map((i) => i + 1), ms: Math.round(ms), bytes },
      notes,
    };
  } finally {
    doc.destroy();
  }
});
