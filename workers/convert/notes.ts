import type { Note } from './types.js';

export interface NoteFacts {
  withoutText?: number[];
  failed?: number[];
  reduced?: number[];
  skippedImages?: number[];
  imagesOmitted?: number;
  noTables?: boolean;
}

const list = (pages: number[]) => (pages.length > 12 ? `${pages.slice(0, 12).join(', ')} … (${pages.length} pages)` : pages.join(', '));

/**
 * What the client should know about the output, as coded notes (result.notes): never a
 * silently empty page, a missing table or a dropped image.
 */
export function notesFor(s: { ocr: boolean; format: string }, f: NoteFacts): Note[] {
  const notes: Note[] = [];
  if (f.withoutText?.length) {
    const ocr = s.ocr
      ? ' OCR found no text on them either (blank pages, or pictures without writing).'
      : ' Send options {"ocr": true} to recognise their text first.';
    const kept = s.format === 'docx' || s.format === 'html' ? ' Images on them are kept.' : '';
    notes.push({ code: 'NO_TEXT_LAYER', message: `Page${f.withoutText.length > 1 ? 's' : ''} ${list(f.withoutText)} ha${f.withoutText.length > 1 ? 've' : 's'} no text layer (scanned or blank).${kept}${ocr}`, pages: f.withoutText });
  }
  if (f.failed?.length) notes.push({ code: 'PAGES_FAILED', message: `Page${f.failed.length > 1 ? 's' : ''} ${list(f.failed)} could not be read and ${f.failed.length > 1 ? 'are' : 'is'} empty in the output.`, pages: f.failed });
  if (f.noTables) notes.push({ code: 'NO_TABLES', message: 'No table was found; the sheet "Text" holds the text lines of the document instead.' });
  if (f.skippedImages?.length) notes.push({ code: 'IMAGES_SKIPPED', message: `Some images on page${f.skippedImages.length > 1 ? 's' : ''} ${list(f.skippedImages)} were left out: too large to decode or unreadable.`, pages: f.skippedImages });
  if (f.imagesOmitted) notes.push({ code: 'IMAGES_OMITTED', message: `${f.imagesOmitted} image(s) were left out of the HTML: inline images are limited to 25 MB per file.` });
  if (f.reduced?.length) notes.push({ code: 'DPI_REDUCED', message: `Page${f.reduced.length > 1 ? 's' : ''} ${list(f.reduced)} ${f.reduced.length > 1 ? 'were' : 'was'} rendered below the requested dpi to stay under 40 megapixels.`, pages: f.reduced });
  return notes;
}
