import { randomUUID } from 'node:crypto';
import { readdir, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { Test } from 'tap';
import { openSqlite } from '../../src/db/connection.js';
import { countByStatus, enqueue, getJob } from '../../src/queue/index.js';
import { startServer, type ServerProcess } from './server-process.js';

/**
 * Helpers of the fault tests (test/faults/): real server processes on one data and upload
 * folder, killed and restarted; the database read straight from its file; the upload folder
 * listed, back-dated and checked for leftovers.
 */

export interface Node extends ServerProcess {
  pid: number;
}

/**
 * The real process entry (src/main.ts) with the `noop` job type (test/helpers/server-child.ts;
 * its compiled twin under `npm test`, which starts in ~1 s instead of ~5 s: these tests start
 * a dozen servers).
 */
export async function startNode(t: Test, env: Record<string, string>): Promise<Node> {
  const server = await startServer(t, env, 'test/helpers/server-child.ts');
  return { ...server, pid: server.child.pid! };
}

/** SIGKILL, and wait until the process is gone. */
export async function kill9(node: Node): Promise<void> {
  node.child.kill('SIGKILL');
  await node.exited;
}

/** SIGTERM (graceful stop); resolves with the exit code. */
export async function stop(node: Node): Promise<number | null> {
  node.child.kill('SIGTERM');
  return (await node.exited).code;
}

export function envFor(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: path.join(dir, 'data'),
    UPLOAD_DIR: path.join(dir, 'uploads'),
    WORKER_THREADS: '1',
    JOB_LEASE_S: '2',
    CLEANUP_INTERVAL_S: '1',
    ...extra,
  };
}

/** Reads the server's database file (WAL: safe beside the live process). */
export async function withDb<T>(dir: string, fn: (store: ReturnType<typeof openSqlite>) => Promise<T>): Promise<T> {
  const store = openSqlite(path.join(dir, 'data'));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export const readJob = (dir: string, id: string) => withDb(dir, (s) => getJob(s.db, id));
export const statusCounts = (dir: string) => withDb(dir, (s) => countByStatus(s.db));

/** Enqueues a `noop` job straight into the database, as a second process would. */
export async function enqueueNoop(dir: string, input: Record<string, unknown>, maxAttempts = 3): Promise<string> {
  const id = randomUUID();
  await withDb(dir, (s) => enqueue(s.db, { id, type: 'noop', input, maxAttempts }));
  return id;
}

/** Every file and folder below root, as paths relative to it (folders end with "/"). */
export async function tree(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (rel: string) => {
    for (const e of await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => [])) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.push(`${p}/`);
        await visit(p);
      } else out.push(p);
    }
  };
  await visit('');
  return out.sort();
}

/** Files only (no folders) below root. */
export async function filesUnder(root: string): Promise<string[]> {
  return (await tree(root)).filter((p) => !p.endsWith('/'));
}

/**
 * Waits until the files below `uploads` are exactly `expected` (paths relative to it, any
 * order); otherwise fails the test with `what` and what is there instead.
 */
export async function expectUploads(t: Test, uploads: string, expected: string[], what: string, timeoutMs = 15_000): Promise<void> {
  const want = JSON.stringify([...expected].sort());
  await until(what, async () => JSON.stringify(await filesUnder(uploads)) === want, timeoutMs).catch(async (err: Error) =>
    t.fail(`${err.message}: ${JSON.stringify(await filesUnder(uploads))}`),
  );
}

/** Sets the mtime of everything below `dir` (and dir itself) `ageMs` into the past. */
export async function backdate(dir: string, ageMs: number): Promise<void> {
  const when = new Date(Date.now() - ageMs);
  const visit = async (p: string) => {
    const s = await stat(p).catch(() => undefined);
    if (!s) return;
    if (s.isDirectory()) for (const e of await readdir(p).catch(() => [])) await visit(path.join(p, e));
    await utimes(p, when, when).catch(() => {});
  };
  await visit(dir);
}

/** Polls fn until it returns a truthy value; throws with `what` after timeoutMs. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false | null> | T | undefined | false | null, timeoutMs = 30_000, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Size of a file, or -1 when it does not exist. */
export async function sizeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => undefined))?.size ?? -1;
}

/**
 * GET a job's download and classify it: a complete file (its length matches Content-Length)
 * or a coded JSON error. Anything else (a cut-off body, a 5xx, no code) is returned as is for
 * the test to fail on.
 */
export async function tryDownload(base: string, id: string): Promise<{ status: number; code?: string; body?: Buffer; complete: boolean }> {
  const res = await fetch(`${base}/api/jobs/${id}/download`);
  if (res.status !== 200) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
    return { status: res.status, ...(body.error?.code ? { code: body.error.code } : {}), complete: false };
  }
  const declared = Number(res.headers.get('content-length'));
  const body = Buffer.from(await res.arrayBuffer());
  return { status: 200, body, complete: Number.isFinite(declared) && declared === body.length };
}

/**
 * Polls a job until it is final, asking for its download on every poll as an impatient client
 * would. Returns the final job, the error codes of the refused downloads, and every answer
 * that was neither a coded 4xx nor a complete file (there must be none).
 */
export async function pollWhileDownloading(base: string, id: string, timeoutMs = 60_000): Promise<{ job: Record<string, any>; refusals: string[]; bad: string[] }> {
  const end = Date.now() + timeoutMs;
  const refusals = new Set<string>();
  const bad: string[] = [];
  for (;;) {
    const job = (await (await fetch(`${base}/api/jobs/${id}`)).json()) as Record<string, any>;
    if (['completed', 'failed', 'cancelled', 'expired'].includes(job.status)) return { job, refusals: [...refusals], bad };
    const dl = await tryDownload(base, id);
    if (dl.status === 200) {
      // The job may have completed between the status read and the download: a whole file of
      // a job that reads completed right after is that. Anything else was served early.
      const after = (await (await fetch(`${base}/api/jobs/${id}`)).json()) as Record<string, any>;
      if (after.status !== 'completed' || !dl.complete) bad.push(`200 while ${after.status}${dl.complete ? '' : ' (incomplete body)'}`);
    } else if (dl.status >= 500 || !dl.code) bad.push(`${dl.status} ${dl.code ?? 'no code'}`);
    else refusals.add(dl.code);
    if (Date.now() > end) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
