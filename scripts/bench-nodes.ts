/**
 * Several nodes on one PostgreSQL database (issue 11): jobs/s with 1, 2 and 3 node processes
 * (no-op jobs enqueued in bulk, and small compressions submitted over HTTP round-robin), and
 * the latency of one claim. Everything runs on this machine, so more nodes share the same
 * cores: the numbers show the queue's overhead and contention, not a cluster's capacity.
 * Prints one JSON line per measurement.
 *
 * Run: npm run build && node dist/scripts/bench-nodes.js [--jobs N]
 *      (TEST_DATABASE_URL overrides postgres://postgres@127.0.0.1:5432/test)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { openPostgres } from '../src/db/postgres.js';
import { claim, complete, countByStatus, enqueue } from '../src/queue/index.js';

const URL_ = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const jobsArg = process.argv.indexOf('--jobs');
const N = jobsArg > 0 ? Number(process.argv[jobsArg + 1]) : 2000;
const here = path.dirname(fileURLToPath(import.meta.url));
const emit = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify({ bench: 'nodes', ...o }) + '\n');
const pct = (s: number[], p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;

async function withSchema<T>(fn: (schema: string) => Promise<T>): Promise<T> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  try {
    return await fn(schema);
  } finally {
    const c = new pg.Client({ connectionString: URL_ });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
}

function startNode(schema: string, dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(here, 'bench-node-server.js')], {
    env: { ...process.env, DATABASE_URL: URL_, DATABASE_SCHEMA: schema, DATA_DIR: path.join(dir, 'data'), UPLOAD_DIR: path.join(dir, 'up'), HOST: '127.0.0.1', PORT: '0', WORKER_THREADS: '1', LOG_LEVEL: 'info', MIN_FREE_DISK_MB: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) resolve({ child, url: m[1]! });
      if (buf.length > 1e6) buf = buf.slice(-1000);
    });
    child.on('exit', (code) => reject(new Error(`node exited ${code}`)));
  });
}

async function untilDone(db: Awaited<ReturnType<typeof openPostgres>>['db'], total: number): Promise<void> {
  for (;;) {
    const c = await countByStatus(db);
    if (c.completed + c.failed >= total) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function smallPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage().drawText('hello from the nodes benchmark', { x: 50, y: 700, font, size: 12 });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

async function run(nodes: number): Promise<void> {
  await withSchema(async (schema) => {
    const store = await openPostgres(URL_, { schema, max: 4 });
    const root = mkdtempSync(path.join(os.tmpdir(), 'bench-nodes-'));
    const procs = await Promise.all(Array.from({ length: nodes }, (_, i) => startNode(schema, path.join(root, `n${i}`))));
    try {
      // No-op jobs, enqueued in bulk straight into the database.
      for (let i = 0; i < N; i++) await enqueue(store.db, { id: randomUUID(), type: 'noop', input: {}, maxAttempts: 3 });
      let t0 = performance.now();
      await untilDone(store.db, N);
      emit({ measure: 'noop_jobs_per_s', nodes, jobs: N, per_s: Math.round(N / ((performance.now() - t0) / 1000)) });

      // Small compressions over HTTP, round-robin, 8 in flight.
      const pdf = await smallPdf();
      const M = 120;
      t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < M) {
            const i = next++;
            const form = new FormData();
            form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'a.pdf');
            form.append('compressionLevel', 'low');
            const res = await fetch(`${procs[i % nodes]!.url}/api/compress`, { method: 'POST', body: form });
            if (res.status !== 202) throw new Error(await res.text());
          }
        }),
      );
      await untilDone(store.db, N + M);
      emit({ measure: 'compress_jobs_per_s', nodes, jobs: M, per_s: Math.round((M / ((performance.now() - t0) / 1000)) * 10) / 10 });
    } finally {
      for (const p of procs) p.child.kill('SIGTERM');
      await Promise.all(procs.map((p) => new Promise((r) => p.child.once('exit', r))));
      await store.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
}

async function claimLatency(): Promise<void> {
  await withSchema(async (schema) => {
    const store = await openPostgres(URL_, { schema, max: 2 });
    for (let i = 0; i < 2000; i++) await enqueue(store.db, { id: randomUUID(), type: 't', input: {}, maxAttempts: 3 });
    const lat: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const t = performance.now();
      const [j] = await claim(store.db, { limit: 1, types: ['t'], leaseMs: 30_000, node: 'bench' });
      lat.push(performance.now() - t);
      await complete(store.db, { id: j!.id, token: j!.lease_token }, { result: {}, output: undefined, ttlMs: 60_000 });
    }
    lat.sort((a, b) => a - b);
    emit({ measure: 'pg_claim_latency', p50_ms: Math.round(pct(lat, 50) * 1000) / 1000, p99_ms: Math.round(pct(lat, 99) * 1000) / 1000 });
    await store.close();
  });
}

await claimLatency();
for (const n of [1, 2, 3]) await run(n);
