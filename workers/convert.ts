import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ConvertFormat } from '../src/schemas/convert.js';
import { loadPart, savePart } from './convert/part-files.js';
import type { ConvertRequest } from './convert/types.js';
import { extractPart, isStructured, runConversion, runTxt, writeParts, type ConvertOutcome } from './convert/run.js';
import { openPdf, selectPages } from './pdf.js';
import { defineTask, TaskError } from './task.js';

export interface ConvertPayload extends ConvertRequest {
  input: string;
  /** Folder the output file is written to (the job's work folder). */
  outputDir: string;
  /** Document title for docx/html metadata (the client's file name without extension). */
  title: string;
  password?: string;
}

/**
 * Long html/docx/xlsx conversions are split by the job handler: `convertExtract` tasks (each
 * on some pages, in parallel threads) write a part file each, then one `convertWrite` task
 * joins them. `convert` does the whole conversion in one task.
 */
export interface ConvertExtractPayload extends ConvertPayload {
  /** The part file to write. */
  part: string;
}

export interface ConvertWritePayload extends ConvertPayload {
  /** The part files, in page order, and the document's page count. */
  parts: string[];
  pageCount: number;
}

export interface ConvertTaskResult extends ConvertOutcome {
  page_count: number;
  /** File name inside outputDir. */
  output: string;
}

export const OUTPUT_EXT: Record<ConvertFormat, string> = { txt: 'txt', html: 'html', docx: 'docx', xlsx: 'xlsx', images: 'zip' };

/**
 * PDF → txt, html, docx, xlsx or a zip of page images, written to `outputDir/converted.<ext>`.
 * Text, fonts, images and ruling lines come from one MuPDF structured-text pass per page
 * (convert/extract.ts); tables, paragraphs and headings are rebuilt from them (tables.ts,
 * layout.ts); each format has its writer (write-*.ts).
 */
export const convert = defineTask(async (p: ConvertPayload, ctx): Promise<ConvertTaskResult> => {
  const settings = settingsOf(p);
  const output = `converted.${OUTPUT_EXT[p.format]}`;
  const out = path.join(p.outputDir, output);
  if (p.format === 'txt') {
    const source = { input: p.input, maxPages: p.maxPages, ...(p.pages ? { pages: p.pages } : {}), ...(p.password ? { password: p.password } : {}) };
    const outcome = await runTxt(source, settings, out, ctx.progress);
    ctx.progress(100, 'done');
    return { ...outcome, output };
  }
  const { mupdf, doc, pages: pageCount } = await openPdf(p.input, { maxPages: p.maxPages, ...(p.password ? { password: p.password } : {}) });
  try {
    const outcome = await runConversion(mupdf, doc, selectPages(p.pages, pageCount), settings, out, ctx.progress);
    ctx.progress(100, 'done');
    return { ...outcome, page_count: pageCount, output };
  } finally {
    doc.destroy();
  }
});

/** One chunk of a split conversion: its pages' structure, saved as a part file. */
export const convertExtract = defineTask(async (p: ConvertExtractPayload, ctx): Promise<{ pages: number }> => {
  if (!isStructured(p.format)) throw new TaskError('INVALID_OPTIONS', 'An extract step needs an html, docx or xlsx conversion.');
  const { mupdf, doc, pages: pageCount } = await openPdf(p.input, { maxPages: p.maxPages, ...(p.password ? { password: p.password } : {}) });
  try {
    const indexes = selectPages(p.pages, pageCount);
    const part = extractPart(mupdf, doc, indexes, p.format, (n, total) => ctx.progress(Math.round((n / total) * 100), `page ${n}/${total}`));
    await mkdir(path.dirname(p.part), { recursive: true });
    await savePart(part, p.part);
    return { pages: indexes.length };
  } finally {
    doc.destroy();
  }
});

/** The last step of a split conversion: the part files, in page order, joined into one document. */
export const convertWrite = defineTask(async (p: ConvertWritePayload, ctx): Promise<ConvertTaskResult> => {
  const format = p.format;
  if (!isStructured(format) || p.parts.length === 0) throw new TaskError('INVALID_OPTIONS', 'A write step needs the parts of an html, docx or xlsx conversion.');
  const output = `converted.${OUTPUT_EXT[format]}`;
  const out = path.join(p.outputDir, output);
  const parts = [];
  for (const file of p.parts) parts.push(await loadPart(file));
  const outcome = await writeParts(parts, { ...settingsOf(p), format }, out);
  await rm(path.dirname(p.parts[0]!), { recursive: true, force: true }).catch(() => {});
  ctx.progress(100, 'done');
  return { ...outcome, page_count: p.pageCount, output };
});

function settingsOf(p: ConvertPayload) {
  return { format: p.format, dpi: p.dpi, imageFormat: p.imageFormat, ocr: p.ocr, title: p.title };
}
