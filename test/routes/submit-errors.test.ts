import { readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { countByStatus } from '../../src/queue/index.js';
import { multipart, startApp } from '../helpers/app.js';
import { encryptedPdf, notAPdf, textPdf, truncatedPdf } from '../helpers/fixtures.js';

async function jobCount(app: FastifyInstance): Promise<number> {
  return Object.values(await countByStatus(app.store.db)).reduce((a, b) => a + b, 0);
}

/** Nothing of a refused upload may remain on disk. */
function stagingEmpty(app: FastifyInstance): boolean {
  return readdirSync(app.storage.stagingRoot).length === 0 && readdirSync(app.storage.tempRoot).every((n) => n === '.incoming');
}

async function post(app: FastifyInstance, fields: Record<string, string>, files: Parameters<typeof multipart>[1]) {
  return app.inject({ method: 'POST', url: '/api/compress', ...(await multipart(fields, files)) });
}

t.test('each refused submission gets its code, the error envelope, and leaves no job or file', async (t) => {
  const { app } = await startApp(t, { MAX_FILE_SIZE_MB: '1', MAX_PAGES: '5' }, { dispatch: false });
  const pdf = await textPdf(1);
  const cases: [string, () => ReturnType<typeof post>, number, string, RegExp?][] = [
    ['no file field', () => post(app, { compressionLevel: 'low' }, []), 400, 'NO_FILE'],
    ['file under another field', () => post(app, {}, [{ field: 'pdf', name: 'a.pdf', data: pdf }]), 400, 'NO_FILE', /"pdf"/],
    ['not multipart', () => app.inject({ method: 'POST', url: '/api/compress', payload: { file: 'x' } }), 400, 'NO_FILE'],
    ['HTML named .pdf', () => post(app, {}, [{ name: 'evil.pdf', data: notAPdf }]), 415, 'INVALID_FILE_TYPE'],
    ['empty file', () => post(app, {}, [{ name: 'empty.pdf', data: Buffer.alloc(0) }]), 422, 'INVALID_PDF', /empty/],
    ['truncated PDF', async () => post(app, {}, [{ name: 'cut.pdf', data: await truncatedPdf() }]), 422, 'INVALID_PDF'],
    ['encrypted PDF', async () => post(app, {}, [{ name: 'locked.pdf', data: await encryptedPdf() }]), 422, 'ENCRYPTED_PDF'],
    ['too many pages', async () => post(app, {}, [{ name: 'long.pdf', data: await textPdf(6, { words: 10 }) }]), 422, 'TOO_MANY_PAGES', /6 pages; the limit is 5/],
    ['2 MB over a 1 MB limit', () => post(app, {}, [{ name: 'big.pdf', data: Buffer.concat([pdf, Buffer.alloc(2 * 1024 * 1024, 32)]) }]), 413, 'FILE_TOO_LARGE', /1 MB/],
    ['two files', () => post(app, {}, [{ name: 'a.pdf', data: pdf }, { name: 'b.pdf', data: pdf }]), 400, 'TOO_MANY_FILES'],
    ['bad level', () => post(app, { compressionLevel: 'ultra' }, [{ name: 'a.pdf', data: pdf }]), 400, 'INVALID_OPTIONS', /compressionLevel="ultra" is not valid: expected one of low, medium, high, maximum/],
    ['quality out of range', () => post(app, { imageQuality: '5' }, [{ name: 'a.pdf', data: pdf }]), 400, 'INVALID_OPTIONS', /imageQuality="5" is not valid: expected an integer from 10 to 100/],
    ['quality not a number', () => post(app, { imageQuality: 'high' }, [{ name: 'a.pdf', data: pdf }]), 400, 'INVALID_OPTIONS'],
    ['job_id not a UUID', () => post(app, { job_id: '../../etc' }, [{ name: 'a.pdf', data: pdf }]), 400, 'INVALID_OPTIONS', /job_id/],
  ];
  for (const [name, send, status, code, message] of cases) {
    const res = await send();
    t.equal(res.statusCode, status, `${name}: status`);
    const body = res.json();
    t.equal(body.success, false, `${name}: envelope`);
    t.equal(body.error.code, code, `${name}: code (${body.error.message})`);
    if (message) t.match(body.error.message, message, `${name}: message`);
    t.match(body.error.timestamp, /^\d{4}-\d\d-\d\dT/, `${name}: timestamp`);
    t.equal(body.request_id, res.headers['x-request-id'], `${name}: request id`);
    t.notMatch(res.body, /\/tmp\/|\/work\/|at .*\.ts:\d+/, `${name}: no paths or stacks`);
  }
  t.equal(await jobCount(app), 0, 'no job was created');
  t.ok(stagingEmpty(app), 'no upload left on disk');
});

t.test('the queue bound and the disk floor refuse uploads before storing them', async (t) => {
  const { app } = await startApp(t, { MAX_PENDING_JOBS: '1' }, { dispatch: false });
  const pdf = await textPdf(1);
  t.equal((await post(app, {}, [{ name: 'a.pdf', data: pdf }])).statusCode, 202);
  const full = await post(app, {}, [{ name: 'b.pdf', data: pdf }]);
  t.equal(full.statusCode, 503);
  t.equal(full.json().error.code, 'QUEUE_FULL');
  t.equal(await jobCount(app), 1);

  const low = await startApp(t, { MIN_FREE_DISK_MB: '9000000' });
  const res = await post(low.app, {}, [{ name: 'a.pdf', data: pdf }]);
  t.equal(res.statusCode, 507);
  t.equal(res.json().error.code, 'INSUFFICIENT_STORAGE');
});

t.test('a client job_id makes resubmission idempotent', async (t) => {
  const { app } = await startApp(t, {}, { dispatch: false });
  const pdf = await textPdf(1);
  const id = randomUUID();
  const first = await post(app, { job_id: id }, [{ name: 'a.pdf', data: pdf }]);
  t.equal(first.statusCode, 202);
  t.equal(first.json().job_id, id);
  const again = await post(app, { job_id: id.toUpperCase() }, [{ name: 'a.pdf', data: pdf }]);
  t.equal(again.statusCode, 202);
  t.equal(again.json().job_id, id, 'same job');
  t.match(again.json().message, /already exists/);
  t.equal(await jobCount(app), 1, 'no second job');
  t.ok(stagingEmpty(app) || readdirSync(app.storage.tempRoot).length === 2, 'the resubmitted upload was discarded');
});

t.test('request ids: a sane client id is echoed, otherwise one is generated; logs carry it', async (t) => {
  const { app, logs } = await startApp(t);
  const res = await app.inject({ method: 'GET', url: '/api/jobs/nope', headers: { 'x-request-id': 'client-abc-123' } });
  t.equal(res.headers['x-request-id'], 'client-abc-123');
  t.equal(res.json().request_id, 'client-abc-123');
  const hostile = await app.inject({ method: 'GET', url: '/api/jobs/nope', headers: { 'x-request-id': 'a b\u0000<script>' } });
  t.match(hostile.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  t.ok(logs.lines.some((l) => l.reqId === 'client-abc-123' && l.statusCode === 404 && l.route === '/api/jobs/:id' && typeof l.durationMs === 'number'), 'one line per request: id, route, status, duration');
});
