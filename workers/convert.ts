import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ConvertFormat, ImageFormat } from '../src/schemas/convert.js';
import type { PageRange } from '../src/schemas/pages.js';
import { loadPart, savePart } from './convert/part-files.js';
import { extractPart, isStructured, runConversion, runTxt, writeParts, type ConvertOutcome } from './convert/run.js';
import { openPdf, selectPages } from './pdf.js';
import { defineTask, TaskError } from './task.js';

export interface ConvertPayload {
  input: string;
  /** Folder the output file is written to (the job's work folder). */
  outputDir: string;
  format: ConvertFormat;
  maxPages: number;
  pages?: PageRange[];
  dpi: number;
  imageFormat: ImageFormat;
  ocr: boolean;
  /** Document title for docx/html metadata (the client's file name without extension). */
  title: string;
  password?: string;
  /**
   * Long html/docx/xlsx conversions are split by the job handler: `extract` steps (each on
   * some pages, in parallel threads) write a part file each, then one `write` step joins
   * them. Absent: the whole conversion in this task.
   */
  step?: 'extract' | 'write';
  /** extract: the part file to write. */
  part?: string;
  /** write: the part files, in page order, and the document's page count. */
  parts?: string[];
  pageCount?: number;
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
export const convert = defineTask(async (p: ConvertPayload, ctx): Promise<ConvertTaskResult | { pages: number }> => {
  const settings = { format: p.format, dpi: p.dpi, imageFormat: p.imageFormat, ocr: p.ocr, title: p.title };
  const output = `converted.${OUTPUT_EXT[p.format]}`;
  const out = path.join(p.outputDir, output);
  if (p.step === 'write') {
    if (!isStructured(p.format) || !p.parts) throw new TaskError('INVALID_OPTIONS', 'A write step needs the parts of an html, docx or xlsx conversion.');
    const parts = [];
    for (const file of p.parts) parts.push(await loadPart(file));
    const outcome = await writeParts(parts, { ...settings, format: p.format }, out);
    await rm(path.dirname(p.parts[0] ?? out), { recursive: true, force: true }).catch(() => {});
    ctx.progress(100, 'done');
    return { ...outcome, page_count: p.pageCount ?? outcome.pages_converted, output };
  }
  if (p.format === 'txt') {
    const source = { input: p.input, maxPages: p.maxPages, ...(p.pages ? { pages: p.pages } : {}), ...(p.password ? { password: p.password } : {}) };
    const outcome = await runTxt(source, settings, out, ctx.progress);
    ctx.progress(100, 'done');
    return { ...outcome, output };
  }
  const { mupdf, doc, pages: pageCount } = await openPdf(p.input, { maxPages: p.maxPages, ...(p.password ? { password: p.password } : {}) });
  try {
    const indexes = selectPages(p.pages, pageCount);
    if (p.step === 'extract') {
      if (!isStructured(p.format) || !p.part) throw new TaskError('INVALID_OPTIONS', 'An extract step needs an html, docx or xlsx conversion and a part file.');
      const part = extractPart(mupdf, doc, indexes, p.format, (n, total) => ctx.progress(Math.round((n / total) * 100), `page ${n}/${total}`));
      await mkdir(path.dirname(p.part), { recursive: true });
      await savePart(part, p.part);
      return { pages: indexes.length };
    }
    const outcome = await runConversion(mupdf, doc, indexes, settings, out, ctx.progress);
    ctx.progress(100, 'done');
    return { ...outcome, page_count: pageCount, output };
  } finally {
    doc.destroy();
  }
});

