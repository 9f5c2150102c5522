import type * as Mupdf from 'mupdf';

/**
 * Pixels a page may be rendered to. 50 Mpx is an A0 poster at ~190 dpi or a 24×36 in
 * drawing at ~240 dpi; rendered gray that is a 50 MB pixmap, and Tesseract needs several
 * times its input in working memory (WASM heaps stop at 4 GB). Larger pages are rendered
 * at the highest dpi that fits instead of failing or exhausting memory.
 */
export const PIXEL_CAP = 50_000_000;
const MIN_DPI = 20;

/** The dpi a page of this size (points) is rendered at: the requested one, lowered to fit the cap. */
export function cappedDpi(widthPt: number, heightPt: number, dpi: number, cap = PIXEL_CAP): number {
  const area = Math.max(1, widthPt) * Math.max(1, heightPt);
  const pixels = (area * dpi * dpi) / (72 * 72);
  if (pixels <= cap) return dpi;
  const fit = 72 * Math.sqrt(cap / area);
  if (fit >= MIN_DPI) return Math.floor(fit);
  // Only a page past ~9 m a side gets here (a hostile MediaBox of kilometres): the cap still
  // holds, or MIN_DPI would ask for terapixels (MuPDF: "Overly large image", a failed job).
  return Math.max(0.01, Math.floor(fit * 100) / 100);
}

export interface RenderedPage {
  /** PAM (P7) bytes: both Leptonica builds read it, and it is written in ~10 ms where PNG takes ~270 ms for an A4 page at 300 dpi. */
  image: Uint8Array;
  width: number;
  height: number;
}

/** Renders a page in gray (Tesseract binarises gray; colour would triple the pixmap for nothing). */
export function renderForOcr(mupdf: typeof Mupdf, page: Mupdf.Page, dpi: number): RenderedPage {
  const pix = page.toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceGray, false, true);
  try {
    pix.setResolution(dpi, dpi);
    return { image: pix.asPAM(), width: pix.getWidth(), height: pix.getHeight() };
  } finally {
    pix.destroy();
  }
}
