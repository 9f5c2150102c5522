import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { multipart, startApp, tempDir, waitForJob } from '../helpers/app.js';
import { cli } from '../helpers/cli.js';
import { charAccuracy, imagePdf, LETTER_LINES, LETTER_SIZE, scanPdf, turnedScan, typesetPdf } from '../helpers/ocr-fixtures.js';

/** `pdf-smaller ocr …` in-process, as a user runs it (its own file: OCR is the slow part). */
t.test('ocr runs in-process: a sideways scan read upright, text and a sidecar, the same bytes as the server', async (t) => {
  const dir = tempDir(t);
  // A letter's worth of lines: orientation detection needs enough text to be sure.
  const [page] = scanPdf(await typesetPdf([LETTER_LINES], LETTER_SIZE));
  const scan = imagePdf([await turnedScan(page!, 90)]);
  writeFileSync(path.join(dir, 'scan.pdf'), scan);
  writeFileSync(path.join(dir, 'page.png'), page!.png);
  const truth = LETTER_LINES.join('\n');

  const text = await cli(['ocr', 'page.png', '--output-format', 'text', '-o', '-', '-q'], { cwd: dir });
  t.equal(text.code, 0, text.stderr);
  t.ok(charAccuracy(truth, text.stdout.toString('utf8')) >= 0.98, 'an image read to standard output');

  const side = await cli(['ocr', 'scan.pdf', '--sidecar', '--json'], { cwd: dir });
  t.equal(side.code, 0, side.stderr);
  const report = JSON.parse(side.stdout.toString());
  t.match(report.files[0].result, { pages_rotated: [{ page: 1 }] }, 'the sideways page was turned');
  t.ok(existsSync(path.join(dir, 'scan_ocr.pdf')) && existsSync(path.join(dir, 'scan_ocr.txt')), 'the PDF and its text side by side');
  t.ok(charAccuracy(truth, readFileSync(path.join(dir, 'scan_ocr.txt'), 'utf8')) >= 0.97, 'read upright');
  t.equal((await cli(['ocr', 'scan.pdf', '--sidecar', '-o', '-'], { cwd: dir })).code, 2, 'several files cannot go to standard output');

  const { app } = await startApp(t, { WORKER_THREADS: '2' });
  const form = await multipart({ options: JSON.stringify({ outputFormat: 'searchable_pdf' }) }, [{ name: 'scan.pdf', data: scan }]);
  const submitted = await app.inject({ method: 'POST', url: '/api/ocr', payload: form.payload, headers: form.headers });
  const job = await waitForJob(app, submitted.json().job_id, 180_000);
  t.equal(job.status, 'completed');
  const server = (await app.inject({ method: 'GET', url: job.download_url })).rawPayload;
  const local = await cli(['ocr', 'scan.pdf', '-o', 'local.pdf', '-q'], { cwd: dir });
  t.equal(local.code, 0, local.stderr);
  t.ok(readFileSync(path.join(dir, 'local.pdf')).equals(server), 'the same bytes as the server');
  const bad = await cli(['ocr', 'page.png', '--language', 'xxx'], { cwd: dir });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /UNSUPPORTED_LANGUAGE/);
});
