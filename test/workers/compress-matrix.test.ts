/**
 * Issue #17's image-encoding matrix through every lossy level, MuPDF only (empty PATH): no
 * page may differ from the input beyond what the level's resolution explains, bitonal
 * images come out byte for byte, and sizes are monotone across levels.
 */
process.env.PATH = '';
import t from 'tap';
import { createHash } from 'node:crypto';
import { matrixAssets, matrixCases, matrixPdf } from '../helpers/image-matrix.js';
import { compressBytes, mupdf, pageCount, pageTexts, renderGray } from './compress-helpers.js';

/** Largest 8×8-block mean difference between two gray renderings, and the mean difference. */
function pageDiff(a: { w: number; h: number; px: Uint8ClampedArray }, b: { w: number; h: number; px: Uint8ClampedArray }): { block: number; mean: number } {
  let block = 0;
  let sum = 0;
  for (let by = 0; by + 8 <= a.h; by += 8) {
    for (let bx = 0; bx + 8 <= a.w; bx += 8) {
      let d = 0;
      for (let y = by; y < by + 8; y++) for (let x = bx; x < bx + 8; x++) d += a.px[y * a.w + x]! - b.px[y * a.w + x]!;
      block = Math.max(block, Math.abs(d) / 64);
    }
  }
  for (let i = 0; i < a.px.length; i++) sum += Math.abs(a.px[i]! - b.px[i]!);
  return { block, mean: sum / a.px.length };
}

/**
 * 1-bit images, exactly: CCITT and JBIG2 streams byte for byte (untouched), others by their
 * decoded samples (the lossless pass may re-deflate a 1-bit Flate stream, never change it).
 */
function bitonalStreams(bytes: Buffer): string[] {
  const doc = mupdf.Document.openDocument(bytes, 'application/pdf').asPDF()!;
  const out: string[] = [];
  for (let n = 1; n < doc.countObjects(); n++) {
    const ref = doc.newIndirect(n);
    if (!ref.isStream() || ref.get('Subtype').toString() !== '/Image' || ref.get('BitsPerComponent').toString() !== '1') continue;
    const untouched = /CCITTFaxDecode|JBIG2Decode/.test(ref.get('Filter').toString());
    const buf = untouched ? ref.readRawStream() : ref.readStream();
    out.push(`${untouched ? 'raw' : 'samples'}:${createHash('sha1').update(buf.asUint8Array()).digest('hex')}`);
    buf.destroy();
  }
  doc.destroy();
  return out.sort();
}

t.test('every encoding in the matrix, at every level: pages as the input, bitonal untouched, sizes monotone', async (t) => {
  const cases = matrixCases(await matrixAssets());
  const input = matrixPdf(cases);
  const before = Array.from({ length: cases.length }, (_, i) => renderGray(input, i, 72));
  const sizes: Record<string, number> = { input: input.length };
  for (const level of ['low', 'medium', 'high', 'maximum'] as const) {
    const { out, result } = await compressBytes(t, input, { compressionLevel: level });
    sizes[level] = out.length;
    t.equal(pageCount(out), cases.length, `${level}: page count`);
    t.same(pageTexts(out), pageTexts(input), `${level}: text`);
    t.same(bitonalStreams(out), bitonalStreams(input), `${level}: bitonal images exactly preserved`);
    if (level !== 'low') t.ok(result.images.recompressed >= cases.length / 2, `${level}: ${result.images.recompressed} of ${result.images.found} images rewritten`);
    cases.forEach((c, i) => {
      const d = pageDiff(before[i]!, renderGray(out, i, 72));
      // 72 dpi is at or below every level's resolution: what is left is JPEG noise, which
      // stays under 6/255 in a block here; a garbled or shifted image moves blocks by 30–120.
      t.ok(d.block <= 12 && d.mean <= 2.5, `${level} ${c.name}: block ${d.block.toFixed(1)}, mean ${d.mean.toFixed(2)}`);
    });
  }
  t.ok(sizes.maximum! <= sizes.high! && sizes.high! <= sizes.medium! && sizes.medium! <= sizes.low! && sizes.low! <= sizes.input!, JSON.stringify(sizes));
});
