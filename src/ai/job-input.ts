import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import type { FileJobContext, FileJobInput } from '../jobs/types.js';
import { runOcr } from '../ocr/pipeline.js';
import { TaskFailure } from '../errors.js';
import type { PageText } from '../../workers/extract-text.js';

/** Where an AI job's text came from: a JSON body (stored as input-0) or an uploaded PDF. */
export type TextSource = 'text' | 'pdf';

export interface DocumentText {
  text: string;
  source: TextSource;
  /** The uploaded PDF's (sanitised) name; undefined for JSON text. */
  filename?: string;
  pageCount?: number;
  pages?: PageText[];
  /** Pages with no text even after OCR (blank pages, pictures): listed so clients know. */
  pagesWithoutText?: number[];
}

export interface ReadOptions {
  /** For OCR of pages without a text layer. */
  config: Config;
  maxPages: number;
  /** Longer text fails TEXT_TOO_LARGE: bounds the calls (and the bill) one job can make. */
  maxChars: number;
  /** Fail NO_TEXT when the document has no text at all (summaries, translations, extraction). */
  requireText: boolean;
}

/**
 * The text an AI job works on. JSON submissions stored it as a UTF-8 file; PDFs go through
 * the shared extractText pool task (MuPDF, in a worker thread: never on this thread), and
 * their pages are joined with blank lines so page ends count as paragraph breaks.
 */
export async function readDocumentText(ctx: FileJobContext, opts: ReadOptions): Promise<DocumentText> {
  const input = ctx.job.input as FileJobInput;
  const file = input.files[0];
  if (!file) throw new TaskFailure('INTERNAL_ERROR', 'AI job without an input file.', false);
  const inputPath = path.join(ctx.inputDir, file.stored);
  let doc: DocumentText;
  if (input.options.source === 'text') {
    doc = { text: await readFile(inputPath, 'utf8'), source: 'text' };
  } else {
    ctx.progress({ percent: 2, stage: 'extracting text' });
    const extracted = await ctx.pool.run(
      'extractText',
      { input: inputPath, maxPages: opts.maxPages },
      { signal: ctx.signal, onProgress: (p) => ctx.progress({ percent: Math.round(p.percent / 5), stage: `extracting text: ${p.stage}` }) },
    );
    const missing = extracted.pages.filter((p) => !p.hasText).map((p) => p.page);
    if (missing.length) {
      // Scanned pages are read with OCR (the installed default language, eng) rather than
      // left out of the summary or translation.
      ctx.progress({ percent: 20, stage: `OCR of ${missing.length} page${missing.length > 1 ? 's' : ''} without text` });
      const ocr = await runOcr(ctx, opts.config, {
        input: inputPath,
        kind: 'pdf',
        language: 'eng',
        dpi: 300,
        pages: missing.map((p) => ({ from: p, to: p })),
        skipText: true,
        rotatePages: true, // a page scanned sideways is read upright, as the OCR job does
        progressSpan: [20, 60],
      });
      for (const r of ocr.results) {
        const page = extracted.pages.find((p) => p.page === r.page);
        if (page && /\S/.test(r.text)) Object.assign(page, { text: r.text.trim(), hasText: true });
      }
    }
    doc = {
      text: extracted.pages.filter((p) => p.hasText).map((p) => p.text).join('\n\n'),
      source: 'pdf',
      filename: file.name,
      pageCount: extracted.pageCount,
      pages: extracted.pages,
      pagesWithoutText: extracted.pages.filter((p) => !p.hasText).map((p) => p.page),
    };
  }
  if (opts.requireText && !/\S/.test(doc.text)) {
    const hint = doc.source === 'pdf' ? ' The PDF has no text layer (a scan?): run it through OCR (POST /api/ocr) first.' : '';
    throw new TaskFailure('NO_TEXT', `The document contains no text.${hint}`, false);
  }
  if (doc.text.length > opts.maxChars) {
    throw new TaskFailure('TEXT_TOO_LARGE', `The document has ${doc.text.length} characters of text; the limit for AI jobs is ${opts.maxChars}.`, false);
  }
  return doc;
}

/** The PDF-specific fields every AI result carries. */
export function documentFields(doc: DocumentText): Record<string, unknown> {
  if (doc.source === 'text') return { source: 'text', input_chars: doc.text.length };
  return {
    source: 'pdf',
    input_chars: doc.text.length,
    original_filename: doc.filename,
    page_count: doc.pageCount,
    pages_without_text: doc.pagesWithoutText,
  };
}

/** The options a route stored with the job (validated there). */
export function jobOptions<T>(ctx: FileJobContext): T {
  return (ctx.job.input as FileJobInput).options as T;
}
