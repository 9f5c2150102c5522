import { walkActiveContent, type ActiveContent } from './active-content.js';
import { readFile } from 'node:fs/promises';
import type * as Mupdf from 'mupdf';
import type { PageRange } from '../src/schemas/pages.js';
import { engineMessage, loadMupdf, openPdf, selectPages } from './pdf.js';
import { defineTask, TaskError } from './task.js';
import { pageHasText } from './ocr/plan.js';
import { cappedDpi, PIXEL_CAP } from './ocr/render.js';
import type { OcrInputKind } from './ocr/types.js';
import { readWebpHeader } from './ocr/webp-header.js';

export interface OcrPreviewPayload {
  path: string;
  kind: OcrInputKind;
  maxPages: number;
  dpi: number;
  pages?: PageRange[];
  skipText: boolean;
}

export interface OcrPreviewPage {
  page: number;
  width_pt: number;
  height_pt: number;
  has_text: boolean;
  /** Images drawn on the page, with their effective resolution as placed. */
  images: { width: number; height: number; dpi: number }[];
  will_ocr: boolean;
  render_dpi: number;
  render_pixels: number;
}

export interface OcrPreviewResult {
  /** PDFs only: scripts, external actions, attachments, forms. */
  active_content?: ActiveContent;
  kind: OcrInputKind;
  page_count: number;
  pages: OcrPreviewPage[];
  /** Only the first PREVIEW_DETAIL_PAGES pages are described one by one. */
  pages_truncated: boolean;
}

/** Pages described one by one (each needs a text extraction); enough for any preview screen. */
const PREVIEW_DETAIL_PAGES = 500;
/** Images larger than this are refused at submission: decoding one would need gigabytes. */
const MAX_IMAGE_PIXELS = 4 * PIXEL_CAP;

function imagesOn(page: Mupdf.Page): OcrPreviewPage['images'] {
  const images: OcrPreviewPage['images'] = [];
  const stext = page.toStructuredText('preserve-images');
  try {
    stext.walk({
      onImageBlock: (bbox, _m, img) => {
        const wIn = (bbox[2] - bbox[0]) / 72;
        images.push({ width: img.getWidth(), height: img.getHeight(), dpi: wIn > 0 ? Math.round(img.getWidth() / wIn) : 0 });
      },
    });
  } finally {
    stext.destroy();
  }
  return images;
}

/** Image uploads: must decode (MuPDF), or for WebP have a sound header; returns page sizes. */
async function checkImage(mupdf: typeof Mupdf, bytes: Buffer, kind: Exclude<OcrInputKind, 'pdf'>, maxPages: number): Promise<OcrPreviewPage[]> {
  const describe = (w: number, h: number, dpi: number, i: number): OcrPreviewPage => {
    if (w * h > MAX_IMAGE_PIXELS) throw new TaskError('INVALID_IMAGE', `The image is ${w}×${h} pixels; the limit is ${MAX_IMAGE_PIXELS / 1e6} megapixels.`);
    const d = dpi >= 20 && dpi <= 2400 ? dpi : 96;
    return { page: i + 1, width_pt: (w * 72) / d, height_pt: (h * 72) / d, has_text: false, images: [{ width: w, height: h, dpi: d }], will_ocr: true, render_dpi: d, render_pixels: w * h };
  };
  if (kind === 'webp') {
    const h = readWebpHeader(bytes);
    if (!h) throw new TaskError('INVALID_IMAGE', 'The WebP file is damaged or truncated.');
    return [describe(h.width, h.height, 96, 0)];
  }
  try {
    if (kind !== 'tiff') {
      const img = new mupdf.Image(bytes);
      const page = describe(img.getWidth(), img.getHeight(), img.getXResolution(), 0);
      img.toPixmap().destroy(); // decodes every pixel: a truncated or corrupt file fails here, not in the job
      return [page];
    }
    const doc = mupdf.Document.openDocument(bytes, 'image/tiff');
    try {
      const count = doc.countPages();
      if (count > maxPages) throw new TaskError('TOO_MANY_PAGES', `The TIFF has ${count} pages; the limit is ${maxPages}.`);
      const pages: OcrPreviewPage[] = [];
      for (let i = 0; i < count; i++) {
        const page = doc.loadPage(i);
        let image: Mupdf.Image | undefined;
        page.toStructuredText('preserve-images').walk({ onImageBlock: (_b, _m, img) => (image ??= img) });
        if (!image) throw new TaskError('INVALID_IMAGE', `TIFF page ${i + 1} holds no image.`);
        pages.push(describe(image.getWidth(), image.getHeight(), image.getXResolution(), i));
        image.toPixmap().destroy();
        page.destroy();
      }
      return pages;
    } finally {
      doc.destroy();
    }
  } catch (err) {
    if (err instanceof TaskError) throw err;
    throw new TaskError('INVALID_IMAGE', `The ${kind.toUpperCase()} image could not be decoded (${engineMessage(err)}).`);
  }
}

/**
 * POST /api/ocr/preview and the submission check of image uploads (probe pool): page
 * count, which pages already have text, image resolution per page, render size. The time
 * estimate is added on the main thread, which knows the engine.
 */
export const ocrPreview = defineTask(async (p: OcrPreviewPayload): Promise<OcrPreviewResult> => {
  const mupdf = await loadMupdf();
  if (p.kind !== 'pdf') {
    const pages = await checkImage(mupdf, await readFile(p.path), p.kind, p.maxPages);
    const selected = new Set(selectPages(p.pages, pages.length));
    for (const pg of pages) pg.will_ocr = selected.has(pg.page - 1);
    return { kind: p.kind, page_count: pages.length, pages, pages_truncated: false };
  }
  const { doc, pages: pageCount } = await openPdf(p.path, { maxPages: p.maxPages });
  try {
    const selected = new Set(selectPages(p.pages, pageCount));
    const pages: OcrPreviewPage[] = [];
    for (let i = 0; i < Math.min(pageCount, PREVIEW_DETAIL_PAGES); i++) {
      const page = doc.loadPage(i);
      try {
        const [x0, y0, x1, y1] = page.getBounds();
        const dpi = cappedDpi(x1 - x0, y1 - y0, p.dpi);
        const hasText = pageHasText(page);
        const w = Math.round(((x1 - x0) * dpi) / 72);
        const h = Math.round(((y1 - y0) * dpi) / 72);
        pages.push({
          page: i + 1,
          width_pt: Math.round((x1 - x0) * 100) / 100,
          height_pt: Math.round((y1 - y0) * 100) / 100,
          has_text: hasText,
          images: imagesOn(page),
          will_ocr: selected.has(i) && !(hasText && p.skipText),
          render_dpi: dpi,
          render_pixels: w * h,
        });
      } finally {
        page.destroy();
      }
    }
    return { kind: 'pdf', page_count: pageCount, pages, pages_truncated: pageCount > PREVIEW_DETAIL_PAGES, active_content: walkActiveContent(doc, false) };
  } finally {
    doc.destroy();
  }
});
