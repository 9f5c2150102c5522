import path from 'node:path';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { multipart, tempDir, waitForJob } from '../helpers/app.js';
import { textPdf } from '../helpers/fixtures.js';

/** Two apps (as two nodes) on one database file and one upload folder. */
async function twoNodes(t: Parameters<typeof tempDir>[0], a: Record<string, string>, b: Record<string, string>) {
  const dir = tempDir(t);
  const env = { DATA_DIR: path.join(dir, 'data'), UPLOAD_DIR: path.join(dir, 'uploads'), MIN_FREE_DISK_MB: '0', LOG_LEVEL: 'silent' };
  const first = await buildApp(loadConfig({ ...env, ...a }));
  await first.ready();
  const second = await buildApp(loadConfig({ ...env, ...b }));
  await second.ready();
  t.teardown(async () => {
    await first.close();
    await second.close();
  });
  return [first, second] as const;
}

t.test('RATE_LIMIT_PER_MINUTE holds across nodes sharing the database', async (t) => {
  const [a, b] = await twoNodes(t, { RATE_LIMIT_PER_MINUTE: '2', WORKER_THREADS: '1' }, { RATE_LIMIT_PER_MINUTE: '2', WORKER_THREADS: '1' });
  const form = await multipart({}, [{ name: 'a.pdf', data: await textPdf(1) }]);
  // The limit counts in fixed minute windows: three submissions that straddle a minute's end
  // are two windows. Start early in a minute.
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 20_000) await new Promise((r) => setTimeout(r, left + 50));
  t.equal((await a.inject({ method: 'POST', url: '/api/compress', ...form })).statusCode, 202);
  t.equal((await b.inject({ method: 'POST', url: '/api/compress', ...form })).statusCode, 202);
  const third = await a.inject({ method: 'POST', url: '/api/compress', ...form });
  t.equal(third.statusCode, 429, 'the third submission from one IP, on either node, is refused');
  t.equal(third.json().error.code, 'RATE_LIMITED');
});

t.test('WORKER_THREADS=0: an API-only node takes submissions, another node runs them', async (t) => {
  const [api, worker] = await twoNodes(t, { WORKER_THREADS: '0' }, { WORKER_THREADS: '1' });
  const health = await api.inject({ method: 'GET', url: '/health' });
  t.equal(health.statusCode, 200, 'an API-only node is healthy');
  t.match(health.json(), { workers: { threads: 0 } });
  const res = await api.inject({ method: 'POST', url: '/api/compress', ...(await multipart({ compressionLevel: 'low' }, [{ name: 'a.pdf', data: await textPdf(2) }])) });
  t.equal(res.statusCode, 202, 'submissions still checked and accepted (the probe thread is separate)');
  const job = await waitForJob(api, res.json().job_id);
  t.equal(job.status, 'completed');
  t.equal(api.dispatcher.runningCount, 0);
  const dl = await api.inject({ method: 'GET', url: job.download_url });
  t.equal(dl.statusCode, 200, 'the API node serves the result the other node produced');
  void worker;
});
