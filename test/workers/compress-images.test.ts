/**
 * The MuPDF engine on image structures real files contain. External tools are hidden (empty
 * PATH, before the engine first looks) so every assertion is about our own output.
 */
process.env.PATH = '';
import t from 'tap';
import { photoPdf, grayScanPdf, bitonalScanPdf, cmykPdf, maskedPdf, sharedAndFormPdf, tinyJpegPdf } from '../helpers/image-fixtures.js';
import { compressBytes, imagesOf, pageCount, pageTexts, renderGray } from './compress-helpers.js';
import { maxBlockDiff } from '../../workers/compress/validate.js';

t.test('photos: every lossy level is smaller, levels are ordered, pages and text kept', async (t) => {
  const input = photoPdf(2, [1200, 800]);
  const sizes: Record<string, number> = {};
  for (const level of ['medium', 'high', 'maximum'] as const) {
    const { result, out } = await compressBytes(t, input, { compressionLevel: level });
    t.equal(result.engine, 'mupdf', level);
    t.equal(result.compressed_size, out.length);
    t.ok(out.length < input.length / 4, `${level}: ${out.length} < a quarter of ${input.length}`);
    t.equal(pageCount(out), 2);
    t.same(pageTexts(out), pageTexts(input), `${level} keeps the text`);
    t.equal(result.images.recompressed, 2);
    sizes[level] = out.length;
  }
  t.ok(sizes.maximum! <= sizes.high! && sizes.high! <= sizes.medium!, JSON.stringify(sizes));
});

t.test('a gray scan stays gray and 8-bit', async (t) => {
  const { out } = await compressBytes(t, grayScanPdf(1), { compressionLevel: 'high' });
  const [img] = imagesOf(out);
  t.equal(img?.colorSpace, '/DeviceGray');
  t.equal(img?.bpc, 8);
});

t.test('a 1-bit scan stays 1-bit', async (t) => {
  const input = bitonalScanPdf();
  const { out, result } = await compressBytes(t, input, { compressionLevel: 'maximum' });
  t.ok(result.compressed_size <= input.length);
  const [img] = imagesOf(out);
  t.equal(img?.bpc, 1);
  t.equal(img?.width, 2480, 'not resampled');
});

t.test('CMYK images (Flate and JPEG) come out RGB, not inverted', async (t) => {
  const input = cmykPdf();
  const { out } = await compressBytes(t, input);
  for (const img of imagesOf(out)) t.equal(img.colorSpace, '/DeviceRGB');
  for (const page of [0, 1]) t.ok(maxBlockDiff(renderGray(input, page), renderGray(out, page)) < 12, `page ${page + 1} looks the same`);
});

t.test('soft mask, ICC profile and Decode array survive', async (t) => {
  const input = maskedPdf();
  const { out } = await compressBytes(t, input);
  const imgs = imagesOf(out);
  t.ok(imgs.some((i) => i.hasSMask), 'the masked photo keeps its SMask');
  t.ok(imgs.some((i) => i.colorSpace.includes('ICCBased')), 'the ICC image keeps its profile');
  for (const page of [0, 1]) t.ok(maxBlockDiff(renderGray(input, page), renderGray(out, page)) < 12, `page ${page + 1} looks the same`);
});

t.test('an image shown at two sizes is sized for the larger; one inside a form is found', async (t) => {
  const { out } = await compressBytes(t, sharedAndFormPdf());
  const [shared, inner] = imagesOf(out);
  // Largest use: 555 pt = 7.7 in → 1,156 px at 150 ppi (the 100 pt thumbnail would need 208).
  t.ok(shared && shared.width > 1100 && shared.width < 1200, `shared image ${shared?.width} px wide`);
  // Drawn at 200 pt = 2.8 in → 417 px.
  t.ok(inner && inner.width > 400 && inner.width < 440, `form image ${inner?.width} px wide`);
});

t.test('an already small JPEG is never replaced by a bigger one', async (t) => {
  const input = tinyJpegPdf();
  const before = imagesOf(input)[0]!;
  const { out, result } = await compressBytes(t, input, { compressionLevel: 'maximum', imageQuality: 95 });
  t.ok(result.compressed_size <= input.length);
  t.ok(imagesOf(out)[0]!.length <= before.length);
});

t.test('grayscale turns colour images gray', async (t) => {
  const { out } = await compressBytes(t, photoPdf(1, [900, 600]), { grayscale: true });
  for (const img of imagesOf(out)) t.equal(img.colorSpace, '/DeviceGray');
});
