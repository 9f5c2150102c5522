import { mkdir, rm } from 'node:fs/promises';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { TaskFailure } from '../errors.js';
import type { JobOutput } from '../jobs/types.js';
import type { Progress } from '../pool/pool.js';
import * as queue from '../queue/index.js';
import { isServerFault, toFailure } from './failures.js';
import type { Active, DispatcherOptions, FinalStatus, FinishedEvent } from './types.js';

export type RunDeps = Pick<DispatcherOptions, 'db' | 'storage' | 'pool' | 'handlers' | 'links' | 'log' | 'timeoutMs' | 'ttlMs'>;

export interface RunEvents {
  finished(e: FinishedEvent): void;
  progress(e: { id: string } & Progress): void;
}

/**
 * Runs one claimed job to its end: the handler with its context (inputs, a scratch folder
 * made on demand, the pool, progress), then the outcome written under the job's lease: the
 * result files renamed into results/ and the job completed, or, when the lease was taken
 * over meanwhile, everything thrown away. An error becomes a retry, a failure, or nothing
 * (the row is no longer ours), as onRunError decides.
 */
export async function runJob(a: Active, o: RunDeps, on: RunEvents): Promise<void> {
  const { job, lease, controller } = a;
  const started = performance.now();
  const log = o.log.child({ jobId: job.id, jobType: job.type, attempt: job.attempts });
  const storage = o.storage;
  const workDir = storage.workDir(job.id, lease.token);
  let workDirMade = false;
  const finish = (status: FinalStatus, errorCode?: string) => {
    const durationMs = performance.now() - started;
    log.info({ status, errorCode, durationMs: Math.round(durationMs) }, `job ${status}`);
    on.finished({ id: job.id, type: job.type, status, errorCode, durationMs });
  };
  // One plain timer rather than AbortSignal.any + AbortSignal.timeout: same effect, a
  // fraction of the cost per job.
  const timer = setTimeout(() => {
    a.reason ??= 'timeout';
    controller.abort(new Error('timeout'));
  }, o.timeoutMs);
  try {
    const handler = o.handlers[job.type];
    if (!handler) throw new TaskFailure('INTERNAL_ERROR', `No handler for job type "${job.type}".`, false);
    await storage.ensureInputs(job.id);
    const outcome = await handler.run({
      job,
      signal: controller.signal,
      inputDir: storage.inputDir(job.id),
      workDir: async () => {
        if (!workDirMade) await mkdir(workDir, { recursive: true });
        workDirMade = true;
        return workDir;
      },
      pool: o.pool,
      db: o.db,
      storage,
      links: o.links,
      log,
      progress: (p) => {
        a.progress = p;
        a.progressDirty = true;
        on.progress({ id: job.id, ...p });
      },
    });
    controller.signal.throwIfAborted();
    a.settled = true;
    const files = outcome.files ?? [];
    if (files.length) {
      if (!workDirMade) throw new Error(`job type ${job.type} listed result files without making its work folder`);
      await storage.commitResults(job.id, lease.token, workDir, files.map((f) => f.name));
      workDirMade = false;
    }
    const output = files.length ? ({ lease: lease.token, files, ...(outcome.archive ? { archive: outcome.archive } : {}) } satisfies JobOutput) : undefined;
    if (await queue.complete(o.db, lease, { result: outcome.result, output, ttlMs: o.ttlMs })) {
      // The job is done; leftovers that fail to go now are the sweep's to remove.
      await storage.removeJobFiles(job.id, { inputs: true, work: workDirMade || files.length > 0 }).catch((err) => log.warn({ err }, 'could not remove inputs'));
      finish('completed');
    } else {
      // Our lease was taken over (we stalled past it, or the job was cancelled): a newer
      // attempt owns the job, so this result is thrown away rather than written over it.
      if (files.length) await storage.discardResults(job.id, lease.token);
      if (workDirMade) await rm(workDir, { recursive: true, force: true });
      finish('discarded');
    }
  } catch (err) {
    a.settled = true;
    if (workDirMade) await rm(workDir, { recursive: true, force: true }).catch(() => {});
    await onRunError(a, err, o, log, finish);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why the run stopped decides what happens to the row: a shutdown hands it back (pending,
 * the attempt not counted); a cancel or a lost lease leaves it to its new owner; a failure is
 * retried with backoff while attempts remain and it is retryable, else the job fails with its
 * code and its files go.
 */
async function onRunError(a: Active, err: unknown, o: RunDeps, log: Logger, finish: (s: FinalStatus, code?: string) => void): Promise<void> {
  const { job, lease } = a;
  if (a.reason === 'shutdown') {
    const released = await queue.release(o.db, lease).catch((e) => (log.error({ err: e }, 'release failed'), false));
    finish(released ? 'released' : 'discarded');
    return;
  }
  if (a.reason === 'cancelled' || a.reason === 'lease-lost') {
    finish('discarded'); // the row is no longer ours
    return;
  }
  const failure = toFailure(err, a.reason === 'timeout');
  if (failure.retryable && job.attempts < job.max_attempts) {
    const delay = Math.max(queue.backoffMs(job.attempts), err instanceof TaskFailure ? (err.retryAfterMs ?? 0) : 0);
    log.warn({ err: failure, delayMs: delay }, 'job failed; will retry');
    await queue.retry(o.db, lease, failure, delay);
    finish('retrying', failure.code);
    return;
  }
  if (isServerFault(failure.code)) log.error({ err }, 'job failed');
  const failed = await queue.fail(o.db, lease, failure, o.ttlMs);
  if (failed) await o.storage.removeJobFiles(job.id, { inputs: true, work: true });
  finish(failed ? 'failed' : 'discarded', failure.code);
}
