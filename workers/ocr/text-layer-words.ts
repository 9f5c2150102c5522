import type * as Mupdf from 'mupdf';
import { blocksToText } from './tsv.js';
import type { BBox, OcrBlock, OcrLine, OcrPageResult } from './types.js';

/**
 * A page that already had a text layer (and was skipped) in the same shape as an OCRed
 * one, for the text and json outputs: MuPDF's blocks and lines, words split at spaces,
 * boxes in points (that is, pixels at 72 dpi). There is no confidence for such text: 100.
 */
export function textLayerPage(page: Mupdf.Page, pageNumber: number): OcrPageResult {
  const [x0, y0, x1, y1] = page.getBounds();
  const blocks: OcrBlock[] = [];
  let block: OcrBlock | undefined;
  let line: OcrLine | undefined;
  let word: { text: string; bbox: BBox } | undefined;
  const r = (n: number) => Math.round(n * 100) / 100;
  const endWord = () => {
    if (word && line) line.words.push({ text: word.text, bbox: word.bbox.map(r) as BBox, confidence: 100 });
    word = undefined;
  };
  const stext = page.toStructuredText('preserve-whitespace');
  try {
    stext.walk({
      beginTextBlock: (bbox) => blocks.push((block = { bbox: [bbox[0] - x0, bbox[1] - y0, bbox[2] - x0, bbox[3] - y0].map(r) as BBox, lines: [] })),
      beginLine: (bbox) => block?.lines.push((line = { bbox: [bbox[0] - x0, bbox[1] - y0, bbox[2] - x0, bbox[3] - y0].map(r) as BBox, words: [] })),
      onChar: (c, _origin, _font, _size, quad) => {
        if (/\s/.test(c)) return endWord();
        const xs = [quad[0], quad[2], quad[4], quad[6]].map((v) => v - x0);
        const ys = [quad[1], quad[3], quad[5], quad[7]].map((v) => v - y0);
        const box: BBox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
        if (!word) word = { text: c, bbox: box };
        else {
          word.text += c;
          word.bbox = [Math.min(word.bbox[0], box[0]), Math.min(word.bbox[1], box[1]), Math.max(word.bbox[2], box[2]), Math.max(word.bbox[3], box[3])];
        }
      },
      endLine: endWord,
    });
  } finally {
    stext.destroy();
  }
  const kept = blocks.map((b) => ({ ...b, lines: b.lines.filter((l) => l.words.length) })).filter((b) => b.lines.length);
  const words = kept.reduce((n, b) => n + b.lines.reduce((m, l) => m + l.words.length, 0), 0);
  return {
    page: pageNumber,
    width: Math.round(x1 - x0),
    height: Math.round(y1 - y0),
    dpi: 72,
    blocks: kept,
    text: blocksToText(kept),
    meanConfidence: words ? 100 : null,
  };
}
