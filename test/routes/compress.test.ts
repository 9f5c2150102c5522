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
  t.equal(job.download_url, `/api/jobs/${body.job_id}/download`);

  const dl = await app.inject({ method: 'GET', url: job.download_url });
  t.equal(dl.statusCode, 200);
  t.equal(dl.headers['content-type'], 'application/pdf');
  t.match(dl.headers['content-disposition'], /attachment; filename="report_compressed.pdf"/);
  t.equal(dl.rawPayload.length, job.result.compressed_size);
  const out = await PDFDocument.load(dl.rawPayload);
  t.equal(out.getPageCount(), 3);
});
