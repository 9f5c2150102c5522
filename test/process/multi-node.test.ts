import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import t from 'tap';
import { PDFDocument } from 'pdf-lib';
import { openPostgres } from '../../src/db/postgres.js';
import { countByStatus, enqueue } from '../../src/queue/index.js';
import { tempDir } from '../helpers/app.js';
import { PG_URL, pgSchema } from '../helpers/db.js';
import { textPdf } from '../helpers/fixtures.js';
import { getJson, postFile, startServer, type ServerProcess } from '../helpers/server-process.js';
import { startS3 } from '../cloud/setup.js';

const CHILD = 'test/helpers/server-child.ts';

async function cluster(t: Parameters<typeof startS3>[0], n: number, entry = 'src/server.ts') {
  const s3 = await startS3(t);
  const schema = pgSchema(t);
  const root = tempDir(t);
  const env = (i: number) => ({
    ...s3.env,
    DATABASE_URL: PG_URL,
    DATABASE_SCHEMA: schema,
    DATA_DIR: path.join(root, `node${i}`, 'data'),
    UPLOAD_DIR: path.join(root, `node${i}`, 'uploads'),
    WORKER_THREADS: '1',
    JOB_LEASE_S: '2',
  });
  // The first node creates the schema; the others find it (they may also race: the migration lock).
  const nodes: ServerProcess[] = await Promise.all(Array.from({ length: n }, (_, i) => startServer(t, env(i), entry)));
  const store = await openPostgres(PG_URL, { schema, max: 2 });
  t.teardown(() => store.close());
  return { s3, nodes, store };
}

async function untilFinal(base: string, ids: string[], timeoutMs = 120_000): Promise<Record<string, any>[]> {
  const end = Date.now() + timeoutMs;
  const done = new Map<string, Record<string, any>>();
  while (done.size < ids.length) {
    for (const id of ids) {
      if (done.has(id)) continue;
      const job = await getJson(`${base}/api/jobs/${id}`);
      if (['completed', 'failed', 'cancelled'].includes(job.status)) done.set(id, job);
    }
    if (Date.now() > end) throw new Error(`${ids.length - done.size} jobs not final after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return ids.map((id) => done.get(id)!);
}

// 90 jobs: 30 claims per node contend on the same rows, enough to show exactly-once (the
// claim's FOR UPDATE SKIP LOCKED) without spending CI minutes on volume.
const JOBS = 90;

t.test('three nodes, one PostgreSQL, one bucket: 90 jobs each complete exactly once', async (t) => {
  const { s3, nodes } = await cluster(t, 3);
  const pdf = await textPdf(1, { words: 40 });
  const ids: string[] = [];
  for (let i = 0; i < JOBS; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: 10 }, async (_, k) => {
        const node = nodes[(i + k) % nodes.length]!;
        const res = await postFile(`${node.url}/api/compress`, { compressionLevel: 'low' }, { name: `doc-${i + k}.pdf`, data: pdf });
        if (res.status !== 202) throw new Error(await res.text());
        return ((await res.json()) as { job_id: string }).job_id;
      }),
    );
    ids.push(...batch);
  }
  const jobs = await untilFinal(nodes[0]!.url, ids);
  t.equal(jobs.filter((j) => j.status === 'completed').length, JOBS, 'all completed');
  t.equal(jobs.filter((j) => j.attempts !== 1).length, 0, 'each ran once (attempts = 1)');
  // One result object per job, in the shared bucket.
  const keys = ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'results/', MaxKeys: 1000 }))).Contents ?? []).map((o) => o.Key!);
  const perJob = new Map<string, number>();
  for (const k of keys) perJob.set(k.split('/')[1]!, (perJob.get(k.split('/')[1]!) ?? 0) + 1);
  t.equal(perJob.size, JOBS);
  t.ok([...perJob.values()].every((n) => n === 1), 'exactly one result object per job');
  // Work was shared, and any node serves any download.
  const ran = new Set(nodes.flatMap((n, i) => (n.logs.some((l) => l.includes('"msg":"job completed"')) ? [i] : [])));
  t.ok(ran.size >= 2, `jobs ran on ${ran.size} nodes`);
  for (const [k, id] of ids.slice(0, 6).entries()) {
    const node = nodes[(k + 1) % nodes.length]!; // not the node it was submitted to
    const dl = await fetch(`${node.url}/api/jobs/${id}/download`);
    t.equal(dl.status, 200);
    t.equal((await PDFDocument.load(new Uint8Array(await dl.arrayBuffer()))).getPageCount(), 1);
  }
  for (const n of nodes) n.child.kill('SIGTERM');
  for (const n of nodes) t.equal((await n.exited).code, 0);
});

t.test('SIGKILL one node mid-job: the others complete its jobs after the lease, none twice', async (t) => {
  const { nodes, store } = await cluster(t, 3, CHILD);
  const ids: string[] = [];
  for (let i = 0; i < 24; i++) {
    const id = randomUUID();
    ids.push(id);
    await enqueue(store.db, { id, type: 'noop', input: { delayMs: 800 }, maxAttempts: 3 });
  }
  const victim = nodes[0]!;
  const victimId = `:${victim.child.pid}`;
  // Wait until the victim holds a job, then kill it.
  for (let i = 0; ; i++) {
    const held = await store.db.selectFrom('jobs').select('id').where('status', '=', 'processing').where('locked_by', 'like', `%${victimId}`).execute();
    if (held.length) break;
    if (i > 400) throw new Error('the victim never claimed a job');
    await new Promise((r) => setTimeout(r, 25));
  }
  victim.child.kill('SIGKILL');
  const survivors = nodes.slice(1);
  const jobs = await untilFinal(survivors[0]!.url, ids);
  t.equal(jobs.filter((j) => j.status === 'completed').length, ids.length, 'every job completed');
  t.ok(jobs.some((j) => j.attempts === 2), 'the killed node\u2019s job ran again');
  // Nothing completed twice: count completion log lines across every node.
  const completions = new Map<string, number>();
  for (const n of nodes) {
    for (const line of n.logs) {
      if (!line.includes('"msg":"job completed"')) continue;
      const id = (JSON.parse(line) as { jobId: string }).jobId;
      completions.set(id, (completions.get(id) ?? 0) + 1);
    }
  }
  t.equal([...completions.values()].filter((c) => c > 1).length, 0, 'no job completed twice');
  t.equal((await countByStatus(store.db)).processing, 0, 'nothing stuck');
  for (const n of survivors) n.child.kill('SIGTERM');
  for (const n of survivors) t.equal((await n.exited).code, 0);
});
