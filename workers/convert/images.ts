import type * as Mupdf from 'mupdf';

/**
 * Images larger than this are left out rather than decoded: a hostile 60,000 × 60,000 image
 * would need 10 GB of pixels in a 4 GB WASM heap. 40 Mpx covers a 300 dpi A3 scan.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;

/** Below this an image stays PNG whatever it shows (icons, small figures). */
const JPEG_MIN_PIXELS = 250_000;
/** From this size continuous-tone images are JPEG even when mostly flat (a scanned page is mostly white paper). */
const SCAN_PIXELS = 4_000_000;

export interface EncodedImage {
  data: Uint8Array;
  type: 'png' | 'jpg';
  width: number;
  height: number;
}

/**
 * Photos and page scans go out as JPEG at quality 85; screenshots, diagrams and bilevel
 * scans as PNG. MuPDF.js does not expose an image's own encoding, so the pixels decide: in
 * a screenshot most pixels equal their right-hand neighbour, in a photo noise makes that
 * rare. Measured on the corpus (PNG vs JPEG): a 512×512 photo 614 KB vs 64 KB; a kicad
 * screenshot (84 % flat) 25 KB vs 56 KB and blurred; a 2550×3300 gray scan (mostly white,
 * so "flat") 2.0 MB in 3.9 s vs 1.2 MB in 1.7 s, hence the size rule; a 1-bit fax scan
 * 111 KB vs 674 KB.
 */
function isFlat(pix: Mupdf.Pixmap): boolean {
  const px = pix.getPixels(); // a view into WASM memory: sampled, not copied
  const n = pix.getNumberOfComponents();
  const stride = pix.getStride();
  const w = pix.getWidth();
  const h = pix.getHeight();
  const step = Math.max(1, Math.floor((w * h) / 20_000));
  let same = 0;
  let seen = 0;
  for (let k = 0; k < w * h; k += step) {
    const x = k % w;
    if (x === w - 1) continue;
    const i = Math.floor(k / w) * stride + x * n;
    let eq = true;
    for (let c = 0; c < n && eq; c++) eq = px[i + c] === px[i + n + c];
    if (eq) same++;
    seen++;
  }
  return seen === 0 || same / seen > 0.5;
}

/** Decodes a PDF image and re-encodes it as PNG or JPEG in RGB or gray; undefined if it cannot be. */
export function encodeImage(mupdf: typeof Mupdf, image: Mupdf.Image): EncodedImage | undefined {
  const width = image.getWidth();
  const height = image.getHeight();
  if (width < 1 || height < 1 || width * height > MAX_IMAGE_PIXELS) return undefined;
  let pix: Mupdf.Pixmap | undefined;
  try {
    pix = image.toPixmap();
    const cs = pix.getColorSpace();
    // PNG and JPEG writers take gray or RGB only: CMYK, Lab, indexed and separations are converted.
    if (!cs || !(cs.isGray() || cs.isRGB())) {
      const rgb = pix.convertToColorSpace(mupdf.ColorSpace.DeviceRGB, true);
      pix.destroy();
      pix = rgb;
    }
    const pixels = width * height;
    const photo = !pix.getAlpha() && image.getBitsPerComponent() >= 8 && pixels >= JPEG_MIN_PIXELS && (pixels >= SCAN_PIXELS || !isFlat(pix));
    // asPNG/asJPEG return a copy out of the WASM heap (a slice), safe to keep.
    const data = photo ? pix.asJPEG(85) : pix.asPNG();
    return { data, type: photo ? 'jpg' : 'png', width, height };
  } catch {
    return undefined; // a broken image stream: the page converts without it
  } finally {
    pix?.destroy();
  }
}
