import type { BBox, OcrBlock, OcrLine, OcrPageResult } from './types.js';

/**
 * Tesseract's TSV output (the same from the binary and from tesseract.js) → blocks, lines,
 * words. TSV rather than hOCR or tesseract.js's JSON: both engines produce it byte for byte
 * alike, so one parser serves both, and it is a flat table, cheap to read.
 *
 * Columns: level page_num block_num par_num line_num word_num left top width height conf text;
 * level 2 = block, 4 = line, 5 = word (3 = paragraph is folded into its block).
 */
export function parseTsv(tsv: string, page: { page: number; width: number; height: number; dpi: number }): OcrPageResult {
  const blocks: OcrBlock[] = [];
  let block: OcrBlock | undefined;
  let line: OcrLine | undefined;
  let confSum = 0;
  let words = 0;
  for (const row of tsv.split('\n')) {
    const cols = row.split('\t');
    if (cols.length < 12) continue;
    const level = Number(cols[0]);
    const [left, top, width, height, conf] = cols.slice(6, 11).map(Number) as [number, number, number, number, number];
    if (![left, top, width, height].every(Number.isFinite)) continue; // the header row
    const bbox: BBox = [left, top, left + width, top + height];
    if (level === 2) {
      block = { bbox, lines: [] };
      blocks.push(block);
      line = undefined;
    } else if (level === 4) {
      if (!block) blocks.push((block = { bbox, lines: [] }));
      line = { bbox, words: [] };
      block.lines.push(line);
    } else if (level === 5 && line) {
      const text = cols.slice(11).join(' ').trim();
      if (!text) continue;
      const confidence = Number.isFinite(conf) && conf >= 0 ? Math.round(conf * 100) / 100 : 0;
      line.words.push({ text, bbox, confidence });
      confSum += confidence;
      words++;
    }
  }
  // Tesseract reports empty lines and blocks for images and rules; they carry no text.
  const kept = blocks
    .map((b) => ({ ...b, lines: b.lines.filter((l) => l.words.length > 0) }))
    .filter((b) => b.lines.length > 0);
  return {
    ...page,
    blocks: kept,
    text: blocksToText(kept),
    meanConfidence: words ? Math.round((confSum / words) * 100) / 100 : null,
  };
}

/** Plain text of a page: words by spaces, lines by newlines, blocks by a blank line. */
export function blocksToText(blocks: OcrBlock[]): string {
  return blocks.map((b) => b.lines.map((l) => l.words.map((w) => w.text).join(' ')).join('\n')).join('\n\n');
}
