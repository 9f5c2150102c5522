import type * as Mupdf from 'mupdf';
import type { MupdfModule } from './mupdf-util.js';

/** An image's samples as MuPDF decodes them (Decode array, predictor, bit depth applied). */
export interface SourcePixels {
  width: number;
  height: number;
  channels: 1 | 3;
  /** Packed rows, `channels` bytes a pixel, no alpha, no padding. */
  data: Uint8Array;
  /**
   * The /ColorSpace the samples are in when it is not the image's own entry: a Device space
   * after a conversion (CMYK, Lab, Indexed, `grayscale`). Undefined: the entry stays as it is
   * (Gray or RGB, Device, Cal or ICC: the profile object is kept with the samples it
   * describes).
   */
  colorSpace?: 'DeviceGray' | 'DeviceRGB';
}

/** Declared spaces whose samples are plain Gray or RGB values: kept as they are. */
const KEEPABLE = new Set(['DeviceGray', 'DeviceRGB', 'CalGray', 'CalRGB', 'ICCBased', 'G', 'RGB']);

/**
 * Decodes an image through MuPDF and hands its samples over in a space we can write as an
 * 8-bit JPEG or Flate stream: 1 or 3 components. Returns a reason string instead when the
 * image is better left alone: spot colours (Separation, DeviceN: converting them loses the
 * ink), Lab, or a pixmap with alpha (colour-key masks and JPX alpha, which a rewrite would drop).
 *
 * Every size used below is the pixmap's own (width, height, components, stride), never the
 * dictionary's or the colour space's: the garbled pages of issue #17 came from trusting one
 * and writing the other (MuPDF's JPEG writer turned a 1-component ICCBased gray pixmap into a
 * 3-component JPEG, which readers then took for 3× as many gray samples a row).
 */
export function decodeSource(mupdf: MupdfModule, img: Mupdf.Image, ref: Mupdf.PDFObject, toGray: boolean): SourcePixels | string {
  if (img.getImageMask()) return 'stencil mask';
  const cs = img.getColorSpace();
  if (!cs) return 'no colour space';
  const type = cs.getType();
  if (type === 'Separation' || cs.isDeviceN()) return 'spot colours';
  let pix = img.toPixmap();
  try {
    if (pix.getAlpha()) return 'has alpha';
    const pcs = pix.getColorSpace();
    if (!pcs) return 'no colour space';
    // Lab (also as an Indexed base) holds colours RGB cannot: converted, they clip, and a gray
    // rendering of the page then differs (matrix fixture: 46/255 in a block). Rare; left alone.
    if (pcs.isLab()) return 'Lab';
    const keep = declaredName(ref) !== undefined && KEEPABLE.has(declaredName(ref)!) && (pcs.getType() === 'Gray' || (pcs.getType() === 'RGB' && !toGray));
    if (!keep) {
      const target = toGray || pcs.getNumberOfComponents() === 1 ? mupdf.ColorSpace.DeviceGray : mupdf.ColorSpace.DeviceRGB;
      const converted = pix.convertToColorSpace(target, false);
      pix.destroy();
      pix = converted;
    }
    const n = pix.getNumberOfComponents();
    if (n !== 1 && n !== 3) return `unexpected ${n} components`;
    if (pix.getAlpha() || n !== pix.getColorSpace()?.getNumberOfComponents()) return 'components do not match the colour space';
    const out: SourcePixels = { width: pix.getWidth(), height: pix.getHeight(), channels: n, data: packed(pix, n) };
    if (!keep) out.colorSpace = n === 1 ? 'DeviceGray' : 'DeviceRGB';
    return out;
  } finally {
    pix.destroy();
  }
}

/** The colour space family the dictionary declares (the array's first name), if any. */
export function declaredName(ref: Mupdf.PDFObject): string | undefined {
  const cs = ref.get('ColorSpace');
  if (cs.isName()) return cs.asName();
  if (cs.isArray() && cs.length > 0 && cs.get(0).isName()) return cs.get(0).asName();
  return undefined;
}

function packed(pix: Mupdf.Pixmap, n: number): Uint8Array {
  const [w, h, stride] = [pix.getWidth(), pix.getHeight(), pix.getStride()];
  const px = pix.getPixels();
  const row = w * n;
  if (stride < row) throw new Error(`pixmap stride ${stride} below ${w}×${n}`);
  const out = new Uint8Array(row * h);
  if (stride === row) out.set(px.subarray(0, row * h));
  else for (let y = 0; y < h; y++) out.set(px.subarray(y * stride, y * stride + row), y * row);
  return out;
}
