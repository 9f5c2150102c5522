import type { OcrPageResult } from './types.js';

/**
 * The json output format: pages → blocks → lines → words, every box as [x0, y0, x1, y1] in
 * pixels of the page image at the page's `dpi` (origin top-left; divide by dpi/72 for
 * points), word confidences 0–100 and a mean per page. Keys are snake_case like the API's.
 */
export function toJsonOutput(pages: { result: OcrPageResult; source: 'ocr' | 'text_layer' }[], meta: { engine: string; language: string }) {
  const confs = pages.map((p) => p.result.meanConfidence).filter((c): c is number => c !== null);
  return {
    engine: meta.engine,
    language: meta.language,
    mean_confidence: confs.length ? Math.round((confs.reduce((a, b) => a + b, 0) / confs.length) * 100) / 100 : null,
    pages: pages.map(({ result: r, source }) => ({
      page: r.page,
      source,
      width: r.width,
      height: r.height,
      dpi: r.dpi,
      mean_confidence: r.meanConfidence,
      text: r.text,
      blocks: r.blocks.map((b) => ({
        bbox: b.bbox,
        lines: b.lines.map((l) => ({
          bbox: l.bbox,
          text: l.words.map((w) => w.text).join(' '),
          words: l.words.map((w) => ({ text: w.text, bbox: w.bbox, confidence: w.confidence })),
        })),
      })),
    })),
  };
}
