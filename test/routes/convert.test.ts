import t from 'tap';
import { multipart, startApp, waitForJob } from '../helpers/app.js';
import { docxText, documentXml, multiPagePdf, readZip, ruledTablePdf, scanPdf, styledPdf } from '../helpers/convert-fixtures.js';
import { encryptedPdf, textPdf } from '../helpers/fixtures.js';

// One app (one worker thread, ~1–2 s to start under the tap loader) for every case here.
t.test('POST /api/convert and /api/convert/preview', async (t) => {
  const { app } = await startApp(t);
  const submit = async (fields: Record<string, string>, pdf?: Buffer, name = 'report.pdf') =>
    app.inject({ method: 'POST', url: '/api/convert', ...(await multipart(fields, pdf ? [{ name, data: pdf }] : [])) });

  t.test('docx: 202, a convert job with progress, a download named after the upload', async (t) => {
    const res = await submit({ format: 'docx', options: '{"pages": "1"}' }, await styledPdf(), 'Annual report.pdf');
    t.equal(res.statusCode, 202, res.body);
    t.match(res.json(), { success: true, status: 'pending', message: /docx/ });
    const job = await waitForJob(app, res.json().job_id);
    t.equal(job.status, 'completed', JSON.stringify(job));
    t.equal(job.task_type, 'convert');
    t.equal(job.progress.percent, 100);
    t.match(job.result, { format: 'docx', pages_converted: 1, pages_without_text: [], tables_found: 0, images_found: 1, original_filename: 'Annual report.pdf', pages: '1' });
    const dl = await app.inject({ method: 'GET', url: job.download_url });
    t.equal(dl.statusCode, 200);
    t.equal(dl.headers['content-type'], 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    t.match(dl.headers['content-disposition'], /filename="Annual report.docx"/);
    t.match(docxText(documentXml(dl.rawPayload)), /Annual Report\nSummary of the year\n/);
  });

  t.test('xlsx of a ruled table and a zip of page images', async (t) => {
    const xlsx = await waitForJob(app, (await submit({ format: 'xlsx' }, await ruledTablePdf())).json().job_id);
    t.match(xlsx.result, { format: 'xlsx', tables_found: 1 });
    const images = await waitForJob(app, (await submit({ format: 'images', options: '{"dpi": 40, "imageFormat": "jpeg"}' }, await textPdf(2))).json().job_id);
    t.match(images.result, { format: 'images', pages_converted: 2 });
    const dl = await app.inject({ method: 'GET', url: images.download_url });
    t.equal(dl.headers['content-type'], 'application/zip');
    t.match(dl.headers['content-disposition'], /filename="report.zip"/);
    t.same(readZip(dl.rawPayload).map((e) => e.name), ['page-1.jpg', 'page-2.jpg']);
  });

  t.test('a scan page is reported with a note; ocr:true runs OCR on it first', async (t) => {
    const plain = await waitForJob(app, (await submit({ format: 'txt' }, await scanPdf())).json().job_id);
    t.match(plain.result, { pages_without_text: [2], notes: [{ code: 'NO_TEXT_LAYER', pages: [2], message: /"ocr": true/ }] });
    // The "scan" here is a picture without writing: OCR runs on page 2 only and finds nothing.
    const job = await waitForJob(app, (await submit({ format: 'txt', options: '{"ocr": true}' }, await scanPdf())).json().job_id, 180_000);
    t.match(job.result, { ocr: { pages_ocr: [2] }, pages_without_text: [2], notes: [{ code: 'NO_TEXT_LAYER', pages: [2], message: /OCR found no text/ }] });
  });

  t.test('bad fields and options: 400 INVALID_OPTIONS naming the field', async (t) => {
    const pdf = await textPdf(2);
    const cases: [Record<string, string>, string, RegExp][] = [
      [{}, 'format', /format is required/],
      [{ format: 'pptx' }, 'format', /format="pptx" is not valid: expected one of txt, html, docx, xlsx, images/],
      [{ format: 'docx', options: '{pages: 1' }, 'options', /options is not valid JSON/],
      [{ format: 'docx', options: '[1]' }, 'options', /options must be a JSON object/],
      [{ format: 'docx', options: '{"pages": "3-1"}' }, 'options.pages', /options.pages: "3-1" is not a valid range/],
      [{ format: 'docx', options: '{"pages": "7"}' }, 'options.pages', /page 7 does not exist \(the document has 2\)/],
      [{ format: 'images', options: '{"dpi": 5000}' }, 'options.dpi', /expected an integer from 36 to 300/],
      [{ format: 'images', options: '{"imageFormat": "gif"}' }, 'options.imageFormat', /expected one of png, jpeg/],
      [{ format: 'txt', options: '{"ocr": "yes"}' }, 'options.ocr', /expected true or false/],
    ];
    for (const [fields, field, message] of cases) {
      const res = await submit(fields, pdf);
      t.equal(res.statusCode, 400, `${JSON.stringify(fields)}: ${res.body}`);
      t.match(res.json().error, { code: 'INVALID_OPTIONS', message, details: { fields: [{ field }] } });
    }
  });

  t.test('refused uploads: no file, encrypted PDF', async (t) => {
    t.match((await submit({ format: 'docx' })).json().error, { code: 'NO_FILE' });
    const locked = await submit({ format: 'docx' }, await encryptedPdf());
    t.equal(locked.statusCode, 422);
    t.equal(locked.json().error.code, 'ENCRYPTED_PDF');
  });

  t.test('preview answers at once, creates no job', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/api/convert/preview', ...(await multipart({ format: 'docx' }, [{ name: 'scan.pdf', data: await scanPdf() }])) });
    t.equal(res.statusCode, 200, res.body);
    const body = res.json();
    t.match(body, { success: true, format: 'docx', page_count: 2, pages_selected: 2, pages_without_text: [2], images_found: 1, sample: { pages: [1, 2] } });
    t.match(body.pages, [{ page: 1, has_text: true }, { page: 2, has_text: false }]);
    t.ok(body.estimated_output_size > 0 && body.estimated_time_s >= 0);
    t.match(body.notes, [{ code: 'NO_TEXT_LAYER' }]);
    const bad = await app.inject({ method: 'POST', url: '/api/convert/preview', ...(await multipart({ format: 'odt' }, [{ name: 'a.pdf', data: await textPdf(1) }])) });
    t.equal(bad.statusCode, 400);
    t.equal(bad.json().error.details.fields[0].field, 'format');
  });
});

t.test('a long document is split over two threads and joins back in page order', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2' });
  const { pdf, lines } = await multiPagePdf(30);
  const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
  const submit = async (format: string) => app.inject({ method: 'POST', url: '/api/convert', ...(await multipart({ format }, [{ name: 'long.pdf', data: pdf }])) });

  const docx = await waitForJob(app, (await submit('docx')).json().job_id);
  t.match(docx.result, { format: 'docx', pages_converted: 30, page_count: 30, pages_without_text: [] });
  const pages = docxText(documentXml((await app.inject({ method: 'GET', url: docx.download_url })).rawPayload)).split('\f');
  t.equal(pages.length, 30);
  t.same(pages.map(squash), lines.map((l) => squash(l.join(' '))));

  const html = await waitForJob(app, (await submit('html')).json().job_id);
  const body = (await app.inject({ method: 'GET', url: html.download_url })).body;
  t.equal(body.match(/<section class="page"/g)?.length, 30);
  t.equal(body.match(/<hr class="page-break">/g)?.length, 29);
  t.ok(body.indexOf('id="page-1"') < body.indexOf('id="page-30"'));
  t.match(body, /<h\d>Chapter 1 heading<\/h\d>|<p>Chapter 1 heading<\/p>/);
});
