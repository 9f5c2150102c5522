import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as Mupdf from 'mupdf';
import { loadMupdf } from '../pdf.js';
import { TaskError } from '../task.js';
import { recognizeNative } from './native-engine.js';
import { detectOrientation, type Orientation } from './osd.js';
import { deskewPage, putStraightImage, type DeskewOutcome } from './deskew.js';
import { orientationHint } from './orientation-hint.js';
import { applyPageFix, isFixed, MIN_SKEW_DEG, type PageFix } from './page-fix.js';
import { renderForOcr } from './render.js';
import { measureSkew, rotateGray } from './skew.js';
import { parseTsv } from './tsv.js';
import type { OcrEngineName, OcrPageResult } from './types.js';
import { recognizeWasm } from './wasm-engine.js';

export interface RecognizePayload {
  source: string;
  pages: { index: number; dpi: number; /** Pass dpi to the engine (false: let it estimate from the text). */ dpiHint: boolean }[];
  engine: OcrEngineName;
  langs: string[];
  /** Detect each page's orientation and turn it upright when the detection is confident. */
  rotatePages?: boolean;
  /** Measure the skew of the text lines and straighten the page before recognition. */
  deskew?: boolean;
  /** deskew: where straightened scans are written (the assemble task puts them in the output). */
  deskewDir?: string;
  /** mode redo: text the page still shows is painted out of the image first, so it is not read twice. */
  maskText?: boolean;
  /** mode force: the rendered page is kept (a JPEG in this folder) to replace the page's content. */
  rasterDir?: string;
}

/**
 * 10 minutes for one page: a 50 Mpx page takes ~40 s natively; anything far past that is a
 * stuck process, killed rather than left to hold a thread.
 */
const PAGE_TIMEOUT_MS = 600_000;

/**
 * Orientation confidence from which a page is turned. Tesseract's OSD reports ~0–3 on pages
 * of noise or a few words, where its answer is a coin toss, and 10–40 on pages of text (the
 * 11-line test letter measured 14.8–17.2 in all four orientations). OCRmyPDF's default is
 * 14; OSD is asked here only about pages that did not read upright or that look turned
 * (orientation-hint.ts), and a turn is undone when the page read as it lies is the upright
 * one, so a lower bar of 5 turns short pages too while still leaving every doubtful page as it lies.
 */
export const ORIENTATION_MIN_CONFIDENCE = 5;

/**
 * Orientation and skew are measured on a 150-dpi render (at most the page's own dpi): OSD
 * answers as surely there as at 300 dpi (confidence 14.9–17.3 on the test letter in every
 * orientation; at 100 dpi it lost a sideways page), and the render and the skew projections
 * cost a quarter. OSD's own time hardly depends on it (0.8–1.6 s natively, mostly loading
 * its model), which is why it runs only for pages that do not read upright.
 */
const DETECT_DPI = 150;

/** A gray render of the page at DETECT_DPI: what orientation and skew are measured on. */
function lowRender(mupdf: typeof Mupdf, page: Mupdf.Page, dpi: number): { pam: Uint8Array; gray: Uint8Array; width: number; height: number; dpi: number } {
  const low = Math.min(dpi, DETECT_DPI);
  const pix = page.toPixmap(mupdf.Matrix.scale(low / 72, low / 72), mupdf.ColorSpace.DeviceGray, false, true);
  try {
    pix.setResolution(low, low);
    // Copied before asPAM: getPixels is a view of MuPDF's memory, which asPAM may grow (a
    // grown WebAssembly memory detaches every view taken before).
    const gray = Uint8Array.from(pix.getPixels());
    return { pam: pix.asPAM(), gray, width: pix.getWidth(), height: pix.getHeight(), dpi: low };
  } finally {
    pix.destroy();
  }
}

/**
 * Whether a recognised page reads upright: confident words, and words laid out as lines
 * of text are (wider than tall). Tesseract's layout analysis reads a page lying on its side
 * as vertical text (confidently, with tall word boxes) and an upside-down page as
 * low-confidence noise; a page that reads upright needs no orientation detection at all,
 * which keeps its cost off the usual, upright page.
 */
export function readsUpright(r: OcrPageResult): boolean {
  const words = r.blocks.flatMap((b) => b.lines.flatMap((l) => l.words)).filter((w) => w.text.length >= 3);
  if (words.length < 3 || r.meanConfidence === null || r.meanConfidence < 70) return false;
  const wide = words.filter((w) => w.bbox[2] - w.bbox[0] > w.bbox[3] - w.bbox[1]).length;
  return wide >= words.length * 0.8;
}

/** Paints the page's own (visible) text white in the gray render, so OCR reads only what is not text yet. */
function maskPageText(page: Mupdf.Page, pix: Mupdf.Pixmap, dpi: number): void {
  const s = dpi / 72;
  const w = pix.getWidth();
  const h = pix.getHeight();
  const [bx, by] = page.getBounds();
  const boxes: [number, number, number, number][] = [];
  const stext = page.toStructuredText('');
  try {
    stext.walk({
      onChar: (_c, _o, _f, _size, quad) => {
        const xs = [quad[0], quad[2], quad[4], quad[6]].map((v) => (v - bx) * s);
        const ys = [quad[1], quad[3], quad[5], quad[7]].map((v) => (v - by) * s);
        const x0 = Math.max(0, Math.floor(Math.min(...xs)) - 1);
        const x1 = Math.min(w, Math.ceil(Math.max(...xs)) + 1);
        const y0 = Math.max(0, Math.floor(Math.min(...ys)) - 1);
        const y1 = Math.min(h, Math.ceil(Math.max(...ys)) + 1);
        boxes.push([x0, y0, x1, y1]);
      },
    });
  } finally {
    stext.destroy();
  }
  // The pixels are a view of MuPDF's memory: taken only now, after every allocation above (a
  // grown WebAssembly memory detaches the views taken before it).
  const px = pix.getPixels();
  for (const [x0, y0, x1, y1] of boxes) for (let y = y0; y < y1; y++) px.fill(255, y * w + x0, y * w + Math.max(x0, x1));
}

/**
 * Renders and recognises a few pages of the source PDF (the handler gives each task a small
 * chunk so the document is opened once per chunk, not once per page). Progress is one
 * message per finished page. A page that is turned or straightened is changed in this
 * task's in-memory copy only, then rendered as the output will show it; the assemble task
 * applies the same change to the output.
 */
export async function recognizePages(p: RecognizePayload, progress: (done: number, stage: string) => void): Promise<OcrPageResult[]> {
  const mupdf = await loadMupdf();
  let bytes: Buffer;
  let doc: Mupdf.PDFDocument;
  try {
    bytes = await readFile(p.source);
    doc = new mupdf.PDFDocument(bytes);
  } catch {
    throw new TaskError('INVALID_PDF', 'The document could not be opened for OCR.');
  }
  const out: OcrPageResult[] = [];
  try {
    for (const [n, { index, dpi, dpiHint }] of p.pages.entries()) {
      /** Renders the page as `fix` leaves it (in a fresh copy of the document when it changes it) and recognises it. */
      const attempt = async (fix: PageFix, final: boolean): Promise<OcrPageResult> => {
        // A page that is one scan is read as its straightened image (see deskew.ts); mode force rasterises instead.
        const deskewed: DeskewOutcome | undefined =
          p.deskewDir && !p.rasterDir && Math.abs(fix.skew) >= MIN_SKEW_DEG ? await deskewPage(mupdf, doc, index, fix.skew, p.deskewDir) : undefined;
        const copy = isFixed(fix) ? new mupdf.PDFDocument(bytes) : undefined;
        const from = copy ?? doc;
        let rendered: { image: Uint8Array; width: number; height: number };
        let raster: OcrPageResult['raster'];
        try {
          if (copy) applyPageFix(mupdf, copy, index, deskewed && !('left' in deskewed) ? { rotate: fix.rotate, skew: 0 } : fix);
          if (copy && deskewed && !('left' in deskewed)) await putStraightImage(copy, index, deskewed);
          const page = from.loadPage(index);
          try {
            if (final && p.rasterDir) raster = await writeRaster(mupdf, page, dpi, path.join(p.rasterDir, `raster-${index + 1}.jpg`));
            if (p.maskText) {
              const pix = page.toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceGray, false, true);
              try {
                pix.setResolution(dpi, dpi);
                maskPageText(page, pix, dpi);
                rendered = { image: pix.asPAM(), width: pix.getWidth(), height: pix.getHeight() };
              } finally {
                pix.destroy();
              }
            } else rendered = renderForOcr(mupdf, page, dpi);
          } finally {
            page.destroy();
          }
        } finally {
          copy?.destroy();
        }
        const hint = dpiHint ? dpi : 0;
        const tsv = p.engine === 'native' ? await recognizeNative(rendered.image, p.langs, hint, PAGE_TIMEOUT_MS) : await recognizeWasm(rendered.image, p.langs, hint);
        const result = parseTsv(tsv, { page: index + 1, width: rendered.width, height: rendered.height, dpi });
        if (isFixed(fix)) result.fix = fix;
        if (deskewed) result.deskew = deskewed;
        if (raster) result.raster = raster;
        return result;
      };

      // The low-resolution look is taken only when something needs it: deskew, and orientation
      // (its hint, then its detection when the hint or the read says the page is turned).
      let lowCache: ReturnType<typeof lowRender> | undefined;
      const low = () => {
        if (!lowCache) {
          const page = doc.loadPage(index);
          try {
            lowCache = lowRender(mupdf, page, dpi);
          } finally {
            page.destroy();
          }
        }
        return lowCache;
      };
      const fix: PageFix = { rotate: 0, skew: p.deskew ? measureSkew(low().gray, low().width, low().height) : 0 };
      const simple = !p.rotatePages && !p.rasterDir;
      const detect = () => detectOrientation(p.engine, low().pam, low().dpi);
      const turns = (o: Orientation) => o.rotate !== 0 && o.confidence >= ORIENTATION_MIN_CONFIDENCE;
      const uprightFix = (o: Orientation): PageFix => {
        const upright = rotateGray(low().gray, low().width, low().height, o.rotate);
        return { rotate: o.rotate, skew: p.deskew ? measureSkew(upright.gray, upright.width, upright.height) : 0 };
      };
      const said = (o: Orientation) => ({ rotate: o.rotate, confidence: o.confidence, script: o.script });
      // Lines that look sideways or upside down in the low render (orientation-hint.ts): OSD
      // first, and a page it turns is read once, turned. That read is kept when it is upright
      // or when the page as it lies does not read upright either (what reading first, then
      // detecting, would have kept).
      const early = p.rotatePages && orientationHint(low().gray, low().width, low().height).turned ? await detect() : undefined;
      const readTurnedFirst = async (o: Orientation): Promise<OcrPageResult> => {
        const turned = await attempt(uprightFix(o), true);
        turned.orientation = said(o);
        if (readsUpright(turned)) return turned;
        const asIs = await attempt(fix, false);
        if (!readsUpright(asIs)) return turned;
        if (p.rasterDir) asIs.raster = await writeRasterFor(mupdf, bytes, doc, index, fix, dpi, p.rasterDir);
        return asIs;
      };
      let result: OcrPageResult;
      if (early && turns(early)) result = await readTurnedFirst(early);
      else {
        result = await attempt(fix, simple);
        if (p.rotatePages && !readsUpright(result)) {
          const o: Orientation = early ?? (await detect());
          if (turns(o)) result = await attempt(uprightFix(o), true);
          else if (p.rasterDir) result.raster = await writeRasterFor(mupdf, bytes, doc, index, fix, dpi, p.rasterDir);
          result.orientation = said(o);
        } else if (!simple && p.rasterDir) {
          result.raster = await writeRasterFor(mupdf, bytes, doc, index, fix, dpi, p.rasterDir);
        }
      }
      out.push(result);
      progress(n + 1, `page ${index + 1}`);
    }
    return out;
  } finally {
    doc.destroy();
  }
}

/** mode force: the page as it looks (colour), as the JPEG that becomes the output's page. */
async function writeRaster(mupdf: typeof Mupdf, page: Mupdf.Page, dpi: number, file: string): Promise<NonNullable<OcrPageResult['raster']>> {
  const color = page.toPixmap(mupdf.Matrix.scale(dpi / 72, dpi / 72), mupdf.ColorSpace.DeviceRGB, false, true);
  try {
    color.setResolution(dpi, dpi);
    await writeFile(file, color.asJPEG(90, false));
    return { path: file, widthPx: color.getWidth(), heightPx: color.getHeight() };
  } finally {
    color.destroy();
  }
}

async function writeRasterFor(mupdf: typeof Mupdf, bytes: Buffer, doc: Mupdf.PDFDocument, index: number, fix: PageFix, dpi: number, dir: string) {
  const copy = isFixed(fix) ? new mupdf.PDFDocument(bytes) : undefined;
  try {
    if (copy) applyPageFix(mupdf, copy, index, fix);
    const page = (copy ?? doc).loadPage(index);
    try {
      return await writeRaster(mupdf, page, dpi, path.join(dir, `raster-${index + 1}.jpg`));
    } finally {
      page.destroy();
    }
  } finally {
    copy?.destroy();
  }
}
