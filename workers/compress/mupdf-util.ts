import type * as Mupdf from 'mupdf';

export type MupdfModule = typeof Mupdf;

/**
 * mupdf 1.28.1's PDFDocument.loadImage wraps the owned pointer from pdf_load_image in
 * `new Image(ptr)`, whose constructor keeps it once more: every call leaks one reference and
 * with it the image's compressed data (measured: RSS +7 MB per pass over a 6 MB image PDF,
 * 160 → 369 MB in 40 passes; flat with the extra drop). Worker threads live across jobs, so
 * the leak would accumulate. The check reads the library's own code, so a release that fixes
 * the double keep turns the extra drop off by itself.
 */
let leaks: boolean | undefined;
export function loadImage(mupdf: MupdfModule, doc: Mupdf.PDFDocument, ref: Mupdf.PDFObject): Mupdf.Image {
  leaks ??= /_wasm_keep_image\(data\)/.test(String(mupdf.Image)) && /new Image\(libmupdf\._wasm_pdf_load_image/.test(String(mupdf.PDFDocument.prototype.loadImage));
  const img = doc.loadImage(ref);
  if (leaks) (mupdf.Image as unknown as { _drop(p: number): void })._drop(img.pointer as unknown as number);
  return img;
}

/** The name value of `key` in a dictionary (read through the reference), or undefined. */
export function nameOf(obj: Mupdf.PDFObject, key: string): string | undefined {
  const v = obj.get(key);
  return v.isName() ? v.asName() : undefined;
}

export function numberOf(obj: Mupdf.PDFObject, key: string): number | undefined {
  const v = obj.get(key);
  return v.isNumber() ? v.asNumber() : undefined;
}

/** Filter names of a stream, first to last ([] when unfiltered). */
export function filtersOf(obj: Mupdf.PDFObject): string[] {
  const f = obj.get('Filter');
  if (f.isName()) return [f.asName()];
  const out: string[] = [];
  if (f.isArray()) for (let i = 0; i < f.length; i++) { const e = f.get(i); if (e.isName()) out.push(e.asName()); }
  return out;
}

export function isImageStream(obj: Mupdf.PDFObject): boolean {
  return obj.isStream() && nameOf(obj, 'Subtype') === 'Image';
}

/** Bytes of a MuPDF buffer copied out of the WASM heap; the buffer is freed. */
export function takeBytes(buf: Mupdf.Buffer): Uint8Array {
  const out = buf.asUint8Array().slice();
  buf.destroy();
  return out;
}
