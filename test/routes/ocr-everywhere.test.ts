import t from 'tap';
import { multipart, startApp, waitForJob } from '../helpers/app.js';
import { charAccuracy, imagePdf, PAGE_LINES, scanPdf, turnedScan, typesetPdf } from '../helpers/ocr-fixtures.js';

// A scanned page (an image, no text layer) of known text, shared by the tests below.
const scan = async () => imagePdf(scanPdf(await typesetPdf([PAGE_LINES[0]!])));
const expected = PAGE_LINES[0]!.join('\n');

t.test('convert with options.ocr reads a scanned page as text', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2' });
  const pdf = await scan();
  const plain = await app.inject({ method: 'POST', url: '/api/convert', ...(await multipart({ format: 'txt' }, [{ name: 'scan.pdf', data: pdf }])) });
  const without = await waitForJob(app, plain.json().job_id);
  t.same(without.result.pages_without_text, [1]);
  t.match(without.result.notes, [{ code: 'NO_TEXT_LAYER', message: /ocr": true/ }]);

  const res = await app.inject({ method: 'POST', url: '/api/convert', ...(await multipart({ format: 'txt', options: JSON.stringify({ ocr: true }) }, [{ name: 'scan.pdf', data: pdf }])) });
  t.equal(res.statusCode, 202, res.body);
  const job = await waitForJob(app, res.json().job_id, 180_000);
  t.equal(job.status, 'completed', JSON.stringify(job.error));
  t.same(job.result.pages_without_text, [], 'no page left without text');
  t.match(job.result.ocr, { pages_ocr: [1] });
  const txt = (await app.inject({ method: 'GET', url: job.download_url })).body;
  const accuracy = charAccuracy(expected, txt);
  t.ok(accuracy >= 0.98, `character accuracy ${accuracy}`);

  // The same page scanned sideways: turned upright before its text is read.
  const sideways = imagePdf([await turnedScan(scanPdf(await typesetPdf([PAGE_LINES[0]!]))[0]!, 90)]);
  const turned = await app.inject({ method: 'POST', url: '/api/convert', ...(await multipart({ format: 'txt', options: JSON.stringify({ ocr: true }) }, [{ name: 'sideways.pdf', data: sideways }])) });
  const turnedJob = await waitForJob(app, turned.json().job_id, 180_000);
  t.equal(turnedJob.status, 'completed', JSON.stringify(turnedJob.error));
  const turnedAccuracy = charAccuracy(expected, (await app.inject({ method: 'GET', url: turnedJob.download_url })).body);
  t.ok(turnedAccuracy >= 0.97, `a page scanned sideways reads at ${turnedAccuracy}`);

  const bad = await app.inject({ method: 'POST', url: '/api/convert', ...(await multipart({ format: 'txt', options: JSON.stringify({ ocr: true, language: 'xx' }) }, [{ name: 'scan.pdf', data: pdf }])) });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().error.code, 'UNSUPPORTED_LANGUAGE');
});

t.test('an AI summary of a scanned PDF goes through OCR (offline summariser)', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2' });
  const res = await app.inject({ method: 'POST', url: '/api/ai/summarize', ...(await multipart({}, [{ name: 'scan.pdf', data: await scan() }])) });
  t.equal(res.statusCode, 202, res.body);
  const job = await waitForJob(app, res.json().job_id, 180_000);
  t.equal(job.status, 'completed', JSON.stringify(job.error));
  t.equal(job.result.engine, 'extractive');
  t.same(job.result.pages_without_text, []);
  const words = PAGE_LINES[0]!.join(' ').split(/\s+/).filter((w) => w.length > 4);
  t.ok(words.some((w) => job.result.summary.includes(w)), 'the summary holds words read from the scan');
});
