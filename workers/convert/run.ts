import { stat } from 'node:fs/promises';
import type * as Mupdf from 'mupdf';
import type { ConvertFormat, ImageFormat } from '../../src/schemas/convert.js';
import type { PageRange } from '../../src/schemas/pages.js';
import { TaskError } from '../task.js';
import { extractPages } from './extract-pages.js';
import { notesFor } from './notes.js';
import { buildPart, type Part } from './part.js';
import type { Note } from './types.js';
import { writeDocx } from './write-docx.js';
import { writeHtml } from './write-html.js';
import { writeImagesZip } from './write-images.js';
import { writeTxt } from './write-txt.js';
import { writeXlsx } from './write-xlsx.js';

export interface ConvertSettings {
  format: ConvertFormat;
  dpi: number;
  imageFormat: ImageFormat;
  ocr: boolean;
  title: string;
}

export interface ConvertOutcome {
  format: ConvertFormat;
  pages_converted: number;
  pages_without_text: number[];
  /** Tables found and written as tables; null for formats that do not look for them (txt, images). */
  tables_found: number | null;
  images_found: number | null;
  output_size: number;
  notes: Note[];
}

export type Progress = (percent: number, stage: string) => void;
export type StructuredFormat = 'docx' | 'html' | 'xlsx';
export const isStructured = (f: ConvertFormat): f is StructuredFormat => f === 'docx' || f === 'html' || f === 'xlsx';

/** Share of the progress bar spent reading pages; the rest is writing the file. */
export const READ_SHARE = 90;

export interface TxtSource {
  input: string;
  maxPages: number;
  pages?: PageRange[];
  password?: string;
}

/** txt: the document is opened by the shared extractText task itself, so it is not opened here. */
export async function runTxt(file: TxtSource, s: ConvertSettings, out: string, progress: Progress): Promise<ConvertOutcome & { page_count: number }> {
  const txt = await writeTxt(file, out, progress);
  return {
    format: s.format,
    tables_found: null,
    images_found: null,
    pages_converted: txt.pages.length,
    pages_without_text: txt.withoutText,
    output_size: (await stat(out)).size,
    notes: notesFor(s, { withoutText: txt.withoutText }),
    page_count: txt.pageCount,
  };
}

/** The page work of html, docx and xlsx for some pages: extraction, tables, layout, the format's text. */
export function extractPart(mupdf: typeof Mupdf, doc: Mupdf.Document, indexes: number[], format: StructuredFormat, onPage?: (done: number, total: number) => void): Part {
  const pages = extractPages(mupdf, doc, indexes, { images: format !== 'xlsx', tables: true, ...(onPage ? { onPage } : {}) });
  return buildPart(pages, format);
}

/** Parts in page order → the output file, and what the result tells the client. */
export async function writeParts(parts: Part[], s: ConvertSettings & { format: StructuredFormat }, out: string): Promise<ConvertOutcome> {
  const stats = parts.map((p) => p.stats);
  const pages = stats.flatMap((st) => st.pages);
  const failed = stats.flatMap((st) => st.failed);
  if (failed.length === pages.length) throw new TaskError('PROCESSING_FAILED', `No page of the PDF could be read (${failed[0]?.reason ?? 'no pages'}).`);
  let imagesOmitted = 0;
  if (s.format === 'xlsx') await writeXlsx(parts, out);
  else if (s.format === 'docx') await writeDocx(parts, out, s.title);
  else imagesOmitted = (await writeHtml(parts, out, s.title)).imagesOmitted;
  const tables = stats.reduce((n, st) => n + st.tables, 0);
  const withoutText = stats.flatMap((st) => st.withoutText);
  return {
    format: s.format,
    pages_converted: pages.length - failed.length,
    pages_without_text: withoutText,
    tables_found: tables,
    images_found: stats.reduce((n, st) => n + st.images, 0),
    output_size: (await stat(out)).size,
    notes: notesFor(s, {
      withoutText,
      failed: failed.map((f) => f.page),
      skippedImages: stats.flatMap((st) => st.imagesSkipped),
      imagesOmitted,
      noTables: s.format === 'xlsx' && tables === 0,
    }),
  };
}

/**
 * One whole conversion (html, docx, xlsx, images) of the selected pages into `out`, in this
 * thread. The document is already open: the task calls this, and the preview on a few
 * sample pages to time it. Long documents are split by the job handler instead (extract
 * steps in parallel threads, then one write step), with the same functions.
 */
export async function runConversion(mupdf: typeof Mupdf, doc: Mupdf.Document, indexes: number[], s: ConvertSettings, out: string, progress: Progress): Promise<ConvertOutcome> {
  const format = s.format;
  if (isStructured(format)) {
    const part = extractPart(mupdf, doc, indexes, format, (n, total) => progress(Math.round((n / total) * READ_SHARE), `page ${n}/${total}`));
    progress(READ_SHARE, `writing ${format}`);
    return writeParts([part], { ...s, format }, out);
  }
  if (format !== 'images') throw new TaskError('INVALID_OPTIONS', `format ${format} is not converted here.`);
  const r = await writeImagesZip(mupdf, doc, indexes, out, {
    dpi: s.dpi,
    imageFormat: s.imageFormat,
    onPage: (n, total) => progress(Math.round((n / total) * 100), `page ${n}/${total}`),
  });
  if (r.images === 0) throw new TaskError('PROCESSING_FAILED', 'No page of the PDF could be rendered.');
  return {
    format,
    tables_found: null,
    images_found: null,
    pages_converted: r.images,
    pages_without_text: r.withoutText,
    output_size: (await stat(out)).size,
    notes: notesFor(s, { failed: r.failed, reduced: r.reduced, withoutText: r.withoutText }),
  };
}
