import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { sweep } from '../../src/storage/cleanup.js';
import { multipart, startApp, waitForJob } from '../helpers/app.js';
import { textPdf } from '../helpers/fixtures.js';

async function submit(app: FastifyInstance, name = 'doc.pdf'): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/compress', ...(await multipart({}, [{ name, data: await textPdf(2) }])) });
  if (res.statusCode !== 202) throw new Error(res.body);
  return res.json().job_id as string;
}

t.test('unknown and malformed job ids are 404 JOB_NOT_FOUND on every job route', async (t) => {
  const { app } = await startApp(t, {}, { dispatch: false });
  for (const id of [randomUUID(), 'not-a-uuid', '..%2F..%2Fetc%2Fpasswd']) {
    for (const [method, url] of [['GET', `/api/jobs/${id}`], ['GET', `/api/jobs/${id}/download`], ['DELETE', `/api/jobs/${id}`]] as const) {
      const res = await app.inject({ method, url });
      t.equal(res.statusCode, 404, `${method} ${url}`);
      t.equal(res.json().error.code, 'JOB_NOT_FOUND');
    }
  }
  const route = await app.inject({ method: 'GET', url: '/api/nothing-here' });
  t.equal(route.statusCode, 404);
  t.equal(route.json().error.code, 'NOT_FOUND');
});

t.test('a pending job: status shape, 409 on download, DELETE cancels and frees its files', async (t) => {
  const { app } = await startApp(t, {}, { dispatch: false });
  const id = await submit(app);
  const status = await app.inject({ method: 'GET', url: `/api/jobs/${id}` });
  t.equal(status.statusCode, 200);
  t.match(status.json(), { success: true, job_id: id, status: 'pending', task_type: 'compress', progress: { percent: 0 }, attempts: 0 });
  t.notOk('download_url' in status.json());
  t.notOk('lease_token' in status.json() || 'input' in status.json() || 'output' in status.json(), 'no internals');

  const early = await app.inject({ method: 'GET', url: `/api/jobs/${id}/download` });
  t.equal(early.statusCode, 409);
  t.equal(early.json().error.code, 'JOB_NOT_READY');

  t.ok(existsSync(app.storage.inputDir(id)));
  const del = await app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
  t.equal(del.statusCode, 200);
  t.match(del.json(), { success: true, job_id: id, status: 'cancelled' });
  t.notOk(existsSync(app.storage.inputDir(id)), 'inputs deleted');
  t.equal((await app.inject({ method: 'GET', url: `/api/jobs/${id}` })).json().status, 'cancelled');
  t.equal((await app.inject({ method: 'GET', url: `/api/jobs/${id}/download` })).json().error.code, 'JOB_CANCELLED');
});

t.test('a completed job expires after its TTL: status expired, download 410, files gone', async (t) => {
  const { app } = await startApp(t, {}, { cleanup: false });
  const id = await submit(app, 'report.pdf');
  const job = await waitForJob(app, id);
  t.equal(job.status, 'completed');
  t.equal((await app.inject({ method: 'GET', url: job.download_url })).statusCode, 200);
  t.ok(existsSync(app.storage.resultDir(id)));

  const later = Date.parse(job.expires_at) + 1;
  const report = await sweep(app.store.db, app.storage, later);
  t.equal(report.expired, 1);
  t.notOk(existsSync(app.storage.resultDir(id)), 'result deleted');
  const after = (await app.inject({ method: 'GET', url: `/api/jobs/${id}` })).json();
  t.equal(after.status, 'expired');
  t.notOk(after.download_url);
  const gone = await app.inject({ method: 'GET', url: `/api/jobs/${id}/download` });
  t.equal(gone.statusCode, 410);
  t.equal(gone.json().error.code, 'JOB_EXPIRED');
});

t.test('DELETE on a completed job deletes its result now', async (t) => {
  const { app } = await startApp(t);
  const id = await submit(app);
  await waitForJob(app, id);
  const del = await app.inject({ method: 'DELETE', url: `/api/jobs/${id}` });
  t.match(del.json(), { status: 'expired' });
  t.notOk(existsSync(app.storage.resultDir(id)));
  t.equal((await app.inject({ method: 'GET', url: `/api/jobs/${id}/download` })).statusCode, 410);
});

t.test('health routes', async (t) => {
  const { app } = await startApp(t);
  for (const url of ['/health', '/api/health']) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 200, url);
    t.match(res.json(), { status: 'healthy', database: { ok: true, dialect: 'sqlite' }, workers: { threads: 1, alive: true }, queue: { pending: 0 } });
  }
  const c = await app.inject({ method: 'GET', url: '/api/compress/health' });
  t.equal(c.statusCode, 200);
  t.match(c.json(), { status: 'healthy', service: 'compression', engines: { mupdf: true } });

  await app.pools.jobs.destroy();
  const down = await app.inject({ method: 'GET', url: '/health' });
  t.equal(down.statusCode, 503);
  t.match(down.json(), { status: 'unhealthy', problems: ['worker pool stopped'] });
});
