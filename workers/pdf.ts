import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type * as Mupdf from 'mupdf';
import { resolvePages, type PageRange } from '../src/schemas/pages.js';
import { checkDecodedSize } from './decoded-budget.js';
import { loadMupdf } from './mupdf.js';
import { engineMessage, TaskError } from './task.js';

export { loadMupdf } from './mupdf.js';
export { engineMessage } from './task.js';

export interface OpenedPdf {
  mupdf: typeof Mupdf;
  doc: Mupdf.PDFDocument;
  /** The file's size in bytes (its bytes are read from the file as MuPDF needs them). */
  size: number;
  pages: number;
  /**
   * A password opened it. Ask this, not doc.needsPassword(): MuPDF answers that by trying
   * the empty password, which replaces the key the real one derived, and every stream read
   * after it decrypts to garbage.
   */
  unlocked: boolean;
}

/**
 * Opens a PDF for processing with the failures users can act on turned into codes:
 * not a PDF → INVALID_PDF, password → ENCRYPTED_PDF, too long → TOO_MANY_PAGES.
 */
export async function openPdf(file: string, opts: { maxPages: number; password?: string }): Promise<OpenedPdf> {
  const mupdf = await loadMupdf();
  const size = (await stat(file)).size;
  let doc: Mupdf.Document;
  try {
    doc = openFile(mupdf, file);
  } catch (err) {
    throw new TaskError('INVALID_PDF', `The file is not a readable PDF (${engineMessage(err)}).`);
  }
  const pdf = doc.asPDF();
  if (!pdf) {
    doc.destroy();
    throw new TaskError('INVALID_PDF', 'The file is not a PDF.');
  }
  const unlocked = pdf.needsPassword();
  if (unlocked) {
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
  try {
    await checkDecodedSize(pdf, size, checkPageTree(pdf, pages));
  } catch (err) {
    pdf.destroy();
    throw err;
  }
  return { mupdf, doc: pdf, size, pages, unlocked };
}

/** Opens a PDF file that MuPDF reads as it needs it (see FileSource). */
export function openFile(mupdf: typeof Mupdf, file: string): Mupdf.Document {
  const stream = new mupdf.Stream(new FileSource(file));
  try {
    return mupdf.Document.openDocument(stream, 'application/pdf');
  } finally {
    stream.destroy(); // the document holds its own reference; the file closes with it
  }
}

/**
 * A file MuPDF reads as it needs it, through a file descriptor, instead of a copy of the
 * whole file in JavaScript memory and another in its WebAssembly heap: a 1 GB upload was
 * 1.1 GB of RSS in the probe thread (and past the heap cap) as a buffer, a few MB this way.
 * MuPDF closes it when the document (or a failed open) drops the stream.
 */
class FileSource {
  private fd: number | undefined;
  private readonly size: number;

  constructor(file: string) {
    this.fd = openSync(file, 'r');
    this.size = fstatSync(this.fd).size;
  }

  fileSize(): number {
    return this.size;
  }

  read(memory: Uint8Array, offset: number, length: number, position: number): number {
    if (this.fd === undefined) return 0;
    return readSync(this.fd, memory, offset, Math.max(0, Math.min(length, this.size - position)), position);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Every page the page tree counts must be there. MuPDF opens a truncated file by repairing
 * it and then shows each lost page as a blank Letter page (a cut-off upload would be
 * "processed" with pages silently gone), and meets a Kids loop only when it looks that page
 * up. ~0.1 ms a page (refman.pdf, 2,415 pages: 265 ms; 20,000 blank pages: 112 ms).
 */
function checkPageTree(doc: Mupdf.PDFDocument, pages: number): Mupdf.PDFObject[] {
  const found: Mupdf.PDFObject[] = [];
  for (let i = 0; i < pages; i++) {
    let page: Mupdf.PDFObject;
    try {
      page = doc.findPage(i);
    } catch (err) {
      throw new TaskError('INVALID_PDF', `The PDF's page tree cannot be read (${engineMessage(err)}).`);
    }
    if (!page.isDictionary()) throw new TaskError('INVALID_PDF', `Page ${i + 1} of ${pages} is missing: the file is damaged or was cut off.`);
    found.push(page);
  }
  return found;
}

/** The 0-based pages a selection picks; a page past the end is the client's INVALID_OPTIONS. */
export function selectPages(ranges: PageRange[] | undefined, count: number): number[] {
  try {
    return resolvePages(ranges, count);
  } catch (err) {
    throw new TaskError('INVALID_OPTIONS', (err as Error).message);
  }
}
