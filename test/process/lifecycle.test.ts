import path from 'node:path';
import t from 'tap';
import { openSqlite } from '../../src/db/connection.js';
import { countByStatus, getJob } from '../../src/queue/index.js';
import { tempDir } from '../helpers/app.js';
import { manyPagesPdf } from '../helpers/many-pages.js';
import { pollJob, postFile, startServer } from '../helpers/server-process.js';

// 20,000 pages (64 MB): seconds of MuPDF work, a wide window to kill the server mid-job.
const PAGES = 20_000;
const bigPdf = manyPagesPdf(PAGES);

function envFor(dir: string, extra: Record<string, string> = {}) {
  return { DATA_DIR: path.join(dir, 'data'), UPLOAD_DIR: path.join(dir, 'uploads'), WORKER_THREADS: '1', MAX_PAGES: String(PAGES), JOB_LEASE_S: '2', ...extra };
}

async function submitBig(base: string): Promise<string> {
  const res = await postFile(`${base}/api/compress`, { compressionLevel: 'low' }, { name: 'big.pdf', data: bigPdf });
  const body = (await res.json()) as { job_id: string };
  if (res.status !== 202) throw new Error(JSON.stringify(body));
  return body.job_id;
}

t.test('SIGKILL mid-job, restart: the job runs again and completes', async (t) => {
  const dir = tempDir(t);
  const first = await startServer(t, envFor(dir));
  const id = await submitBig(first.url);
  await pollJob(first.url, id, (j) => j.status === 'processing');
  first.child.kill('SIGKILL');
  t.equal((await first.exited).signal, 'SIGKILL');

  const killedAt = Date.now();
  const second = await startServer(t, envFor(dir));
  const job = await pollJob(second.url, id, (j) => ['completed', 'failed'].includes(j.status), 90_000);
  t.equal(job.status, 'completed', JSON.stringify(job.error ?? {}));
  t.equal(job.attempts, 2, 'the killed run counted, the second one completed');
  t.equal(job.result.pages, PAGES);
  t.comment(`completed ${Date.now() - killedAt} ms after the kill (lease 2 s)`);
  const dl = await fetch(`${second.url}${job.download_url}`);
  t.equal(dl.status, 200);
  t.equal((await dl.arrayBuffer()).byteLength, job.result.compressed_size);
  second.child.kill('SIGTERM');
  t.equal((await second.exited).code, 0);
});

t.test('SIGTERM mid-job: the job finishes within the grace period, exit 0', async (t) => {
  const dir = tempDir(t);
  const server = await startServer(t, envFor(dir, { SHUTDOWN_GRACE_S: '60' }));
  const id = await submitBig(server.url);
  await pollJob(server.url, id, (j) => j.status === 'processing');
  server.child.kill('SIGTERM');
  t.same(await server.exited, { code: 0, signal: null });
  const store = openSqlite(path.join(dir, 'data'));
  t.teardown(() => store.close());
  t.equal((await getJob(store.db, id))?.status, 'completed');
  t.equal((await countByStatus(store.db)).processing, 0, 'nothing left processing');
});

t.test('SIGTERM with no grace: the running job is handed back uncounted and runs after restart', async (t) => {
  const dir = tempDir(t);
  const server = await startServer(t, envFor(dir, { SHUTDOWN_GRACE_S: '0' }));
  const id = await submitBig(server.url);
  await pollJob(server.url, id, (j) => j.status === 'processing');
  server.child.kill('SIGTERM');
  t.same(await server.exited, { code: 0, signal: null });
  {
    const store = openSqlite(path.join(dir, 'data'));
    const row = await getJob(store.db, id);
    t.equal(row?.status, 'pending', 'handed back, not left processing');
    t.equal(row?.attempts, 0, 'the interrupted run is not counted');
    await store.close();
  }
  const again = await startServer(t, envFor(dir));
  const job = await pollJob(again.url, id, (j) => j.status === 'completed', 90_000);
  t.equal(job.attempts, 1);
  again.child.kill('SIGTERM');
  t.equal((await again.exited).code, 0);
});

t.test('a bad setting stops the process before it listens, naming the variable', async (t) => {
  const dir = tempDir(t);
  await t.rejects(startServer(t, envFor(dir, { PORT: 'eighty' })), /PORT="eighty" is not valid: expected an integer from 0 to 65535/);
});
