import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Config } from '../config.js';
import type { Database, JobStatus } from '../db/types.js';
import { purgeRateLimits } from '../http/rate-limit-store.js';
import { expire } from '../queue/index.js';
import { isUuid, STAGING, STAGING_TOUCH_MS, stagingOwnerGone, type Storage } from './layout.js';

export interface SweepReport {
  expired: number;
  removed: string[];
}

/**
 * A folder with no job row, or one whose job no longer needs it, is only deleted once it is
 * this old: an upload is moved into temp/<job>/ a moment before its row is inserted, and a
 * run's scratch folder is created a moment after its claim.
 */
const ORPHAN_GRACE_MS = 10 * 60_000;
/**
 * Staging folders of uploads still arriving: their process touches them (STAGING_TOUCH_MS),
 * so one silent this long belongs to a process that is gone. Folders named by a bare UUID
 * (before staging folders were named for their process) keep the old hour of grace.
 */
const STAGING_SILENT_MS = 12 * STAGING_TOUCH_MS;
const STAGING_GRACE_MS = 60 * 60_000;

/**
 * One cleanup pass: jobs past their TTL become expired and lose their files; then every job
 * folder under temp/, processing/ and results/ is checked against its row and removed when
 * the job no longer needs it (inputs of finished jobs, scratch of runs that ended, results
 * of runs that did not complete the job, folders of jobs that do not exist).
 */
export async function sweep(db: Kysely<Database>, storage: Storage, now = Date.now()): Promise<SweepReport> {
  await purgeRateLimits(db, now);
  const expiredIds = await expire(db, { now });
  for (const id of expiredIds) await storage.removeJobFiles(id);

  const removed: string[] = [];
  const remove = async (dir: string) => {
    await rm(dir, { recursive: true, force: true });
    removed.push(path.relative(storage.root, dir));
  };
  const oldEnough = async (dir: string, graceMs: number) => graceMs === 0 || now - (await newestMtime(dir)) > graceMs;

  const roots = { temp: storage.tempRoot, processing: storage.processingRoot, results: storage.resultsRoot } as const;
  const names = new Set<string>();
  const listing: Record<keyof typeof roots, string[]> = { temp: [], processing: [], results: [] };
  for (const [key, root] of Object.entries(roots) as [keyof typeof roots, string][]) {
    listing[key] = await readdir(root).catch(() => []);
    for (const n of listing[key]) if (isUuid(n)) names.add(n.toLowerCase());
  }
  const rows = await jobsById(db, [...names]);

  for (const name of listing.temp) {
    const dir = path.join(storage.tempRoot, name);
    if (name === STAGING) {
      for (const upload of await readdir(dir).catch(() => [])) {
        const up = path.join(dir, upload);
        if (stagingOwnerGone(upload) || (await oldEnough(up, isUuid(upload) ? STAGING_GRACE_MS : STAGING_SILENT_MS))) await remove(up);
      }
      continue;
    }
    const job = rows.get(name.toLowerCase());
    const needed = job && (job.status === 'pending' || job.status === 'processing');
    if (!needed && (await oldEnough(dir, job ? 0 : ORPHAN_GRACE_MS))) await remove(dir);
  }
  for (const name of listing.processing) {
    const dir = path.join(storage.processingRoot, name);
    const job = rows.get(name.toLowerCase());
    if (job?.status === 'processing') {
      // Scratch of earlier, abandoned runs of a job that is running again.
      for (const lease of await readdir(dir).catch(() => [])) {
        if (lease !== job.lease_token && (await oldEnough(path.join(dir, lease), ORPHAN_GRACE_MS))) await remove(path.join(dir, lease));
      }
    } else if (await oldEnough(dir, ORPHAN_GRACE_MS)) {
      await remove(dir);
    }
  }
  for (const name of listing.results) {
    const dir = path.join(storage.resultsRoot, name);
    const job = rows.get(name.toLowerCase());
    if (job?.status === 'completed') {
      // Keep the result of the run that completed the job; drop results other runs left behind
      // (one killed between its rename into results/ and its completion write, or a stale run
      // whose lease moved on) at once: a completed job never runs again, so nothing live
      // writes there.
      for (const lease of await readdir(dir).catch(() => [])) {
        if (lease !== job.resultLease) await remove(path.join(dir, lease));
      }
    } else if (await oldEnough(dir, job && job.status !== 'processing' && job.status !== 'pending' ? 0 : ORPHAN_GRACE_MS)) {
      // A pending job may be claimed and complete between the row read above and this removal:
      // its folder waits for the grace, like a running job's.
      await remove(dir);
    }
  }
  if (storage.bucket) removed.push(...(await sweepBucket(db, storage, now)));
  return { expired: expiredIds.length, removed };
}

/**
 * The same rules for the bucket: inputs/<job>/ only while the job is pending or running,
 * results/<job>/<lease>/ only for the lease that completed it. Objects of jobs without a row
 * are left for ORPHAN_GRACE_MS (the upload happens just before the insert).
 */
async function sweepBucket(db: Kysely<Database>, storage: Storage, now: number): Promise<string[]> {
  const bucket = storage.bucket!;
  const removed: string[] = [];
  const inputs = (await bucket.folders('inputs/')).filter(isUuid);
  const results = (await bucket.folders('results/')).filter(isUuid);
  const rows = await jobsById(db, [...new Set([...inputs, ...results])]);
  const youngest = async (prefix: string) => Math.max(0, ...(await bucket.list(prefix)).map((o) => o.modified));
  const drop = async (prefix: string) => {
    if (await bucket.deletePrefix(prefix)) removed.push(`bucket:${prefix}`);
  };
  for (const id of inputs) {
    const job = rows.get(id);
    if (job && (job.status === 'pending' || job.status === 'processing')) continue;
    if (job || now - (await youngest(`inputs/${id}/`)) > ORPHAN_GRACE_MS) await drop(`inputs/${id}/`);
  }
  for (const id of results) {
    const job = rows.get(id);
    if (job?.status === 'completed') {
      for (const lease of await bucket.folders(`results/${id}/`)) {
        if (lease !== job.resultLease && now - (await youngest(`results/${id}/${lease}/`)) > ORPHAN_GRACE_MS) await drop(`results/${id}/${lease}/`);
      }
    } else if ((job && job.status !== 'processing') || now - (await youngest(`results/${id}/`)) > ORPHAN_GRACE_MS) {
      await drop(`results/${id}/`);
    }
  }
  return removed;
}

interface SweepRow {
  status: JobStatus;
  lease_token: string | null;
  resultLease: string | undefined;
}

async function jobsById(db: Kysely<Database>, ids: string[]): Promise<Map<string, SweepRow>> {
  const map = new Map<string, SweepRow>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('jobs')
      .select(['id', 'status', 'lease_token', 'output'])
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) {
      const lease = r.output ? (JSON.parse(r.output) as { lease?: string }).lease : undefined;
      map.set(r.id, { status: r.status, lease_token: r.lease_token, resultLease: lease });
    }
  }
  return map;
}

/** The newest modification time in a folder tree (an upload still arriving keeps it fresh). */
async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  const visit = async (p: string, depth: number) => {
    const s = await stat(p).catch(() => undefined);
    if (!s) return;
    newest = Math.max(newest, s.mtimeMs);
    if (s.isDirectory() && depth < 3) for (const e of await readdir(p).catch(() => [])) await visit(path.join(p, e), depth + 1);
  };
  await visit(dir, 0);
  return newest;
}

export const cleanupPlugin = fp<{ config: Config; log?: Logger }>(
  async (app, { config }) => {
    const log = app.log.child({ component: 'cleanup' });
    let running: Promise<unknown> | undefined;
    const run = () => {
      running ??= sweep(app.store.db, app.storage)
        .then((r) => {
          if (r.expired || r.removed.length) log.info({ expired: r.expired, removed: r.removed.length }, 'cleanup sweep');
        })
        .catch((err) => log.error({ err }, 'cleanup sweep failed'))
        .finally(() => (running = undefined));
    };
    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      run();
      timer = setInterval(run, config.cleanupIntervalMs);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await running;
    });
  },
  { name: 'cleanup', dependencies: ['db', 'storage'] },
);
