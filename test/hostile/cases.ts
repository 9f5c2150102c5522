import { encryptedPdf } from '../helpers/fixtures.js';
import * as H from '../helpers/hostile.js';
import type { Expect } from './harness.js';

/**
 * The hostile files, each with what the service must answer. `codes` are the acceptable
 * refusals or job failures; `ok` marks a valid PDF in hostile clothing, which may simply be
 * processed. `image` overrides the expectation on routes that take images (OCR).
 */
export interface FileCase extends Expect {
  name: string;
  filename?: string;
  data: () => Buffer | Promise<Buffer>;
  /** Extra form fields sent with it (a password). */
  fields?: Record<string, string>;
  image?: Expect;
  /** A route that answers differently (and why), by URL. */
  routes?: Record<string, Expect>;
}

const NOT_A_PDF: Expect = { codes: ['INVALID_FILE_TYPE'] };
const BROKEN: Expect = { codes: ['INVALID_PDF'] };

export const FILE_CASES: FileCase[] = [
  { name: 'empty file', data: H.emptyFile, codes: ['INVALID_PDF'] },
  { name: 'random bytes named .pdf', data: () => H.randomBytes(), ...NOT_A_PDF },
  { name: 'HTML named .pdf', data: H.htmlFile, ...NOT_A_PDF },
  { name: '.docx renamed .pdf', data: H.docxFile, ...NOT_A_PDF },
  { name: 'truncated: header only', data: () => H.truncatedAt(0), ...BROKEN },
  { name: 'truncated at 30%', data: () => H.truncatedAt(0.3), ...BROKEN },
  { name: 'truncated at 60%', data: () => H.truncatedAt(0.6), ...BROKEN },
  { name: 'truncated at 90%', data: () => H.truncatedAt(0.9), ...BROKEN },
  // Every object is there; MuPDF rebuilds the cross-reference table.
  { name: 'truncated: trailer lost', data: () => H.truncatedAt(1), codes: [], ok: true },
  { name: 'broken xref offsets', data: H.brokenXref, codes: [], ok: true },
  { name: 'xref /Prev loop', data: H.xrefLoop, codes: ['INVALID_PDF'], ok: true },
  { name: 'page-tree Kids loop', data: H.pageTreeLoop, ...BROKEN },
  { name: 'arrays nested 100k deep', data: () => H.deeplyNested('array'), ...BROKEN },
  { name: 'dicts nested 100k deep', data: () => H.deeplyNested('dict'), ...BROKEN },
  { name: 'content stream bomb (4 GiB)', data: () => H.contentBomb(), codes: ['PDF_TOO_COMPLEX'] },
  { name: 'font bomb (3 GiB)', data: () => H.fontBomb(), codes: ['PDF_TOO_COMPLEX'] },
  // MuPDF reads only Width × Height samples, but qpdf inflated all 4 GiB (21 s): refused.
  { name: 'image stream bomb (4 GiB)', data: () => H.imageBomb(), codes: ['PDF_TOO_COMPLEX'] },
  // MuPDF refuses to decode it ("image is too large"); the page is processed without it.
  { name: 'image 60000×60000', data: () => H.hugeImage(), codes: [], ok: true },
  // 100 Mpx of real samples: past conversion's 40 Mpx image cap and OCR's 50 Mpx render cap.
  { name: 'image 10000×10000, all its data', data: () => H.hugeImage(10_000, 10_000, { full: true }), codes: [], ok: true },
  { name: 'page 9,000,000 pt wide', data: H.hugePage, codes: ['PROCESSING_FAILED'], ok: true },
  { name: 'form XObject drawing itself', data: H.selfDrawingForm, codes: [], ok: true },
  { name: 'forms nested 8 deep, ×10 each (10⁸ draws)', data: () => H.nestedForms(), codes: ['PDF_TOO_COMPLEX'] },
  { name: '20,000 blank pages', data: () => H.manyBlankPages(), codes: ['TOO_MANY_PAGES'] },
  { name: 'encrypted, no password', data: encryptedPdf, codes: ['ENCRYPTED_PDF'] },
  { name: 'encrypted, wrong password', data: encryptedPdf, fields: { password: 'guess' }, codes: ['ENCRYPTED_PDF'] },
  {
    name: 'encrypted, right password',
    data: encryptedPdf,
    fields: { password: 'secret' },
    codes: [],
    ok: true,
    text: /Page 1 of the test document/,
  },
  { name: 'polyglot: PDF + zip', data: H.pdfZipPolyglot, codes: [], ok: true },
  { name: 'polyglot: HTML + PDF', data: H.pdfHtmlPolyglot, codes: [], ok: true },
  { name: 'PNG declaring 60000×60000', filename: 'scan.png', data: () => H.pngOf(60_000, 60_000, 4), ...NOT_A_PDF, image: { codes: ['INVALID_IMAGE'] } },
  { name: 'PNG cut after its header', filename: 'scan.png', data: H.truncatedPng, ...NOT_A_PDF, image: { codes: ['INVALID_IMAGE'] } },
];
