import t from 'tap';
import { multipart, startApp } from '../helpers/app.js';
import { textPdf } from '../helpers/fixtures.js';

async function post(app: Awaited<ReturnType<typeof startApp>>['app'], url: string, fields: Record<string, string>, headers: Record<string, string> = {}, name = 'report.pdf') {
  const form = await multipart(fields, [{ name, data: await textPdf(2) }]);
  return app.inject({ method: 'POST', url, payload: form.payload, headers: { ...form.headers, ...headers } });
}

t.test('?wait=S answers the result itself when the job finishes in time', async (t) => {
  const { app } = await startApp(t);
  const res = await post(app, '/api/compress?wait=60', { compressionLevel: 'low' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'application/pdf');
  t.match(res.headers['content-disposition'], /filename="report_compressed\.pdf"/);
  t.equal(res.rawPayload.subarray(0, 5).toString(), '%PDF-');
  const id = res.headers['x-job-id'] as string;
  const job = (await app.inject({ method: 'GET', url: `/api/jobs/${id}` })).json();
  t.equal(job.status, 'completed', 'the job exists, and is the one answered');
  t.equal(job.result.compressed_size, res.rawPayload.length);

  const summary = await app.inject({ method: 'POST', url: '/api/ai/summarize?wait=60', payload: { text: 'The cat sat on the mat. The dog barked at the cat. Then both went to sleep in the sun.' } });
  t.equal(summary.statusCode, 200, 'a result without a file: the job JSON');
  t.match(summary.json(), { status: 'completed', task_type: 'ai_summarize', result: { summary: /\w/ } });

  const bulk = await (async () => {
    const form = await multipart({ compressionLevel: 'low' }, [
      { field: 'files', name: 'a.pdf', data: await textPdf(1) },
      { field: 'files', name: 'b.pdf', data: await textPdf(1) },
    ]);
    return app.inject({ method: 'POST', url: '/api/bulk?wait=60', payload: form.payload, headers: form.headers });
  })();
  t.equal(bulk.statusCode, 200);
  t.equal(bulk.headers['content-type'], 'application/zip', 'a bulk job: its zip');
});

t.test('a job that does not finish in time answers 202 as usual, and exists', async (t) => {
  const { app } = await startApp(t, {}, { dispatch: false });
  const res = await post(app, '/api/compress?wait=1', {});
  t.equal(res.statusCode, 202);
  t.equal(res.json().status, 'pending');
  t.equal(res.headers['x-job-id'], res.json().job_id);
  t.equal((await app.inject({ method: 'GET', url: `/api/jobs/${res.json().job_id}` })).json().status, 'pending');
  for (const wait of ['0', '121', 'abc', '-5']) {
    const bad = await post(app, `/api/compress?wait=${wait}`, {});
    t.equal(bad.statusCode, 400, `wait=${wait}`);
    t.equal(bad.json().error.code, 'INVALID_OPTIONS');
  }
});

t.test('Idempotency-Key works like job_id, scoped to the API key', async (t) => {
  const { app } = await startApp(t, { API_KEYS: 'key-a-0123456789,key-b-0123456789' }, { dispatch: false });
  const A = { 'x-api-key': 'key-a-0123456789' };
  const B = { 'x-api-key': 'key-b-0123456789' };
  const first = await post(app, '/api/compress', {}, { ...A, 'idempotency-key': 'order-4711' });
  t.equal(first.statusCode, 202);
  const again = await post(app, '/api/compress', {}, { ...A, 'idempotency-key': '"order-4711"' });
  t.equal(again.json().job_id, first.json().job_id, 'the same key (quoted, as the IETF draft writes it) is the same job');
  t.equal(again.json().message, 'A job with this id already exists; returning it.');
  const other = await post(app, '/api/compress', {}, { ...B, 'idempotency-key': 'order-4711' });
  t.equal(other.statusCode, 202, 'another API key with the same value gets a job of its own');
  t.not(other.json().job_id, first.json().job_id);
  t.equal((await app.inject({ method: 'GET', url: `/api/jobs/${first.json().job_id}`, headers: B })).statusCode, 404);
  const both = await post(app, '/api/compress', { job_id: '6f1c2a9e-0000-4000-8000-000000000001' }, { ...A, 'idempotency-key': 'order-4712' });
  t.equal(both.statusCode, 400);
  t.match(both.json().error.message, /either a job_id field or an Idempotency-Key/);
  const bad = await post(app, '/api/compress', {}, { ...A, 'idempotency-key': 'x'.repeat(300) });
  t.equal(bad.statusCode, 400);
});

t.test('a job that fails while its submission waits answers its own code, naming the job', async (t) => {
  const { app } = await startApp(t, {}, { dispatch: false });
  const waiting = post(app, '/api/compress?wait=60', {});
  // Once the job exists, its stored input is damaged on disk before it runs (as a disk could).
  const { readdir, writeFile } = await import('node:fs/promises');
  const path = await import('node:path');
  let id: string | undefined;
  for (let i = 0; i < 400 && !id; i++) {
    id = (await readdir(app.storage.tempRoot)).find((d) => /^[0-9a-f-]{36}$/.test(d));
    if (!id) await new Promise((r) => setTimeout(r, 25));
  }
  t.ok(id, 'the job was created');
  await writeFile(path.join(app.storage.inputDir(id!), 'input-0'), 'not a pdf at all');
  app.dispatcher.start();
  const res = await waiting;
  t.equal(res.statusCode, 422);
  t.equal(res.json().error.code, 'INVALID_PDF');
  t.equal(res.json().error.details.job_id, id);
  t.equal(res.headers['x-job-id'], id);
});
