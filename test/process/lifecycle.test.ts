import { randomUUID } from 'node:crypto';
import path from 'node:path';
import t from 'tap';
import { PDFDocument } from 'pdf-lib';
import { openSqlite } from '../../src/db/connection.js';
import { countByStatus, enqueue, getJob } from '../../src/queue/index.js';
import { tempDir } from '../helpers/app.js';
import { textPdf } from '../helpers/fixtures.js';
import { pollJob, postFile, startServer } from '../helpers/server-process.js';

const CHILD = 'test/helpers/server-child.ts';

function envFor(dir: string, extra: Record<string, string> = {}) {
  return { DATA_DIR: path.join(dir, 'data'), UPLOAD_DIR: path.join(dir, 'uploads'), WORKER_THREADS: '1', JOB_LEASE_S: '2', ...extra };
}

/** Enqueues a no-op job of `delayMs` straight into the server's database file. */
async function enqueueSlowJob(dir: string, delayMs: number): Promise<string> {
  const store = openSqlite(path.join(dir, 'data'));
  const id = randomUUID();
  await enqueue(store.db, { id, type: 'noop', input: { delayMs }, maxAttempts: 3 });
  await store.close();
  return id;
}

async function readJob(dir: string, id: string) {
  const store = openSqlite(path.join(dir, 'data'));
  try {
    return { job: await getJob(store.db, id), counts: await countByStatus(store.db) };
  } finally {
    await store.close();
  }
}

t.test('a real server process compresses a PDF over HTTP', async (t) => {
  const dir = tempDir(t);
  const server = await startServer(t, envFor(dir));
  const pdf = await textPdf(3);
  const res = await postFile(`${server.url}/api/compress`, {}, { name: 'three.pdf', data: pdf });
  t.equal(res.status, 202);
  const { job_id } = (await res.json()) as { job_id: string };
  const job = await pollJob(server.url, job_id, (j) => ['completed', 'failed'].includes(j.status));
  t.equal(job.status, 'completed', JSON.stringify(job.error ?? {}));
  const dl = await fetch(`${server.url}${job.download_url}`);
  const out = await PDFDocument.load(new Uint8Array(await dl.arrayBuffer()));
  t.equal(out.getPageCount(), 3);
  server.child.kill('SIGTERM');
  t.same(await server.exited, { code: 0, signal: null });
});

t.test('SIGKILL mid-job, restart: the job runs again and completes', async (t) => {
  const dir = tempDir(t);
  const first = await startServer(t, envFor(dir), CHILD);
  const id = await enqueueSlowJob(dir, 3000);
  await pollJob(first.url, id, (j) => j.status === 'processing');
  first.child.kill('SIGKILL');
  t.equal((await first.exited).signal, 'SIGKILL');
  t.equal((await readJob(dir, id)).job?.status, 'processing', 'the dead process left it processing');

  const killedAt = Date.now();
  const second = await startServer(t, envFor(dir), CHILD);
  const job = await pollJob(second.url, id, (j) => ['completed', 'failed'].includes(j.status));
  t.equal(job.status, 'completed', JSON.stringify(job.error ?? {}));
  t.equal(job.attempts, 2, 'the killed run counted, the second one completed');
  t.comment(`completed ${Date.now() - killedAt} ms after the kill (lease 2 s, job 3 s, server start included)`);
  second.child.kill('SIGTERM');
  t.equal((await second.exited).code, 0);
});

t.test('SIGTERM mid-job: the job finishes within the grace period, exit 0', async (t) => {
  const dir = tempDir(t);
  const server = await startServer(t, envFor(dir, { SHUTDOWN_GRACE_S: '60' }), CHILD);
  const id = await enqueueSlowJob(dir, 1500);
  await pollJob(server.url, id, (j) => j.status === 'processing');
  server.child.kill('SIGTERM');
  t.same(await server.exited, { code: 0, signal: null });
  const { job, counts } = await readJob(dir, id);
  t.equal(job?.status, 'completed');
  t.equal(counts.processing, 0, 'nothing left processing');
});

t.test('SIGTERM past the grace period: the running job is handed back uncounted and runs after restart', async (t) => {
  const dir = tempDir(t);
  const server = await startServer(t, envFor(dir, { SHUTDOWN_GRACE_S: '1' }), CHILD);
  const id = await enqueueSlowJob(dir, 60_000);
  await pollJob(server.url, id, (j) => j.status === 'processing');
  const sent = Date.now();
  server.child.kill('SIGTERM');
  t.same(await server.exited, { code: 0, signal: null });
  t.ok(Date.now() - sent < 15_000, 'exited promptly after the grace period');
  const { job, counts } = await readJob(dir, id);
  t.equal(job?.status, 'pending', 'handed back, not left processing');
  t.equal(job?.attempts, 0, 'the interrupted run is not counted');
  t.equal(counts.processing, 0);

  // Make the job short for the next run, then check it completes after a restart.
  {
    const store = openSqlite(path.join(dir, 'data'));
    await store.db.updateTable('jobs').set({ input: JSON.stringify({ delayMs: 10 }) }).where('id', '=', id).execute();
    await store.close();
  }
  const again = await startServer(t, envFor(dir), CHILD);
  const done = await pollJob(again.url, id, (j) => j.status === 'completed');
  t.equal(done.attempts, 1);
  again.child.kill('SIGTERM');
  t.equal((await again.exited).code, 0);
});

t.test('a bad setting stops the process before it listens, naming the variable', async (t) => {
  const dir = tempDir(t);
  await t.rejects(startServer(t, envFor(dir, { PORT: 'eighty' })), /PORT="eighty" is not valid: expected an integer from 0 to 65535/);
});
