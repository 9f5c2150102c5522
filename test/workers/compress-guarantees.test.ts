/**
 * What the task promises whatever the input: lossless `low`, never larger than the input,
 * target sizes reported honestly, coded errors, progress stages. MuPDF only (empty PATH).
 */
process.env.PATH = '';
import { MessageChannel } from 'node:worker_threads';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { textPdf, truncatedPdf } from '../helpers/fixtures.js';
import { maskedPdf, photoPdf } from '../helpers/image-fixtures.js';
import { compress } from '../../workers/compress.js';
import { compressBytes, pageCount, pageTexts, renderGray, trailerHas } from './compress-helpers.js';

t.test('low is lossless: same text, identical rendering, smaller', async (t) => {
  for (const input of [await textPdf(4), maskedPdf()]) {
    const { out, result } = await compressBytes(t, input, { compressionLevel: 'low' });
    t.ok(out.length < input.length, `${out.length} < ${input.length}`);
    t.equal(result.engine, 'mupdf');
    t.same(pageTexts(out), pageTexts(input));
    for (let i = 0; i < pageCount(input); i++) t.ok(Buffer.from(renderGray(out, i).px).equals(Buffer.from(renderGray(input, i).px)), `page ${i + 1} renders identically`);
  }
});

t.test('nothing to gain: the output is the input, byte for byte, engine "none"', async (t) => {
  const first = await compressBytes(t, await textPdf(2), { compressionLevel: 'low' });
  const { out, result } = await compressBytes(t, first.out, { compressionLevel: 'low' });
  t.ok(out.length <= first.out.length);
  if (result.engine === 'none') {
    t.ok(out.equals(first.out), 'byte copy');
    t.match(result.note, /original file is returned unchanged/);
    t.equal(result.compression_ratio, 0);
  }
});

t.test('targetSizeMB: reached with stronger settings, or reported as missed', async (t) => {
  const input = photoPdf(2, [1500, 1000]);
  const medium = await compressBytes(t, input, { compressionLevel: 'medium' });
  const reachable = await compressBytes(t, input, { compressionLevel: 'medium', targetSizeMB: (medium.out.length * 0.6) / 1e6 });
  t.equal(reachable.result.target_met, true);
  t.ok(reachable.out.length <= medium.out.length * 0.6);
  t.ok(reachable.result.candidates.length > 1, 'stronger attempts are listed');
  const impossible = await compressBytes(t, input, { compressionLevel: 'medium', targetSizeMB: 0.001 });
  t.equal(impossible.result.target_met, false);
  t.match(impossible.result.note, /target size could not be reached/);
  t.ok(impossible.out.length < input.length);
});

t.test('removeMetadata drops the document info', async (t) => {
  const input = await textPdf(1);
  t.ok(trailerHas(input, 'Info'), 'pdf-lib writes an Info dictionary');
  const { out } = await compressBytes(t, input, { compressionLevel: 'low', removeMetadata: true });
  t.notOk(trailerHas(out, 'Info'));
});

t.test('coded errors: not a PDF, too many pages', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compress-err-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'bad.pdf'), await truncatedPdf());
  writeFileSync(path.join(dir, 'long.pdf'), await textPdf(3));
  const run = (input: string, maxPages: number) => compress({ input: path.join(dir, input), output: path.join(dir, 'out.pdf'), workDir: dir, maxPages, options: { compressionLevel: 'medium', imageQuality: 80 } });
  const bad = await run('bad.pdf', 10);
  t.equal(bad.ok, false);
  if (!bad.ok) t.equal(bad.error.code, 'INVALID_PDF');
  const long = await run('long.pdf', 2);
  t.equal(long.ok, false);
  if (!long.ok) t.equal(long.error.code, 'TOO_MANY_PAGES');
});

t.test('progress goes through analysing, images n/m, saving, validating', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compress-progress-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'in.pdf'), photoPdf(2, [900, 600]));
  const { port1, port2 } = new MessageChannel();
  const stages: string[] = [];
  port2.on('message', (m: { percent: number; stage: string }) => stages.push(m.stage));
  const r = await compress({ input: path.join(dir, 'in.pdf'), output: path.join(dir, 'out.pdf'), workDir: dir, maxPages: 10, options: { compressionLevel: 'high', imageQuality: 70 }, progressPort: port1 });
  await new Promise((resolve) => setImmediate(resolve));
  port2.close();
  t.equal(r.ok, true);
  t.ok(readFileSync(path.join(dir, 'out.pdf')).length > 0);
  for (const stage of [/^analysing$/, /^images 1\/2$/, /^saving$/, /^validating$/]) t.ok(stages.some((s) => stage.test(s)), `${stage} in ${stages.join(', ')}`);
});
