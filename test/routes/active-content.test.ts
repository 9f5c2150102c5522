import t from 'tap';
import { multipart, startApp, waitForJob } from '../helpers/app.js';
import { activePdf } from '../helpers/active-fixtures.js';
import { encryptedPdf, textPdf } from '../helpers/fixtures.js';

t.test('previews report active content; sanitize=true removes it and says what', async (t) => {
  const { app } = await startApp(t);
  const pdf = await activePdf();
  const file = [{ name: 'active.pdf', data: pdf }];
  for (const [url, fields] of [
    ['/api/compress/preview', {}],
    ['/api/convert/preview', { format: 'txt' }],
    ['/api/ocr/preview', {}],
  ] as const) {
    const res = await app.inject({ method: 'POST', url, ...(await multipart(fields, file)) });
    t.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 200)}`);
    t.match(res.json().active_content, { javascript: 3, launch: 1, embedded_files: 2, open_action: true, forms: { xfa: true } }, url);
  }

  const c = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ compressionLevel: 'low', sanitize: 'true' }, file)) });
  t.equal(c.statusCode, 202, c.body);
  const job = await waitForJob(app, c.json().job_id);
  t.equal(job.status, 'completed', JSON.stringify(job.error));
  t.match(job.result.sanitized, { javascript: 3, launch: 1, uri: 1, submit_form: 1, embedded_files: 2 });
  t.equal(job.result.original_size, pdf.length, 'sizes are against the uploaded file');
  const out = (await app.inject({ method: 'GET', url: job.download_url })).rawPayload;
  const again = await app.inject({ method: 'POST', url: '/api/compress/preview', ...(await multipart({}, [{ name: 'out.pdf', data: out }])) });
  t.match(again.json().active_content, { javascript: 0, launch: 0, uri: 0, embedded_files: 0, open_action: false, forms: { xfa: false } }, 'the result is clean');

  const v = await app.inject({ method: 'POST', url: '/api/convert', ...(await multipart({ format: 'txt', sanitize: 'true' }, file)) });
  const conv = await waitForJob(app, v.json().job_id);
  t.equal(conv.status, 'completed', JSON.stringify(conv.error));
  t.match(conv.result.sanitized, { javascript: 3 });
  t.match((await app.inject({ method: 'GET', url: conv.download_url })).body, /Quarterly report with active content/);
});

t.test('a password opens an encrypted PDF once; it is never stored', async (t) => {
  const { app } = await startApp(t);
  const locked = [{ name: 'locked.pdf', data: await encryptedPdf() }];
  const none = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({}, locked)) });
  t.equal(none.json().error.code, 'ENCRYPTED_PDF');
  t.match(none.json().error.message, /"password" field/);
  const wrong = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ password: 'nope' }, locked)) });
  t.equal(wrong.json().error.code, 'ENCRYPTED_PDF');
  t.match(wrong.json().error.message, /does not open/);
  const ok = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ password: 'secret', compressionLevel: 'low' }, locked)) });
  t.equal(ok.statusCode, 202, ok.body);
  const job = await waitForJob(app, ok.json().job_id);
  t.equal(job.status, 'completed', JSON.stringify(job.error));
  const row = await app.store.db.selectFrom('jobs').select('input').where('id', '=', job.job_id).executeTakeFirstOrThrow();
  t.notMatch(row.input, /secret/, 'the password is not in the job row');
  const mupdf = await import('mupdf');
  const out = mupdf.Document.openDocument((await app.inject({ method: 'GET', url: job.download_url })).rawPayload, 'application/pdf');
  t.equal(out.needsPassword(), false, 'the result opens without a password');
  const conv = await app.inject({ method: 'POST', url: '/api/convert', ...(await multipart({ format: 'txt', password: 'secret' }, locked)) });
  t.equal((await waitForJob(app, conv.json().job_id)).status, 'completed');
  void textPdf;
});
