import type * as Mupdf from 'mupdf';
import { loadImage, type MupdfModule } from './mupdf-util.js';
import { similarity, type Similarity } from './image-compare.js';

/** A re-encoded image stream and the dictionary entries that change with it. */
export interface Rewrite {
  data: Uint8Array;
  filter: 'DCTDecode' | 'FlateDecode';
  width: number;
  height: number;
  /** Absent: the image's own /ColorSpace entry stays. */
  colorSpace?: 'DeviceGray' | 'DeviceRGB';
}

export interface Check extends Similarity {
  ok: boolean;
}

/**
 * Limits, measured (test/workers/compress-verify.test.ts builds the same cases) on a 300-ppi
 * RGB photo, a gray photo and a gray text scan, resampled to 50–10 % of their size and
 * encoded at q10–q95, source drawn by MuPDF's scaler, rewrite by sharp's:
 * - honest rewrites: block ≤ 27.7 (q10, colour photo; ≤ 8.9 from q50 up), SSIM ≥ 0.78 (q10;
 *   ≥ 0.89 from q50 up);
 * - content shifted sideways by 5 % of the width: block 41–154 (SSIM stays 0.77–0.94 on smooth
 *   photos, so the block measure is the one that catches it there);
 * - a stride/components mismatch (issue #17: a 3-component JPEG under a 1-component colour
 *   space, or rows read 3× too wide): block 59–188, SSIM ≤ 0.31 on gray images;
 * - inverted colours block ≥ 225; a flat gray image block ≥ 112.
 * The limits sit between the two groups; a failing rewrite only means the image keeps its bytes.
 */
export const MAX_BLOCK = 34;
export const MIN_SSIM = 0.6;

/**
 * Decodes the rewrite exactly as a reader will (MuPDF, the final dictionary, in a scratch
 * document so the real one is untouched until it passes) and compares it with the source
 * image drawn by MuPDF at the same size, both in RGB on white.
 */
export function verifyRewrite(mupdf: MupdfModule, ref: Mupdf.PDFObject, source: Mupdf.Image, r: Rewrite): Check {
  const scratch = new mupdf.PDFDocument();
  try {
    const dict = scratch.newDictionary();
    dict.put('Type', scratch.newName('XObject'));
    dict.put('Subtype', scratch.newName('Image'));
    dict.put('Width', r.width);
    dict.put('Height', r.height);
    dict.put('BitsPerComponent', 8);
    dict.put('Filter', scratch.newName(r.filter));
    dict.put('ColorSpace', r.colorSpace ? scratch.newName(r.colorSpace) : scratch.graftObject(ref.get('ColorSpace')));
    const obj = scratch.addRawStream(r.data, dict);
    const img = loadImage(mupdf, scratch, obj);
    try {
      // Gray images, and colour ones turned gray on purpose (`grayscale`), are compared in gray.
      const gray = r.colorSpace === 'DeviceGray' || source.getColorSpace()?.getNumberOfComponents() === 1;
      const [w, h] = checkSize(r.width, r.height);
      const s = similarity(draw(mupdf, source, w, h, gray), draw(mupdf, img, w, h, gray), w, h, gray ? 1 : 3);
      return { ...s, ok: s.block <= MAX_BLOCK && s.ssim >= MIN_SSIM };
    } finally {
      img.destroy();
    }
  } finally {
    scratch.destroy();
  }
}

/**
 * Large rewrites are compared at a reduced size, both sides drawn there by MuPDF: up to
 * CHECK_PIXELS a 2.2-megapixel page scan costs ~40 ms instead of ~150, and the faults the
 * check is for (whole regions shifted, repeated, inverted, missing) span far more than the
 * 2–3 pixels merged into one.
 */
const CHECK_PIXELS = 600_000;

function checkSize(w: number, h: number): [number, number] {
  const f = Math.min(1, Math.sqrt(CHECK_PIXELS / (w * h)));
  return [Math.max(1, Math.round(w * f)), Math.max(1, Math.round(h * f))];
}

/** The image drawn to fill a w×h pixmap on white: packed gray or RGB samples. */
export function draw(mupdf: MupdfModule, img: Mupdf.Image, w: number, h: number, gray = false): Uint8Array {
  const n = gray ? 1 : 3;
  const pix = new mupdf.Pixmap(gray ? mupdf.ColorSpace.DeviceGray : mupdf.ColorSpace.DeviceRGB, [0, 0, w, h], false);
  try {
    pix.clear(255);
    const dev = new mupdf.DrawDevice(mupdf.Matrix.identity, pix);
    dev.fillImage(img, [w, 0, 0, h, 0, 0], 1);
    dev.close();
    dev.destroy();
    const stride = pix.getStride();
    const px = pix.getPixels();
    const out = new Uint8Array(w * h * n);
    for (let y = 0; y < h; y++) out.set(px.subarray(y * stride, y * stride + w * n), y * w * n);
    return out;
  } finally {
    pix.destroy();
  }
}
