import { deflateSync } from 'node:zlib';
import type * as Mupdf from 'mupdf';
import { engineMessage } from '../pdf.js';
import { TaskError } from '../task.js';
import { pngPassthrough } from './png.js';
import type { OcrInputKind } from './types.js';
import { decodeWithLeptonica } from './wasm-engine.js';

/**
 * Image uploads become a PDF with one page per image (per TIFF page) at the image's true
 * size, which the rest of the pipeline treats like any scanned PDF.
 *
 * Size comes from the image's resolution metadata (PNG pHYs, JPEG JFIF/EXIF, TIFF and BMP
 * headers) as MuPDF reads it; a file that states none reads as 96 dpi (MuPDF's default, the
 * CSS pixel), and values outside 20–2400 dpi are taken as that default too.
 *
 * Pixels are kept as they are where PDF can hold them: JPEG as DCTDecode (the same bytes),
 * PNG as FlateDecode with PNG predictors (the same IDAT bytes, see png.ts). TIFF, BMP, GIF
 * and PNGs with transparency are decoded by MuPDF and stored losslessly (Flate). WebP, which
 * neither MuPDF nor PDF reads, is decoded by the Leptonica inside tesseract.js and stored as
 * Flate when it was lossless and, when it was lossy, as the smaller of JPEG (quality 90) and
 * Flate: PDF has no WebP filter, so a lossy WebP comes out larger than it went in (a text
 * scan measured 35 KB → 70 KB).
 */
export const DEFAULT_IMAGE_DPI = 96;

export interface ImagePageInfo {
  /** Resolution the page is rendered at for OCR: the image's own, so the engine sees its pixels 1:1. */
  dpi: number;
  /** The resolution came from the file (not the 96 dpi default): passed to the engine as a hint. */
  dpiKnown: boolean;
}

function resolution(image: Mupdf.Image): { dpi: number; known: boolean } {
  const x = image.getXResolution();
  if (!Number.isFinite(x) || x < 20 || x > 2400 || x === DEFAULT_IMAGE_DPI) return { dpi: DEFAULT_IMAGE_DPI, known: false };
  return { dpi: x, known: true };
}

/**
 * The pixmap without its alpha channel, composited over white paper. MuPDF's pixmaps are
 * premultiplied, so each channel becomes value + (255 − alpha).
 */
export function flattenAlpha(mupdf: typeof Mupdf, pix: Mupdf.Pixmap): Mupdf.Pixmap {
  if (!pix.getAlpha()) return pix;
  const n = pix.getNumberOfComponents();
  const out = new mupdf.Pixmap(pix.getColorSpace() ?? mupdf.ColorSpace.DeviceRGB, pix.getBounds() as Mupdf.Rect, false);
  const src = pix.getPixels();
  const dst = out.getPixels(); // a view of the pixmap's own memory
  for (let i = 0, o = 0; i < src.length; i += n) {
    const white = 255 - src[i + n - 1]!;
    for (let c = 0; c < n - 1; c++) dst[o++] = src[i + c]! + white;
  }
  out.setResolution(pix.getXResolution(), pix.getYResolution());
  return out;
}

/**
 * An RGB pixmap whose pixels are all gray (R = G = B within `tolerance`) as a gray one: a
 * third of the samples to compress. Scans saved as 24-bit BMP or decoded from WebP are.
 */
export function grayIfNeutral(mupdf: typeof Mupdf, pix: Mupdf.Pixmap, tolerance: number): Mupdf.Pixmap {
  if (pix.getAlpha() || pix.getNumberOfComponents() !== 3) return pix;
  const p = pix.getPixels();
  for (let i = 0; i < p.length; i += 3) {
    if (Math.abs(p[i]! - p[i + 1]!) > tolerance || Math.abs(p[i]! - p[i + 2]!) > tolerance) return pix;
  }
  return pix.convertToColorSpace(mupdf.ColorSpace.DeviceGray, false);
}

/**
 * A decoded image (TIFF, BMP, GIF, PNG that cannot pass through) stored losslessly. Real
 * transparency keeps MuPDF's soft mask; an alpha channel that is fully opaque (BMPs decode
 * as RGBA) is dropped, and neutral RGB becomes gray.
 */
function embedDecoded(mupdf: typeof Mupdf, doc: Mupdf.PDFDocument, image: Mupdf.Image): Mupdf.PDFObject {
  const pix = image.toPixmap();
  if (pix.getAlpha()) {
    const n = pix.getNumberOfComponents();
    const samples = pix.getPixels();
    for (let i = n - 1; i < samples.length; i += n) if (samples[i] !== 255) return doc.addImage(image);
  }
  const plain = grayIfNeutral(mupdf, flattenAlpha(mupdf, pix), 0);
  return plain === pix ? doc.addImage(image) : doc.addImage(new mupdf.Image(plain));
}

/**
 * MuPDF tags every image it embeds with its own default ICC profile (Artifex sGray/sRGB,
 * ~3 KB) when the file carries none; the Device colour space means the same thing in
 * every reader at no cost. A profile that came with the image is kept.
 */
function dropDefaultProfile(doc: Mupdf.PDFDocument, ref: Mupdf.PDFObject): Mupdf.PDFObject {
  const cs = ref.resolve().get('ColorSpace');
  if (!cs.isArray() || cs.get(0).asName() !== 'ICCBased') return ref;
  const profile = cs.get(1);
  if (!profile.isStream() || !Buffer.from(profile.readStream().asUint8Array()).includes('Artifex Software')) return ref;
  const device = { 1: 'DeviceGray', 3: 'DeviceRGB', 4: 'DeviceCMYK' }[profile.get('N').asNumber()];
  if (device) ref.resolve().put('ColorSpace', doc.newName(device));
  return ref;
}

function addImagePage(doc: Mupdf.PDFDocument, ref: Mupdf.PDFObject, width: number, height: number, dpi: number): void {
  const w = (width * 72) / dpi;
  const h = (height * 72) / dpi;
  const num = (n: number) => (Math.round(n * 1000) / 1000).toString();
  const page = doc.addPage([0, 0, w, h], 0, { XObject: { Im0: ref } }, `q ${num(w)} 0 0 ${num(h)} 0 0 cm /Im0 Do Q`);
  doc.insertPage(-1, page);
}

/** WebP's first chunk says whether it is lossy (VP8), lossless (VP8L) or extended (VP8X: look further). */
function webpIsLossless(bytes: Buffer): boolean {
  for (let pos = 12; pos + 8 <= bytes.length; ) {
    const type = bytes.toString('latin1', pos, pos + 4);
    if (type === 'VP8L') return true;
    if (type === 'VP8 ') return false;
    pos += 8 + bytes.readUInt32LE(pos + 4) + (bytes.readUInt32LE(pos + 4) % 2);
  }
  return false;
}

export async function buildImagePdf(
  mupdf: typeof Mupdf,
  bytes: Buffer,
  kind: Exclude<OcrInputKind, 'pdf'>,
  opts: { maxPages: number; langs: readonly string[] },
): Promise<{ pdf: Buffer; pages: ImagePageInfo[] }> {
  const doc = new mupdf.PDFDocument();
  const pages: ImagePageInfo[] = [];
  try {
    const add = (image: Mupdf.Image, ref: Mupdf.PDFObject) => {
      const { dpi, known } = resolution(image);
      addImagePage(doc, dropDefaultProfile(doc, ref), image.getWidth(), image.getHeight(), dpi);
      pages.push({ dpi, dpiKnown: known });
    };
    if (kind === 'tiff') {
      const tiff = mupdf.Document.openDocument(bytes, 'image/tiff');
      try {
        const count = tiff.countPages();
        if (count > opts.maxPages) throw new TaskError('TOO_MANY_PAGES', `The TIFF has ${count} pages; the limit is ${opts.maxPages}.`);
        for (let i = 0; i < count; i++) {
          const page = tiff.loadPage(i);
          let image: Mupdf.Image | undefined;
          page.toStructuredText('preserve-images').walk({ onImageBlock: (_bbox, _m, img) => (image ??= img) });
          if (!image) throw new TaskError('INVALID_IMAGE', `TIFF page ${i + 1} holds no image.`);
          add(image, embedDecoded(mupdf, doc, image));
        }
      } finally {
        tiff.destroy();
      }
    } else if (kind === 'webp') {
      const png = await decodeWithLeptonica(bytes, opts.langs);
      const decoded = new mupdf.Image(png);
      let ref: Mupdf.PDFObject | undefined;
      if (webpIsLossless(bytes)) ref = pngPassthrough(doc, png);
      else {
        // Whichever is smaller of JPEG q90 and lossless Flate: text scans often favour Flate.
        const pix = grayIfNeutral(mupdf, flattenAlpha(mupdf, decoded.toPixmap()), 8);
        const jpeg = Buffer.from(pix.asJPEG(90));
        const samples = pix.getPixels();
        const flate = deflateSync(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), { level: 6 }).length;
        ref = doc.addImage(flate < jpeg.length ? new mupdf.Image(pix) : new mupdf.Image(jpeg));
      }
      const w = decoded.getWidth();
      const h = decoded.getHeight();
      addImagePage(doc, dropDefaultProfile(doc, ref ?? embedDecoded(mupdf, doc, decoded)), w, h, DEFAULT_IMAGE_DPI);
      pages.push({ dpi: DEFAULT_IMAGE_DPI, dpiKnown: false });
    } else {
      const image = new mupdf.Image(bytes);
      const ref = kind === 'jpeg' ? doc.addImage(image) : ((kind === 'png' ? pngPassthrough(doc, bytes) : undefined) ?? embedDecoded(mupdf, doc, image));
      add(image, ref);
    }
    return { pdf: Buffer.from(doc.saveToBuffer('compress').asUint8Array()), pages };
  } catch (err) {
    if (err instanceof TaskError) throw err;
    throw new TaskError('INVALID_IMAGE', `The image could not be decoded (${engineMessage(err)}).`);
  } finally {
    doc.destroy();
  }
}
