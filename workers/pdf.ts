import { readFile } from 'node:fs/promises';
import type * as Mupdf from 'mupdf';
import { resolvePages, type PageRange } from '../src/schemas/pages.js';
import { TaskError } from './task.js';

/**
 * MuPDF is loaded on first use, not at thread start: a thread that only ever runs cheap
 * tasks (the queue benchmark's no-op) then costs no WASM heap.
 */
let mupdfModule: Promise<typeof Mupdf> | undefined;
export function loadMupdf(): Promise<typeof Mupdf> {
  return (mupdfModule ??= import('mupdf'));
}

export interface OpenedPdf {
  mupdf: typeof Mupdf;
  doc: Mupdf.PDFDocument;
  bytes: Buffer;
  pages: number;
}

/**
 * Opens a PDF for processing with the failures users can act on turned into codes:
 * not a PDF → INVALID_PDF, password → ENCRYPTED_PDF, too long → TOO_MANY_PAGES.
 */
export async function openPdf(file: string, opts: { maxPages: number; password?: string }): Promise<OpenedPdf> {
  const mupdf = await loadMupdf();
  const bytes = await readFile(file);
  let doc: Mupdf.Document;
  try {
    doc = mupdf.Document.openDocument(bytes, 'application/pdf');
  } catch (err) {
    throw new TaskError('INVALID_PDF', `The file is not a readable PDF (${engineMessage(err)}).`);
  }
  const pdf = doc.asPDF();
  if (!pdf) {
    doc.destroy();
    throw new TaskError('INVALID_PDF', 'The file is not a PDF.');
  }
  if (pdf.needsPassword()) {
    if (!opts.password || !pdf.authenticatePassword(opts.password)) {
      pdf.destroy();
      throw new TaskError('ENCRYPTED_PDF', opts.password ? 'The password does not open this PDF.' : 'The PDF is password-protected; send its password in the "password" field.');
    }
  }
  let pages: number;
  try {
    pages = pdf.countPages();
  } catch (err) {
    pdf.destroy();
    throw new TaskError('INVALID_PDF', `The PDF's page tree cannot be read (${engineMessage(err)}).`);
  }
  if (pages < 1) {
    pdf.destroy();
    throw new TaskError('INVALID_PDF', 'The PDF has no pages.');
  }
  if (pages > opts.maxPages) {
    pdf.destroy();
    throw new TaskError('TOO_MANY_PAGES', `The PDF has ${pages} pages; the limit is ${opts.maxPages}.`);
  }
  return { mupdf, doc: pdf, bytes, pages };
}

/** MuPDF's own message, short and without paths. */
export function engineMessage(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/(?:\/[\w.@-]+)+/g, '<file>').replace(/\s+/g, ' ').trim().slice(0, 200) || 'unknown error';
}

/** The 0-based pages a selection picks; a page past the end is the client's INVALID_OPTIONS. */
export function selectPages(ranges: PageRange[] | undefined, count: number): number[] {
  try {
    return resolvePages(ranges, count);
  } catch (err) {
    throw new TaskError('INVALID_OPTIONS', (err as Error).message);
  }
}
