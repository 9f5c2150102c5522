/**
 * Issue #17's report, rebuilt: 9 pages of text with a gray Flate scan on page 2 and a gray
 * JPEG scan with an ICC profile on page 7, both 2550×3300 at 300 ppi. At `medium` every page
 * must render as the input's (the old engine garbled page 7 and checked only pages 1, 2, 5
 * and 9), both scans must be recompressed, and the result must beat the input by far.
 * MuPDF only (empty PATH).
 */
process.env.PATH = '';
import t from 'tap';
import { buildPdf, addImage, pixmapOf, scanPixels } from '../helpers/image-fixtures.js';
import { grayIccProfile } from '../helpers/stream-encoders.js';
import { compressBytes, pageCount, pageTexts, renderGray } from './compress-helpers.js';
import { maxBlockDiff, meanDiff } from '../../workers/compress/validate.js';

function issuePdf(): Buffer {
  return buildPdf((doc) => Array.from({ length: 9 }, (_, p) => {
    const text = Array.from({ length: 30 }, (_, i) => `Page ${p + 1}, line ${i + 1}: a report with scanned appendices`);
    if (p === 1) return { text: ['Scan (Flate)'], draws: [{ ref: addImage(doc, { w: 2550, h: 3300, cs: 'gray', encoding: 'flate', scan: true, seed: 7 }), x: 0, y: 0, w: 612, h: 792 }], size: [612, 792] as [number, number] };
    if (p === 6) {
      const pix = pixmapOf('gray', 2550, 3300, scanPixels(2550, 3300, 8));
      const jpeg = pix.asJPEG(90, false);
      pix.destroy();
      const cs = doc.newArray();
      cs.push(doc.newName('ICCBased'));
      cs.push(doc.addStream(grayIccProfile(), { N: 1 }));
      const ref = doc.addRawStream(jpeg, { Type: doc.newName('XObject'), Subtype: doc.newName('Image'), Width: 2550, Height: 3300, BitsPerComponent: 8, ColorSpace: cs, Filter: doc.newName('DCTDecode') });
      return { text: ['Scan (JPEG, ICC gray)'], draws: [{ ref, x: 0, y: 0, w: 612, h: 792 }], size: [612, 792] as [number, number] };
    }
    return { text, size: [612, 792] as [number, number] };
  }));
}

t.test('the reported 9-page file at medium: every page as the input, both scans smaller', async (t) => {
  const input = issuePdf();
  const { out, result } = await compressBytes(t, input, { compressionLevel: 'medium' });
  t.equal(result.engine, 'mupdf');
  t.equal(result.images.recompressed, 2, JSON.stringify(result.candidates));
  t.ok(out.length < input.length / 4, `${out.length} < a quarter of ${input.length}`);
  t.equal(pageCount(out), 9);
  t.same(pageTexts(out), pageTexts(input));
  for (let i = 0; i < 9; i++) {
    const [a, b] = [renderGray(input, i, 50), renderGray(out, i, 50)];
    const [block, mean] = [maxBlockDiff(a, b), meanDiff(a.px, b.px)];
    // At 50 dpi a 150-ppi rewrite of a 300-ppi scan differs by JPEG noise only (measured ≤ 6
    // in a block, mean ≤ 3); the garbled page of the report had a mean difference of 24.
    t.ok(block <= 14 && mean <= 4, `page ${i + 1}: block ${block.toFixed(1)}, mean ${mean.toFixed(2)}`);
  }
});
