/** POST /api/compress/preview's analysis: counts, scan detection, estimates from a real sample. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { textPdf } from '../helpers/fixtures.js';
import { grayScanPdf, photoPdf } from '../helpers/image-fixtures.js';
import { compressPreview, type PreviewResult } from '../../workers/compress-preview.js';

async function preview(t: Test, bytes: Buffer): Promise<PreviewResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preview-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'in.pdf'), bytes);
  const r = await compressPreview({ input: path.join(dir, 'in.pdf'), maxPages: 100 });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

t.test('a photo PDF: images dominate, lossy estimates far below lossless and ordered', async (t) => {
  const input = photoPdf(2, [1200, 800]);
  const p = await preview(t, input);
  t.equal(p.pages, 2);
  t.equal(p.file_size, input.length);
  t.equal(p.images.count, 2);
  t.ok(p.images.share > 0.9, `image share ${p.images.share}`);
  t.equal(p.is_scan, false);
  t.equal(p.has_text_layer, true);
  t.ok(p.estimates.low.size <= input.length);
  t.ok(p.estimates.medium.size < p.estimates.low.size / 4, JSON.stringify(p.estimates));
  t.ok(p.estimates.maximum.size <= p.estimates.high.size && p.estimates.high.size <= p.estimates.medium.size);
  t.equal(p.sample.images, 2);
});

t.test('a gray page scan is recognised as a scan', async (t) => {
  const p = await preview(t, grayScanPdf(2));
  t.equal(p.is_scan, true);
});

t.test('a text PDF: no images, fonts counted, estimates equal the lossless size', async (t) => {
  const p = await preview(t, await textPdf(3));
  t.equal(p.images.count, 0);
  t.ok(p.fonts.count >= 1);
  t.equal(p.has_text_layer, true);
  t.equal(p.is_scan, false);
  t.equal(p.estimates.medium.size, p.estimates.low.size);
});
