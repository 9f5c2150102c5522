/**
 * Issue 18: a book page's gutter shadow (test/helpers/scan-fixtures.ts `gray-gutter`) is busy
 * over more than three tiles, as a photo is, and was taken for one: the starts of the lines in it
 * stayed in the background, at 75 ppi at `high` (as one block 1.05 points under the input). Smooth
 * shading with text on it is now no picture: the text in it is in the mask, the shadow in the
 * background. MuPDF only for the compressor (empty PATH); poppler and tesseract by their path.
 */
process.env.PATH = '';
import t from 'tap';
import { GUTTER, SCAN_DPI, scanFixture } from '../helpers/scan-fixtures.js';
import { compressBytes } from './compress-helpers.js';
import { accuracy, meanRgb, ocrPage, renderRgb } from '../helpers/scan-tools.js';

/** Pixels of the render at SCAN_DPI in the box darker than `below` (the letters' cores). */
function darkPixels(r: { w: number; px: Uint8Array }, box: { x: number; y: number; w: number; h: number }, below: number): number {
  let n = 0;
  for (let y = box.y; y < box.y + box.h; y++) for (let x = box.x; x < box.x + box.w; x++) if (r.px[(y * r.w + x) * 3]! < below) n++;
  return n;
}

t.test('a gutter shadow with text on it at medium and high: MRC, text in the shadow sharp, shadow kept, OCR within a point', async (t) => {
  const { pdf, layout } = scanFixture('gray-gutter');
  const truth = layout.lines.join('\n');
  const before = { page: accuracy(ocrPage(pdf), truth), block: accuracy(ocrPage(pdf, true), truth) };
  const input = renderRgb(pdf, SCAN_DPI);
  // The lines' starts in the shadow (x from the text's left edge, 30 pt, to the shadow's end).
  const inShadow = { x: Math.round((30 * SCAN_DPI) / 72), y: 150, w: GUTTER - Math.round((30 * SCAN_DPI) / 72), h: 1400 };
  // The margin left of the text: shadow only.
  const margin = { x: 10, y: 150, w: 100, h: 1400 };
  const inkBefore = darkPixels(input, inShadow, 60);
  const low = await compressBytes(t, pdf, { compressionLevel: 'low' });
  let previous = low.out.length;
  for (const level of ['medium', 'high'] as const) {
    const { out, result } = await compressBytes(t, pdf, { compressionLevel: level });
    t.same([result.pages_bilevel, result.pages_mrc], [0, 1], `${level}: a mask over a background`);
    t.ok(out.length < pdf.length / 8, `${level}: ${out.length} < an eighth of ${pdf.length}`);
    t.ok(out.length <= previous, `${level}: ${out.length} ≤ the level below (${previous})`);
    previous = out.length;
    const r = renderRgb(out, SCAN_DPI);
    // Left in the background the letters' cores blur away: 70 % of the input's dark pixels at 100 ppi, 55 % at 75.
    const inkAfter = darkPixels(r, inShadow, 60);
    t.ok(inkAfter >= inkBefore * 0.8, `${level}: letters in the shadow sharp (${inkAfter} dark pixels, the input ${inkBefore})`);
    const [shadowAfter] = meanRgb(r, margin);
    const [shadowBefore] = meanRgb(input, margin);
    t.ok(Math.abs(shadowAfter! - shadowBefore!) <= 8, `${level}: the shadow kept (margin gray ${shadowAfter!.toFixed(1)}, the input ${shadowBefore!.toFixed(1)})`);
    const after = { page: accuracy(ocrPage(out), truth), block: accuracy(ocrPage(out, true), truth) };
    t.ok(after.page >= before.page - 1, `${level}: OCR ${after.page.toFixed(2)} within a point of the input's ${before.page.toFixed(2)}`);
    t.ok(after.block >= before.block - 1, `${level}: as one block ${after.block.toFixed(2)} within a point of the input's ${before.block.toFixed(2)}`);
  }
});
