/**
 * Queue benchmark: no-op jobs through the real dispatcher and pool, next to the ceilings of
 * its parts measured in the same run on the same machine:
 *   - bare better-sqlite3: insert, one-row claim and complete with prepared statements;
 *   - bare Piscina: a no-op task round trip;
 *   - end to end: enqueue → claim → pool → complete, saturated (jobs/s) and one at a time
 *     (latency from enqueue to the completion write, p50/p99).
 * Prints one JSON line per measurement. Goal (issue 2): ≥ 5,000 jobs/s and p50 ≤ 2 ms on 2 cores.
 *
 * Run: npm run bench (all benchmarks) or node dist/scripts/bench-queue.js [--jobs N]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pino from 'pino';
import { Piscina } from 'piscina';
import { openSqlite, SQLITE_FILE } from '../src/db/connection.js';
import { Dispatcher, type FinishedEvent } from '../src/dispatch/dispatcher.js';
import { noopHandler } from '../src/jobs/index.js';
import { moduleExt } from '../src/paths.js';
import { WorkerPool } from '../src/pool/pool.js';
import { enqueue } from '../src/queue/index.js';
import { Storage } from '../src/storage/layout.js';
import { LinkSigner } from '../src/http/links.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('jobs', 20_000);
const THREADS = arg('threads', os.availableParallelism());

const emit = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify({ bench: 'queue', ...o }) + '\n');
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function scratch(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'pdfs-bench-'));
}

/** The ceiling of the store: the same three statements with no kysely, no dispatcher, no pool. */
function bareSqlite(): { insertPerS: number; claimCompletePerS: number } {
  const dir = scratch();
  try {
    openSqlite(dir).close();
    const db = new BetterSqlite3(path.join(dir, SQLITE_FILE));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const insert = db.prepare('INSERT INTO jobs (id, type, input, run_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    const claim = db.prepare(
      `UPDATE jobs SET status = 'processing', lease_token = ?, locked_until = ?, attempts = attempts + 1, updated_at = ?
       WHERE id IN (SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ? ORDER BY run_at LIMIT 1) RETURNING id`,
    );
    const complete = db.prepare(`UPDATE jobs SET status = 'completed', result = ?, lease_token = NULL, finished_at = ? WHERE id = ? AND lease_token = ?`);
    let t0 = performance.now();
    for (let i = 0; i < N; i++) insert.run(randomUUID(), 'noop', '{}', i, i, i);
    const insertPerS = N / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const token = randomUUID();
      const row = claim.get(token, Date.now() + 30_000, Date.now(), Date.now()) as { id: string };
      complete.run('{}', Date.now(), row.id, token);
    }
    const claimCompletePerS = N / ((performance.now() - t0) / 1000);
    db.close();
    return { insertPerS, claimCompletePerS };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The ceiling of the pool: no-op round trips, one at a time and with every thread busy. */
async function barePiscina(): Promise<{ tasksPerS: number; p50Ms: number; p99Ms: number }> {
  const pool = new Piscina({ filename: new URL(`../workers/index${moduleExt}`, import.meta.url).href, minThreads: THREADS, maxThreads: THREADS });
  for (let i = 0; i < 200; i++) await pool.run({}, { name: 'noop' }); // warm up
  const lat: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const t = performance.now();
    await pool.run({}, { name: 'noop' });
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: THREADS * 2 }, async () => {
      while (next++ < N) await pool.run({}, { name: 'noop' });
    }),
  );
  const tasksPerS = N / ((performance.now() - t0) / 1000);
  await pool.destroy();
  return { tasksPerS, p50Ms: pct(lat, 50), p99Ms: pct(lat, 99) };
}

/** The real thing: enqueue through kysely, the dispatcher, the pool, the guarded completion. */
async function endToEnd(): Promise<{ jobsPerS: number; p50Ms: number; p99Ms: number }> {
  const dir = scratch();
  const store = openSqlite(dir);
  const storage = new Storage(path.join(dir, 'uploads'));
  await storage.init();
  const pool = new WorkerPool({ threads: THREADS, maxQueue: 10_000 }); // as src/pool-plugin.ts
  const dispatcher = new Dispatcher({
    db: store.db,
    storage,
    pool,
    handlers: { noop: noopHandler },
    log: pino({ level: 'warn' }),
    leaseMs: 30_000,
    timeoutMs: 60_000,
    ttlMs: 3_600_000,
    links: new LinkSigner(Buffer.from('test link secret'), 3_600_000),
  });
  const submittedAt = new Map<string, number>();
  const latencies: number[] = [];
  let completed = 0;
  let onDone: (() => void) | undefined;
  dispatcher.on('finished', (e: FinishedEvent) => {
    if (e.status !== 'completed') throw new Error(`job ${e.id} ${e.status} ${e.errorCode ?? ''}`);
    const t = submittedAt.get(e.id);
    if (t !== undefined) latencies.push(performance.now() - t);
    completed++;
    onDone?.();
  });
  dispatcher.start();
  const submit = async () => {
    const id = randomUUID();
    submittedAt.set(id, performance.now());
    await enqueue(store.db, { id, type: 'noop', input: {}, maxAttempts: 3 });
    dispatcher.wake();
  };

  // Warm up the threads, then latency: one job at a time, the next after the previous completes.
  for (let i = 0; i < 200; i++) await new Promise<void>((res) => ((onDone = res), void submit()));
  latencies.length = 0;
  for (let i = 0; i < 2000; i++) await new Promise<void>((res) => ((onDone = res), void submit()));
  const lat = [...latencies].sort((a, b) => a - b);

  // Throughput: submit N as fast as the main thread can while the dispatcher drains them.
  onDone = undefined;
  const before = completed;
  const t0 = performance.now();
  const elu0 = performance.eventLoopUtilization();
  const allDone = new Promise<void>((res) => (onDone = () => completed - before >= N && res()));
  for (let i = 0; i < N; i++) await submit();
  const submittedMs = performance.now() - t0;
  await allDone;
  const elapsedMs = performance.now() - t0;
  const jobsPerS = N / (elapsedMs / 1000);
  const elu = performance.eventLoopUtilization(elu0);
  emit({ measure: 'end_to_end_main_thread', utilization: round(elu.utilization, 2), busy_us_per_job: round((elu.active * 1000) / N, 1), submit_phase_ms: Math.round(submittedMs) });

  await dispatcher.stop(1000);
  await pool.destroy();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { jobsPerS, p50Ms: pct(lat, 50), p99Ms: pct(lat, 99) };
}

const sqlite = bareSqlite();
emit({ measure: 'sqlite_insert', per_s: Math.round(sqlite.insertPerS) });
emit({ measure: 'sqlite_claim_complete', per_s: Math.round(sqlite.claimCompletePerS) });
const pis = await barePiscina();
emit({ measure: 'piscina_noop', threads: THREADS, per_s: Math.round(pis.tasksPerS), p50_ms: round(pis.p50Ms), p99_ms: round(pis.p99Ms) });
const e2e = await endToEnd();
// A job needs one insert and one claim + complete, all written by the main thread: the store
// alone caps end-to-end throughput at 1 / (1/insert + 1/claim_complete).
const ceiling = 1 / (1 / sqlite.insertPerS + 1 / sqlite.claimCompletePerS);
emit({ measure: 'store_ceiling', per_s: Math.round(ceiling) });
emit({
  measure: 'end_to_end_noop',
  threads: THREADS,
  jobs: N,
  per_s: Math.round(e2e.jobsPerS),
  p50_ms: round(e2e.p50Ms),
  p99_ms: round(e2e.p99Ms),
  ratio_to_ceiling: round(e2e.jobsPerS / ceiling, 2),
  goal: { per_s: 5000, p50_ms: 2 },
});
