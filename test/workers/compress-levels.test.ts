/**
 * Issue #17's promises about the outcome itself, with whatever tools this machine has:
 * the same input and options give the same bytes whether the job runs alone or beside other
 * jobs, and on every fixture maximum ≤ high ≤ medium ≤ low ≤ input in size.
 */
import t from 'tap';
import { textPdf } from '../helpers/fixtures.js';
import { cmykPdf, flatePhotoPdf, grayScanPdf, maskedPdf, photoPdf, sharedAndFormPdf, tinyJpegPdf } from '../helpers/image-fixtures.js';
import { type1Pdf } from '../helpers/font-fixtures.js';
import { compressBytes } from './compress-helpers.js';

t.test('the same bytes alone and beside three other jobs', async (t) => {
  const input = photoPdf(2, [1500, 1000]);
  const alone = await compressBytes(t, input, { compressionLevel: 'high' });
  const others = [grayScanPdf(2), cmykPdf(), type1Pdf()].map((b) => compressBytes(t, b, { compressionLevel: 'maximum' }));
  const busy = await compressBytes(t, input, { compressionLevel: 'high' });
  await Promise.all(others);
  t.ok(busy.out.equals(alone.out), `${busy.out.length} and ${alone.out.length} bytes, identical`);
  t.same(busy.result.candidates.map((c) => [c.engine, c.size]), alone.result.candidates.map((c) => [c.engine, c.size]));
});

t.test('sizes are monotone across levels on every fixture', async (t) => {
  const fixtures: [string, Buffer][] = [
    ['photos', photoPdf(2, [1500, 1000])],
    ['flate photos', flatePhotoPdf(2)],
    ['gray scan', grayScanPdf(2)],
    ['cmyk', cmykPdf()],
    ['masks, ICC, Decode', maskedPdf()],
    ['shared and form', sharedAndFormPdf()],
    ['tiny jpeg', tinyJpegPdf()],
    ['type1 fonts', type1Pdf()],
    ['text', await textPdf(6)],
  ];
  for (const [name, input] of fixtures) {
    const sizes = [input.length];
    for (const level of ['low', 'medium', 'high', 'maximum'] as const) sizes.push((await compressBytes(t, input, { compressionLevel: level })).out.length);
    t.ok(sizes.every((s, i) => i === 0 || s <= sizes[i - 1]!), `${name}: input ${sizes.join(' ≥ ')}`);
  }
});
