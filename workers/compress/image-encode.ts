import { deflateSync } from 'node:zlib';
import type * as Mupdf from 'mupdf';
import type { Settings } from './levels.js';
import type { ImageUse } from './image-usage.js';
import { filtersOf, loadImage, nameOf, type MupdfModule } from './mupdf-util.js';
import { encodeJpeg } from './jpeg-encoder.js';

/** Filters whose images are bitonal or otherwise better left alone (JBIG2 and CCITT are 1-bit). */
const KEEP_FILTERS = new Set(['JBIG2Decode', 'CCITTFaxDecode']);
const LOSSY_FILTERS = new Set(['DCTDecode', 'JPXDecode']);

export type ImageOutcome = 'recompressed' | 'kept' | 'skipped';

/** A re-encoded image, not yet written. */
export interface EncodedImage {
  /** Raw stream length before. */
  before: number;
  /** Compressed length after. */
  after: number;
  width: number;
  height: number;
  /** Set when the samples were converted (grayscale option, CMYK → RGB). */
  colorSpace: 'DeviceGray' | 'DeviceRGB' | undefined;
  type: 'Gray' | 'RGB' | 'CMYK';
  encoded: Encoded;
}

/**
 * Re-encodes one image XObject in place, through its reference (never resolve() then write:
 * with garbage≥2 that drops fonts and forms in some pdfTeX files). The new stream replaces
 * the old only when it is smaller.
 */
export function recompressImage(mupdf: MupdfModule, doc: Mupdf.PDFDocument, num: number, use: ImageUse, s: Settings, role: 'image' | 'smask'): ImageOutcome {
  const ref = doc.newIndirect(num);
  const out = encodeImage(mupdf, doc, ref, use, s, role);
  if (out === 'skipped' || out === 'kept') return out;
  const { encoded: e } = out;
  // A Flate result is re-deflated by the lossless pass too, keeping the smaller (lossless.ts).
  ref.writeRawStream(e.data);
  ref.put('Filter', doc.newName(e.filter));
  ref.delete('DecodeParms');
  ref.delete('Decode');
  ref.delete('SMaskInData');
  ref.put('Width', out.width);
  ref.put('Height', out.height);
  ref.put('BitsPerComponent', 8);
  if (out.colorSpace) ref.put('ColorSpace', doc.newName(out.colorSpace));
  else if (!ref.get('ColorSpace').isName() && !ref.get('ColorSpace').isArray()) ref.put('ColorSpace', doc.newName(`Device${out.type}`));
  return 'recompressed';
}

/**
 * The image drawn by MuPDF's scaler at the size its largest use needs, in its own colour
 * space (so ICC, CMYK and gray stay what they are; `grayscale` is the only conversion), then
 * encoded as JPEG or, when smaller, as Flate: flat graphics and screenshots are smaller and
 * exact lossless. 'kept' when the result would not be smaller. Nothing is written.
 */
export function encodeImage(mupdf: MupdfModule, doc: Mupdf.PDFDocument, ref: Mupdf.PDFObject, use: ImageUse, s: Settings, role: 'image' | 'smask'): EncodedImage | 'kept' | 'skipped' {
  if (!eligible(ref)) return 'skipped';
  const filters = filtersOf(ref);
  const raw = ref.readRawStream();
  const before = raw.getLength();
  raw.destroy();
  let img: Mupdf.Image;
  try {
    img = loadImage(mupdf, doc, ref);
  } catch {
    return 'skipped';
  }
  try {
    const cs = img.getColorSpace();
    const type = cs?.getType();
    if (!cs || img.getImageMask() || !(type === 'Gray' || type === 'RGB' || type === 'CMYK')) return 'skipped';
    const toGray = role === 'image' && s.grayscale && type !== 'Gray';
    // CMYK becomes RGB, as Ghostscript's /ebook and /screen do: these levels target screens,
    // and a 4-channel full-resolution JPEG is ~5× a 4:2:0 RGB one (fixture: 71 KB vs 14 KB).
    const toRgb = !toGray && type === 'CMYK';
    const [w, h] = [img.getWidth(), img.getHeight()];
    const scale = Math.max((use.w / 72) * s.ppi / w, (use.h / 72) * s.ppi / h);
    const downsample = scale * s.threshold < 1;
    const [tw, th] = downsample ? [Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale))] : [w, h];
    const lossySource = filters.some((f) => LOSSY_FILTERS.has(f));
    // Re-encoding a JPEG at its own size only loses a generation: worth it for ≥ 20 % less.
    const limit = !downsample && !toGray && lossySource ? before * 0.8 : before;
    const pix = new mupdf.Pixmap(toGray ? mupdf.ColorSpace.DeviceGray : toRgb ? mupdf.ColorSpace.DeviceRGB : cs, [0, 0, tw, th], false);
    try {
      pix.clear(255);
      const dev = new mupdf.DrawDevice(mupdf.Matrix.identity, pix);
      dev.fillImage(img, [tw, 0, 0, th, 0, 0], 1);
      dev.close();
      dev.destroy();
      const encoded = encode(pix, s.quality, role === 'smask' || !lossySource, role === 'smask' ? 0.5 : 1, downsample || toGray || toRgb);
      if (encoded === 'kept' || encoded.data.length >= limit) return 'kept';
      return { before, after: encoded.data.length, width: tw, height: th, colorSpace: toGray ? 'DeviceGray' : toRgb ? 'DeviceRGB' : undefined, type, encoded };
    } finally {
      pix.destroy();
    }
  } finally {
    img.destroy();
  }
}

/** Images we can decode and re-encode without changing what they mean. */
function eligible(ref: Mupdf.PDFObject): boolean {
  if (ref.get('ImageMask').isBoolean() && ref.get('ImageMask').asBoolean()) return false;
  const bpc = ref.get('BitsPerComponent');
  if (bpc.isNumber() && bpc.asNumber() === 1) return false; // bitonal scans: CCITT/JBIG2/Flate already fit
  if (ref.get('Mask').isArray()) return false; // colour-key masking needs exact sample values
  if (filtersOf(ref).some((f) => KEEP_FILTERS.has(f))) return false;
  const smask = ref.get('SMask');
  if (smask.isIndirect() && smask.get('Matte').isArray()) return false; // pre-multiplied: sizes must match
  if (nameOf(ref, 'Subtype') !== 'Image') return false;
  return true;
}

interface Encoded {
  data: Uint8Array;
  filter: 'DCTDecode' | 'FlateDecode';
  /** The decoded samples (what a Flate stream holds). */
  samples: Uint8Array;
}

/**
 * JPEG at `quality`; Flate of the samples too when the source was lossless and a sample of
 * rows says Flate may win (flat graphics and screenshots come out smaller and exact; noisy
 * photos are 5–10× larger, and deflating all of a 15 MB photo costs ~0.5–1 s, so the
 * sample keeps it to those likely to win). JPEG must beat Flate by `jpegFactor`: soft masks
 * use 0.5, since JPEG ringing on a hard alpha edge shows as a halo; smooth fades, where JPEG
 * wins by far more (a radial fade: 40 KB Flate, 9 KB JPEG), still get it.
 */
function encode(pix: Mupdf.Pixmap, quality: number, tryFlate: boolean, jpegFactor: number, resampled: boolean): Encoded | 'kept' {
  const raw = samples(pix);
  const estimate = tryFlate ? estimateFlate(raw) : Infinity;
  // Deflating to under 15 % of the samples means flat graphics (screenshots, charts): JPEG
  // would blur their edges and rarely be smaller. Not resampled, they are left to the lossless
  // pass; a KiCad manual printed by Chromium (153 pages of screenshots) spent 9 s in JPEG
  // trials that all lost.
  if (estimate < raw.length * 0.15) return resampled ? { data: deflateSync(raw, { level: 6 }), filter: 'FlateDecode', samples: raw } : 'kept';
  const jpeg = toJpeg(pix, raw, quality);
  if (estimate * jpegFactor < jpeg.length * 1.3) {
    const flate = deflateSync(raw, { level: 6 });
    if (flate.length * jpegFactor <= jpeg.length) return { data: flate, filter: 'FlateDecode', samples: raw };
  }
  return { data: jpeg, filter: 'DCTDecode', samples: raw };
}

/**
 * RGB through our 4:2:0 encoder (20–35 % smaller than MuPDF's 4:4:4 at the same luma PSNR);
 * gray and CMYK through MuPDF's progressive one (for gray 4 % smaller than ours). For CMYK,
 * invert_cmyk=false: measured, MuPDF's PDF DCT decoder then reads it back unchanged (mean
 * error 0.66/255); true inverts every sample.
 */
function toJpeg(pix: Mupdf.Pixmap, raw: Uint8Array, quality: number): Uint8Array {
  if (pix.getNumberOfComponents() === 3) return encodeJpeg({ width: pix.getWidth(), height: pix.getHeight(), components: 3, samples: raw }, quality);
  return pix.asJPEG(quality, false).slice();
}

/** Deflated size of the samples, extrapolated from 8 evenly spaced 16 KB slices. */
function estimateFlate(raw: Uint8Array): number {
  const slice = 16_384;
  if (raw.length <= slice * 8) return deflateSync(raw, { level: 6 }).length;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const at = Math.floor((i * (raw.length - slice)) / 7);
    sum += deflateSync(raw.subarray(at, at + slice), { level: 6 }).length;
  }
  return (sum / (8 * slice)) * raw.length;
}

/** The pixmap's samples without row padding (MuPDF pixmaps are packed: stride = w·n). */
function samples(pix: Mupdf.Pixmap): Uint8Array {
  const px = pix.getPixels();
  const row = pix.getWidth() * pix.getNumberOfComponents();
  if (pix.getStride() === row) return new Uint8Array(px.buffer, px.byteOffset, row * pix.getHeight()).slice();
  const out = new Uint8Array(row * pix.getHeight());
  for (let y = 0; y < pix.getHeight(); y++) out.set(px.subarray(y * pix.getStride(), y * pix.getStride() + row), y * row);
  return out;
}
