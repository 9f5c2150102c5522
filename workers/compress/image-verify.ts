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
      // Turned gray on purpose (`grayscale`): only the luminance is held to the source's.
      const gray = r.colorSpace === 'DeviceGray' && source.getColorSpace()?.getNumberOfComponents() !== 1;
      const after = draw(mupdf, img, r.width, r.height, gray);
      const before = draw(mupdf, source, r.width, r.height, gray);
      const s = similarity(before, after, r.width, r.height);
      return { ...s, ok: s.block <= MAX_BLOCK && s.ssim >= MIN_SSIM };
    } finally {
      img.destroy();
    }
  } finally {
    scratch.destroy();
  }
}

/** The image drawn to fill a w×h pixmap on white, as packed RGB (gray: R = G = B). */
export function draw(mupdf: MupdfModule, img: Mupdf.Image, w: number, h: number, gray = false): Uint8Array {
  const pix = new mupdf.Pixmap(gray ? mupdf.ColorSpace.DeviceGray : mupdf.ColorSpace.DeviceRGB, [0, 0, w, h], false);
  try {
    pix.clear(255);
    const dev = new mupdf.DrawDevice(mupdf.Matrix.identity, pix);
    dev.fillImage(img, [w, 0, 0, h, 0, 0], 1);
    dev.close();
    dev.destroy();
    const stride = pix.getStride();
    const px = pix.getPixels();
    const out = new Uint8Array(w * h * 3);
    if (gray) {
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.fill(px[y * stride + x]!, (y * w + x) * 3, (y * w + x) * 3 + 3);
    } else {
      for (let y = 0; y < h; y++) out.set(px.subarray(y * stride, y * stride + w * 3), y * w * 3);
    }
    return out;
  } finally {
    pix.destroy();
  }
}
