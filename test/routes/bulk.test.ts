import { readdirSync } from 'node:fs';
import t from 'tap';
import { PDFDocument } from 'pdf-lib';
import { countByStatus } from '../../src/queue/index.js';
import { multipart, startApp, waitForJob } from '../helpers/app.js';
import { notAPdf, textPdf, truncatedPdf } from '../helpers/fixtures.js';
import { readZip } from '../helpers/zip.js';

const pages = async (bytes: Buffer) => (await PDFDocument.load(bytes)).getPageCount();

t.test('a mixed batch: valid files compressed, the broken one reported, one zip, ?file=N', async (t) => {
  const { app } = await startApp(t, { WORKER_THREADS: '2' });
  const inputs = [
    { field: 'files', name: 'a.pdf', data: await textPdf(1) },
    { field: 'files', name: 'broken.pdf', data: await truncatedPdf() },
    { field: 'files', name: 'a.pdf', data: await textPdf(2) },
    { field: 'files', name: '../../x.pdf', data: await textPdf(3) },
  ];
  const res = await app.inject({ method: 'POST', url: '/api/bulk', ...(await multipart({ compressionLevel: 'low' }, inputs)) });
  t.equal(res.statusCode, 202, res.body);
  t.equal(res.json().file_count, 4);
  const job = await waitForJob(app, res.json().job_id);
  t.equal(job.status, 'completed', JSON.stringify(job.error));
  t.equal(job.task_type, 'bulk_compress');
  t.match(job.result, { file_count: 4, succeeded: 3, failed: 1 });
  const entries = job.result.files as Record<string, any>[];
  t.same(entries.map((e) => [e.index, e.original_filename, e.status]), [
    [0, 'a.pdf', 'completed'],
    [1, 'broken.pdf', 'failed'],
    [2, 'a.pdf', 'completed'],
    [3, 'x.pdf', 'completed'],
  ]);
  t.equal(entries[1]!.error.code, 'INVALID_PDF', 'the broken file carries its code');
  t.same(entries.filter((e) => e.status === 'completed').map((e) => e.download_name), ['a.pdf', 'a (2).pdf', 'x.pdf'], 'unique, safe names');
  for (const e of entries.filter((x) => x.status === 'completed')) {
    t.ok(e.compressed_size <= e.original_size, `${e.download_name} not larger`);
    t.type(e.engine, 'string');
  }
  t.equal(job.result.original_size, entries.filter((e) => e.status === 'completed').reduce((a, e) => a + e.original_size, 0));

  const zipRes = await app.inject({ method: 'GET', url: job.download_url });
  t.equal(zipRes.statusCode, 200);
  t.equal(zipRes.headers['content-type'], 'application/zip');
  t.match(zipRes.headers['content-disposition'], /compressed_files\.zip/);
  t.equal(Number(zipRes.headers['content-length']), zipRes.rawPayload.length, 'exact Content-Length');
  const zip = await readZip(zipRes.rawPayload);
  t.same([...zip.keys()].sort(), ['a (2).pdf', 'a.pdf', 'x.pdf']);
  t.equal(await pages(zip.get('a.pdf')!), 1);
  t.equal(await pages(zip.get('a (2).pdf')!), 2);
  t.equal(await pages(zip.get('x.pdf')!), 3);

  const one = await app.inject({ method: 'GET', url: `${job.download_url}&file=2` });
  t.equal(one.statusCode, 200);
  t.match(one.headers['content-disposition'], /filename="a \(2\)\.pdf"/);
  t.equal(await pages(one.rawPayload), 2);
  const failedOne = await app.inject({ method: 'GET', url: `${job.download_url}&file=1` });
  t.equal(failedOne.statusCode, 404, 'the failed file has no result');
  t.equal(failedOne.json().error.code, 'JOB_NOT_FOUND');
});

t.test('hostile names: long, unicode, control characters, Windows paths', async (t) => {
  const { app } = await startApp(t);
  const long = `${'x'.repeat(1000)}.pdf`;
  const names = [long, 'résumé 履歴書.pdf', 'a\u0000b\u0007c.pdf', 'C:\\Users\\me\\..\\evil.pdf', '....pdf'];
  const files = await Promise.all(names.map(async (name) => ({ field: 'files', name, data: await textPdf(1, { words: 10 }) })));
  const res = await app.inject({ method: 'POST', url: '/api/bulk', ...(await multipart({ compressionLevel: 'low' }, files)) });
  t.equal(res.statusCode, 202, res.body);
  const job = await waitForJob(app, res.json().job_id);
  const got = (job.result.files as { download_name: string }[]).map((e) => e.download_name);
  t.equal(got[0]!.length, 150, 'long names cut, extension kept');
  t.match(got[0], /\.pdf$/);
  t.equal(got[1], 'résumé 履歴書.pdf');
  t.equal(got[2], 'abc.pdf');
  t.equal(got[3], 'evil.pdf');
  t.equal(got[4], 'pdf', 'leading dots removed');
  const zip = await readZip((await app.inject({ method: 'GET', url: job.download_url })).rawPayload);
  for (const name of zip.keys()) t.notMatch(name, /[\\/]|\.\.|\u0000/, `${name} is a plain file name`);
  t.equal(zip.size, 5);
});

t.test('all files refused → 4xx at submission, no job, nothing stored', async (t) => {
  const { app } = await startApp(t, {}, { dispatch: false });
  const res = await app.inject({
    method: 'POST',
    url: '/api/bulk',
    ...(await multipart({}, [
      { field: 'files', name: 'a.html', data: notAPdf },
      { field: 'files', name: 'b.pdf', data: await truncatedPdf() },
    ])),
  });
  t.equal(res.statusCode, 415);
  t.equal(res.json().error.code, 'INVALID_FILE_TYPE');
  t.same(res.json().error.details.files.map((f: { code: string }) => f.code), ['INVALID_FILE_TYPE', 'INVALID_PDF']);
  t.equal(Object.values(await countByStatus(app.store.db)).reduce((a, b) => a + b, 0), 0);
  t.same(readdirSync(app.storage.stagingRoot), []);
});

t.test('more files than MAX_FILES → 400 TOO_MANY_FILES; the total size is bounded', async (t) => {
  const { app } = await startApp(t, { MAX_FILES: '2', MAX_TOTAL_UPLOAD_MB: '1' }, { dispatch: false });
  const pdf = await textPdf(1);
  const three = [1, 2, 3].map((i) => ({ field: 'files', name: `${i}.pdf`, data: pdf }));
  const res = await app.inject({ method: 'POST', url: '/api/bulk', ...(await multipart({}, three)) });
  t.equal(res.statusCode, 400);
  t.equal(res.json().error.code, 'TOO_MANY_FILES');
  t.same(readdirSync(app.storage.stagingRoot), [], 'nothing left stored');

  const big = Buffer.concat([pdf, Buffer.alloc(700 * 1024, 32)]);
  const tooBig = await app.inject({ method: 'POST', url: '/api/bulk', ...(await multipart({}, [{ field: 'files', name: 'a.pdf', data: big }, { field: 'files', name: 'b.pdf', data: big }])) });
  t.equal(tooBig.statusCode, 413);
  t.match(tooBig.json().error.message, /together/);
  const none = await app.inject({ method: 'POST', url: '/api/bulk', ...(await multipart({}, [{ field: 'file', name: 'a.pdf', data: pdf }])) });
  t.equal(none.json().error.code, 'NO_FILE');
  t.match(none.json().error.message, /"files"/);
});
