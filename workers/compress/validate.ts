import type * as Mupdf from 'mupdf';
import type { MupdfModule } from './mupdf-util.js';

/** What every candidate is held to, taken once from the original. */
export interface Reference {
  pages: number;
  /** Per page: extracted text, NFKC-normalised, whitespace removed. */
  text: string[];
  /** Page i of the original rendered in gray at 36 dpi (made on first use, then kept). */
  render(i: number): Rendering;
}

export interface Rendering {
  w: number;
  h: number;
  px: Uint8ClampedArray;
}

/** `page`: the 0-based page whose rendering failed, when that was the reason. */
export type Verdict = { ok: true } | { ok: false; reason: string; page?: number };

/** Render scale for the check: 36 dpi is enough to see a lost image or glyph, and cheap. */
const RENDER_SCALE = 0.5;
/**
 * Lossless candidates must render the same: mean absolute gray difference (0–255) per pixel
 * at most 0.05 (measured: MuPDF and qpdf rewrites differ by exactly 0).
 */
export const MAX_LOSSLESS_DIFF = 0.05;
/**
 * Lossy candidates are compared by the mean gray of 8×8-pixel blocks (~6 mm squares at
 * 36 dpi), the largest block difference counting. Downsampling and JPEG keep local averages,
 * so honest candidates stay low even where pixels differ, while a dropped, flipped or
 * colour-inverted image moves whole blocks. Measured on the test fixtures with images at a
 * third of their resolution, JPEG q80: honest 0.4–6.9 (the 6.9 on a high-contrast gray scan,
 * whose pixel mean is 6.3); inverted CMYK 157–194, flipped 41–109, dropped 92–218.
 */
export const MAX_BLOCK_DIFF = 24;
const BLOCK = 8;

/**
 * `renderAll`: every page will be compared (a candidate from another tool is planned), so each
 * is rendered now, in the same run of the page as its text (one display list: 30–40 % less
 * than interpreting the page twice, measured on R-FAQ.pdf: 279 vs 439 ms for 52 pages).
 */
export function buildReference(mupdf: MupdfModule, doc: Mupdf.Document, onPage?: (i: number) => void, renderAll = false): Reference {
  const pages = doc.countPages();
  const text: string[] = [];
  const renders = new Map<number, Rendering>();
  for (let i = 0; i < pages; i++) {
    const r = readPage(mupdf, doc, i, renderAll);
    text.push(r.text);
    if (r.render) renders.set(i, r.render);
    onPage?.(i);
  }
  return {
    pages,
    text,
    render(i) {
      let r = renders.get(i);
      if (!r) renders.set(i, (r = render(mupdf, doc, i)));
      return r;
    },
  };
}

/**
 * Pages rendered for every candidate whatever it changed: first, middle and last, a net for
 * structural changes (fonts, forms, content streams) that the text check would not see.
 */
export function samplePages(pages: number): number[] {
  return [...new Set([0, Math.floor(pages / 2), pages - 1])].sort((a, b) => a - b);
}

/**
 * Opens the candidate as a reader would and compares: no repair needed, same page count, the
 * same text on every page (so no font or glyph was lost), and the renderings of `checkPages`
 * within the limit. Callers pass every page on which something was drawn differently.
 */
export function validate(mupdf: MupdfModule, ref: Reference, bytes: Uint8Array, lossy: boolean, checkPages: Iterable<number>): Verdict {
  let doc: Mupdf.Document;
  try {
    doc = mupdf.Document.openDocument(bytes, 'application/pdf');
  } catch {
    return { ok: false, reason: 'does not open' };
  }
  try {
    const pdf = doc.asPDF();
    if (doc.needsPassword()) return { ok: false, reason: 'asks for a password' };
    const pages = doc.countPages();
    if (pdf?.wasRepaired()) return { ok: false, reason: 'damaged structure (needed repair)' };
    if (pages !== ref.pages) return { ok: false, reason: `has ${pages} pages instead of ${ref.pages}` };
    const rendered = new Set(checkPages);
    for (let i = 0; i < pages; i++) {
      const page = readPage(mupdf, doc, i, rendered.has(i));
      if (page.text !== ref.text[i]) return { ok: false, reason: `text differs on page ${i + 1}` };
      if (!page.render) continue;
      const before = ref.render(i);
      const after = page.render;
      if (after.w !== before.w || after.h !== before.h) return { ok: false, reason: `page ${i + 1} changed size`, page: i };
      if (lossy) {
        const diff = maxBlockDiff(before, after);
        if (diff > MAX_BLOCK_DIFF) return { ok: false, reason: `rendering of page ${i + 1} differs (a region by ${diff.toFixed(1)}/255)`, page: i };
      } else {
        const diff = meanDiff(before.px, after.px);
        if (diff > MAX_LOSSLESS_DIFF) return { ok: false, reason: `rendering of page ${i + 1} differs (mean ${diff.toFixed(2)}/255)`, page: i };
      }
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `cannot be read (${err instanceof Error ? err.message.slice(0, 80) : 'error'})` };
  } finally {
    doc.destroy();
    mupdf.emptyStore();
  }
}

/** A page's text (NFKC, no whitespace) and, when asked, its rendering, from one run of the page. */
function readPage(mupdf: MupdfModule, doc: Mupdf.Document, i: number, withRender: boolean): { text: string; render?: Rendering } {
  const page = doc.loadPage(i);
  try {
    const source = withRender ? page.toDisplayList(true) : page;
    try {
      const st = source.toStructuredText('preserve-whitespace');
      const text = st.asText().normalize('NFKC').replace(/\s+/g, '');
      st.destroy();
      if (!withRender) return { text };
      const pix = source.toPixmap(mupdf.Matrix.scale(RENDER_SCALE, RENDER_SCALE), mupdf.ColorSpace.DeviceGray, false);
      const render = { w: pix.getWidth(), h: pix.getHeight(), px: pix.getPixels().slice() };
      pix.destroy();
      return { text, render };
    } finally {
      if (source !== page) source.destroy();
    }
  } finally {
    page.destroy();
  }
}

export function render(mupdf: MupdfModule, doc: Mupdf.Document, i: number, scale = RENDER_SCALE): Rendering {
  const page = doc.loadPage(i);
  try {
    const pix = page.toPixmap(mupdf.Matrix.scale(scale, scale), mupdf.ColorSpace.DeviceGray, false, true);
    const r = { w: pix.getWidth(), h: pix.getHeight(), px: pix.getPixels().slice() };
    pix.destroy();
    return r;
  } finally {
    page.destroy();
  }
}

/** Largest difference between the mean grays of corresponding 8×8 blocks (half-blocks and up). */
export function maxBlockDiff(a: Rendering, b: Rendering): number {
  let worst = 0;
  for (let by = 0; by < a.h; by += BLOCK) {
    for (let bx = 0; bx < a.w; bx += BLOCK) {
      let sa = 0;
      let sb = 0;
      let n = 0;
      for (let y = by; y < Math.min(a.h, by + BLOCK); y++) {
        for (let x = bx; x < Math.min(a.w, bx + BLOCK); x++) {
          sa += a.px[y * a.w + x]!;
          sb += b.px[y * a.w + x]!;
          n++;
        }
      }
      // Slivers at the page's right and bottom edges (here 2 px wide) are skipped: an image
      // ending exactly at the page edge anti-aliases there differently at each resolution
      // (a real 300-ppi scan at 150 ppi: 31/255 in the 2-px sliver, ≤ 10.5 in every full block).
      if (n >= (BLOCK * BLOCK) / 2) worst = Math.max(worst, Math.abs(sa - sb) / n);
    }
  }
  return worst;
}

/** Mean absolute difference per sample; a size mismatch counts as entirely different. */
export function meanDiff(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  if (a.length !== b.length) return 255;
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += Math.abs(a[k]! - b[k]!);
  return a.length ? sum / a.length : 0;
}
