import t from 'tap';
import { PDFDocument } from 'pdf-lib';
import { multipart, startApp, waitForJob } from '../helpers/app.js';
import { textPdf } from '../helpers/fixtures.js';

t.test('compress: submit, poll, download a valid smaller PDF with the same pages', async (t) => {
  const { app } = await startApp(t);
  const pdf = await textPdf(3);
  const res = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ compressionLevel: 'low' }, [{ name: 'report.pdf', data: pdf }])) });
  t.equal(res.statusCode, 202, res.body);
  const body = res.json();
  t.equal(body.success, true);
  t.equal(body.status, 'pending');
  t.match(body.job_id, /^[0-9a-f-]{36}$/);
  t.ok(res.headers['x-request-id']);

  const job = await waitForJob(app, body.job_id);
  t.equal(job.status, 'completed', JSON.stringify(job));
  t.equal(job.task_type, 'compress');
  t.equal(job.progress.percent, 100);
  t.equal(job.result.original_size, pdf.length);
  t.equal(job.result.original_filename, 'report.pdf');
  t.ok(job.result.compressed_size <= pdf.length, 'never larger than the input');
  t.match(job.download_url, new RegExp(`^/api/jobs/${body.job_id}/download\\?expires=\\d+&sig=[\\w-]+$`), 'a signed link');

  const dl = await app.inject({ method: 'GET', url: job.download_url });
  t.equal(dl.statusCode, 200);
  t.equal(dl.headers['content-type'], 'application/pdf');
  t.match(dl.headers['content-disposition'], /attachment; filename="report_compressed.pdf"/);
  t.equal(dl.rawPayload.length, job.result.compressed_size);
  const out = await PDFDocument.load(dl.rawPayload);
  t.equal(out.getPageCount(), 3);
});

t.test('compress/preview estimates each level from the real file; no job', async (t) => {
  const { app } = await startApp(t, {}, { dispatch: false });
  const res = await app.inject({ method: 'POST', url: '/api/compress/preview', ...(await multipart({}, [{ name: 'a.pdf', data: await textPdf(2) }])) });
  t.equal(res.statusCode, 200, res.body);
  const p = res.json();
  t.match(p, { success: true, pages: 2, has_text_layer: true, is_scan: false, fonts: { count: Number } });
  for (const level of ['low', 'medium', 'high', 'maximum']) t.ok(p.estimates[level].size <= p.file_size, `${level} estimate`);
  t.same(p.scans, { pages: 0, sampled_pages: 0 }, 'no page scans');
  for (const level of ['low', 'medium', 'high', 'maximum']) t.same(p.estimates[level].scan_pages, { bilevel: 0, mrc: 0, picture: 0 }, `${level} scan pages`);
  const none = await app.inject({ method: 'GET', url: '/api/health' });
  t.equal(none.json().queue.pending, 0, 'no job created');
  const bad = await app.inject({ method: 'POST', url: '/api/compress/preview', ...(await multipart({}, [{ name: 'a.pdf', data: Buffer.from('nope') }])) });
  t.equal(bad.json().error.code, 'INVALID_FILE_TYPE');
});

t.test('grayscale, removeMetadata and targetSizeMB are accepted and validated', async (t) => {
  const { app } = await startApp(t);
  const ok = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ grayscale: 'true', removeMetadata: 'true', targetSizeMB: '0.5' }, [{ name: 'a.pdf', data: await textPdf(1) }])) });
  t.equal(ok.statusCode, 202, ok.body);
  const job = await waitForJob(app, ok.json().job_id);
  t.equal(job.status, 'completed', JSON.stringify(job.error));
  t.equal(job.result.target_met, true);
  const bad = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ targetSizeMB: '-1' }, [{ name: 'a.pdf', data: await textPdf(1) }])) });
  t.equal(bad.json().error.code, 'INVALID_OPTIONS');
  t.match(bad.json().error.message, /targetSizeMB="-1" is not valid: expected a number from 0.01 to 100000/);
  const notBool = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ grayscale: 'maybe' }, [{ name: 'a.pdf', data: await textPdf(1) }])) });
  t.match(notBool.json().error.message, /grayscale="maybe" is not valid: expected true or false/);
});
