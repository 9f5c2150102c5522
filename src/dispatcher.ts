import { EventEmitter } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Database } from './db/types.js';
import { DISK_FULL, isErrorCode, ERRORS } from './errors.js';
import type { Handlers, JobHandler, JobOutput } from './handlers.js';
import { TaskFailure, type Progress, type WorkerPool } from './pool.js';
import * as queue from './queue/index.js';
import type { ClaimedJob, Lease } from './queue/index.js';
import type { Storage } from './storage/layout.js';
import type { LinkSigner } from './http/links.js';

export interface DispatcherOptions {
  db: Kysely<Database>;
  storage: Storage;
  pool: WorkerPool;
  handlers: Handlers;
  /** Signs the links of job JSON that handlers send out (webhooks). */
  links: LinkSigner;
  log: Logger;
  leaseMs: number;
  timeoutMs: number;
  ttlMs: number;
  /** Concurrent main-thread (io lane) jobs. */
  ioConcurrency?: number;
  /** Poll backoff bounds: how soon to look again after an empty claim. */
  minPollMs?: number;
  maxPollMs?: number;
  /** Progress is written to the row at most this often per job. */
  progressIntervalMs?: number;
  node?: string;
}

export type FinalStatus = 'completed' | 'failed' | 'retrying' | 'released' | 'discarded';

export interface FinishedEvent {
  id: string;
  type: string;
  status: FinalStatus;
  errorCode?: string;
  durationMs: number;
}

interface Lane {
  name: 'cpu' | 'io';
  capacity: number;
  types: string[];
  running: number;
  /**
   * Worth a claim: set by an in-process enqueue of one of its types, a job of the lane
   * finishing, and every poll; cleared by a claim that finds the lane's queue drained. An
   * idle lane then costs no query per job of the busy one (a round trip each on PostgreSQL:
   * one thread ran 197 no-op jobs/s when every tick also claimed the empty io lane).
   */
  due: boolean;
  /** Moving average of the lane's jobs, claim to finish (ms); undefined until one finishes. */
  avgMs?: number;
}

/**
 * Jobs this short (claim to finish, on average) are claimed in batches: each claim is a write
 * commit, which for a no-op job costs more than the job. In that mode the lane refills only
 * when its claimed jobs fall to its capacity, and then up to PREFETCH × capacity, so one
 * claim statement takes several jobs (a 1-job claim: 64 µs; 8 in one: 11 µs a job). Real PDF
 * jobs take 50 ms and more and are claimed one free thread at a time, as before: a node never
 * holds long jobs it cannot start while another node has room.
 */
const SHORT_JOB_MS = 20;
const PREFETCH = 4;

type StopReason = 'cancelled' | 'lease-lost' | 'shutdown' | 'timeout';

interface Active {
  job: ClaimedJob;
  lease: Lease;
  controller: AbortController;
  reason?: StopReason;
  /** The run has ended and its outcome is being written: heartbeats no longer concern it. */
  settled: boolean;
  progress?: Progress;
  progressDirty: boolean;
  done: Promise<void>;
}

/**
 * Claims jobs while there is room and runs them. Wakes at once on an in-process enqueue
 * (wake()) or a finished task; otherwise polls with a backoff that grows from minPollMs to
 * maxPollMs while the queue is empty, so jobs written by another process on the same
 * database are picked up within a second. Renews the lease of every running job every
 * leaseMs/3, and rescues other holders' expired leases.
 *
 * Events: 'finished' (FinishedEvent) after each run, 'progress' ({id, percent, stage}).
 */
export class Dispatcher extends EventEmitter {
  readonly node: string;
  private readonly o: Required<Omit<DispatcherOptions, 'node'>>;
  private readonly lanes: Lane[];
  private readonly active = new Map<string, Active>();
  private pollDelay: number;
  private pollTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private ticking = false;
  private tickAgain = false;
  private lastRescue = 0;
  private started = false;
  private stopping = false;

  constructor(opts: DispatcherOptions) {
    super();
    this.o = { ioConcurrency: 8, minPollMs: 10, maxPollMs: 1000, progressIntervalMs: 250, ...opts } as Required<Omit<DispatcherOptions, 'node'>>;
    this.node = opts.node ?? `${os.hostname()}:${process.pid}`;
    this.pollDelay = this.o.minPollMs;
    const typesOf = (lane: JobHandler['lane']) => Object.entries(opts.handlers).filter(([, h]) => h.lane === lane).map(([t]) => t);
    // WORKER_THREADS=0 makes an API-only node: it serves HTTP and runs no job of any kind
    // (io jobs need the pool too, e.g. an AI job extracting a PDF's text).
    const apiOnly = !opts.pool.alive;
    this.lanes = [
      { name: 'cpu', capacity: apiOnly ? 0 : opts.pool.size, types: typesOf('cpu'), running: 0, due: true },
      { name: 'io', capacity: apiOnly ? 0 : this.o.ioConcurrency, types: typesOf('io'), running: 0, due: true },
    ].filter((l) => l.capacity > 0 && l.types.length > 0) as Lane[];
  }

  get runningCount(): number {
    return this.active.size;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.heartbeatTimer = setInterval(() => void this.renewLeases(), Math.max(100, Math.floor(this.o.leaseMs / 3)));
    this.heartbeatTimer.unref();
    this.progressTimer = setInterval(() => void this.flushProgress(), this.o.progressIntervalMs);
    this.progressTimer.unref();
    this.wake();
  }

  /** Look for work now: after an in-process enqueue (of `type`, or of anything). */
  wake(type?: string): void {
    if (!this.started || this.stopping) return;
    for (const lane of this.lanes) if (type === undefined || lane.types.includes(type)) lane.due = true;
    this.pollDelay = this.o.minPollMs;
    if (this.scheduled) return;
    this.scheduled = true;
    clearTimeout(this.pollTimer);
    setImmediate(() => void this.tick());
  }

  /** A slot of `lane` just freed: claim for it in this turn rather than after a setImmediate hop. */
  private wakeNow(lane: Lane): void {
    if (!this.started || this.stopping) return;
    lane.due = true;
    this.pollDelay = this.o.minPollMs;
    clearTimeout(this.pollTimer);
    void this.tick();
  }

  /** Stops a job running here (DELETE /jobs/:id). The row is already cancelled by the caller. */
  cancel(id: string): boolean {
    const a = this.active.get(id);
    if (!a) return false;
    a.reason = 'cancelled';
    a.controller.abort(new Error('cancelled'));
    return true;
  }

  /**
   * Stops claiming, gives running tasks up to graceMs to finish, then aborts the rest and
   * hands their jobs back (pending, attempt not counted). Resolves when nothing runs.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.pollTimer);
    const all = () => Promise.allSettled([...this.active.values()].map((a) => a.done));
    if (this.active.size > 0) {
      this.o.log.info({ running: this.active.size, graceMs }, 'waiting for running jobs to finish');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    for (const a of this.active.values()) {
      a.reason = 'shutdown';
      a.controller.abort(new Error('shutdown'));
    }
    await all();
    await this.flushProgress();
    clearInterval(this.heartbeatTimer);
    clearInterval(this.progressTimer);
  }

  private schedule(delay: number): void {
    if (this.stopping || this.scheduled) return;
    clearTimeout(this.pollTimer);
    // A poll looks at every lane: jobs may have been written by another process.
    this.pollTimer = setTimeout(() => {
      for (const lane of this.lanes) lane.due = true;
      void this.tick();
    }, delay);
    this.pollTimer.unref();
  }

  private async tick(): Promise<void> {
    this.scheduled = false;
    if (this.stopping) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    let claimedAll = false;
    try {
      await this.maybeRescue();
      for (const lane of this.lanes) {
        const free = this.freeSlots(lane);
        if (!lane.due || free <= 0 || this.stopping) continue;
        const jobs = await queue.claim(this.o.db, { limit: free, types: lane.types, leaseMs: this.o.leaseMs, node: this.node });
        for (const job of jobs) this.startJob(lane, job);
        if (jobs.length === free) claimedAll = true;
        else lane.due = false; // drained: quiet until a wake, a finished job or the next poll
      }
      // A full claim means more may be waiting: look again as soon as a slot frees (runJob
      // wakes us). An empty or partial claim means the queue is drained: back off.
      this.pollDelay = claimedAll ? this.o.minPollMs : Math.min(this.pollDelay * 2, this.o.maxPollMs);
    } catch (err) {
      this.o.log.error({ err }, 'dispatcher: claim failed');
      this.pollDelay = this.o.maxPollMs;
    } finally {
      this.ticking = false;
    }
    if (this.tickAgain) {
      this.tickAgain = false;
      this.wake();
    } else {
      this.schedule(this.pollDelay);
    }
  }

  /**
   * Room for new jobs in a lane. A cpu job may fan out over several threads (OCR pages,
   * bulk files), so the cpu lane counts busy threads as well as running jobs: it claims only
   * when the pool really has a free thread.
   */
  private freeSlots(lane: Lane): number {
    const used = lane.name === 'cpu' ? Math.max(lane.running, this.o.pool.busy) : lane.running;
    if (!this.batchesClaims(lane)) return lane.capacity - used;
    return used <= lane.capacity ? lane.capacity * PREFETCH - used : 0;
  }

  /** Short cpu jobs, and a pool that can hold the ones claimed ahead of a thread. */
  private batchesClaims(lane: Lane): boolean {
    return lane.name === 'cpu' && lane.avgMs !== undefined && lane.avgMs < SHORT_JOB_MS && this.o.pool.maxQueue >= lane.capacity * PREFETCH;
  }

  /** Expired leases of other (crashed) holders, at most once per second from this node. */
  private async maybeRescue(): Promise<void> {
    const now = Date.now();
    if (now - this.lastRescue < 1000) return;
    this.lastRescue = now;
    const { requeued, failed } = await queue.rescue(this.o.db, this.o.ttlMs, now);
    if (requeued.length) this.o.log.warn({ jobs: requeued }, 'rescued jobs whose lease expired; they will run again');
    if (failed.length) this.o.log.error({ jobs: failed }, 'jobs interrupted too often; failed with JOB_INTERRUPTED');
    for (const id of failed) void this.o.storage.removeJobFiles(id, { inputs: true, work: true });
  }

  private startJob(lane: Lane, job: ClaimedJob): void {
    lane.running++;
    const a: Active = {
      job,
      lease: { id: job.id, token: job.lease_token },
      controller: new AbortController(),
      settled: false,
      progressDirty: false,
      done: Promise.resolve(),
    };
    this.active.set(job.id, a);
    const claimedAt = performance.now();
    a.done = this.runJob(a).finally(() => {
      const ms = performance.now() - claimedAt;
      lane.avgMs = lane.avgMs === undefined ? ms : 0.8 * lane.avgMs + 0.2 * ms;
      lane.running--;
      this.active.delete(job.id);
      this.wakeNow(lane);
    });
  }

  private async runJob(a: Active): Promise<void> {
    const { job, lease, controller } = a;
    const started = performance.now();
    const log = this.o.log.child({ jobId: job.id, jobType: job.type, attempt: job.attempts });
    const storage = this.o.storage;
    const workDir = storage.workDir(job.id, lease.token);
    let workDirMade = false;
    const finish = (status: FinalStatus, errorCode?: string) => {
      const durationMs = performance.now() - started;
      log.info({ status, errorCode, durationMs: Math.round(durationMs) }, `job ${status}`);
      this.emit('finished', { id: job.id, type: job.type, status, errorCode, durationMs } satisfies FinishedEvent);
    };
    // One plain timer rather than AbortSignal.any + AbortSignal.timeout: same effect, a
    // fraction of the cost per job.
    const timer = setTimeout(() => {
      a.reason ??= 'timeout';
      controller.abort(new Error('timeout'));
    }, this.o.timeoutMs);
    try {
      const handler = this.o.handlers[job.type];
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
        pool: this.o.pool,
        db: this.o.db,
        storage,
        links: this.o.links,
        log,
        progress: (p) => {
          a.progress = p;
          a.progressDirty = true;
          this.emit('progress', { id: job.id, ...p });
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
      if (await queue.complete(this.o.db, lease, { result: outcome.result, output, ttlMs: this.o.ttlMs })) {
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
      await this.onRunError(a, err, log, finish);
    } finally {
      clearTimeout(timer);
    }
  }

  private async onRunError(a: Active, err: unknown, log: Logger, finish: (s: FinalStatus, code?: string) => void): Promise<void> {
    const { job, lease } = a;
    if (a.reason === 'shutdown') {
      const released = await queue.release(this.o.db, lease).catch((e) => (log.error({ err: e }, 'release failed'), false));
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
      await queue.retry(this.o.db, lease, failure, delay);
      finish('retrying', failure.code);
      return;
    }
    if (failure.code === 'INTERNAL_ERROR' || failure.code === 'WORKER_CRASHED' || failure.code === 'INSUFFICIENT_STORAGE') log.error({ err }, 'job failed');
    const failed = await queue.fail(this.o.db, lease, failure, this.o.ttlMs);
    if (failed) await this.o.storage.removeJobFiles(job.id, { inputs: true, work: true });
    finish(failed ? 'failed' : 'discarded', failure.code);
  }

  private async renewLeases(): Promise<void> {
    if (this.active.size === 0) return;
    const leases = [...this.active.values()].map((a) => a.lease);
    try {
      const held = await queue.heartbeat(this.o.db, leases, this.o.leaseMs);
      for (const lease of leases) {
        const a = this.active.get(lease.id);
        // A run that is already writing its outcome lost its lease to that very write.
        if (a && !held.has(lease.id) && !a.reason && !a.settled) {
          this.o.log.warn({ jobId: lease.id }, 'lease lost (job cancelled or taken over); stopping its task');
          a.reason = 'lease-lost';
          a.controller.abort(new Error('lease lost'));
        }
      }
    } catch (err) {
      this.o.log.error({ err }, 'heartbeat failed');
    }
  }

  private async flushProgress(): Promise<void> {
    for (const a of this.active.values()) {
      if (!a.progressDirty || !a.progress || a.reason) continue;
      a.progressDirty = false;
      await queue.setProgress(this.o.db, a.lease, a.progress.percent, a.progress.stage).catch(() => {});
    }
  }
}

export interface Failure {
  code: string;
  message: string;
  retryable: boolean;
}

/** Any error out of a run → a coded failure a client can read. */
function toFailure(err: unknown, timedOut: boolean): Failure {
  if (timedOut) return { code: 'JOB_TIMEOUT', message: ERRORS.JOB_TIMEOUT[1], retryable: false };
  if (isDiskFull(err)) return { code: 'INSUFFICIENT_STORAGE', message: DISK_FULL, retryable: false };
  if (err instanceof TaskFailure) {
    const code = isErrorCode(err.code) ? err.code : 'PROCESSING_FAILED';
    return { code, message: err.message, retryable: err.retryable };
  }
  // Anything else escaped a worker thread (it crashed, ran out of memory) or is a bug here:
  // retry, bounded by max_attempts, and say no more than that to the client.
  const message = err instanceof Error ? err.message : '';
  if (/worker|terminat|exited|out of memory/i.test(message)) {
    return { code: 'WORKER_CRASHED', message: ERRORS.WORKER_CRASHED[1], retryable: true };
  }
  return { code: 'INTERNAL_ERROR', message: ERRORS.INTERNAL_ERROR[1], retryable: true };
}

/**
 * A write on the main thread that hit a full disk (or quota). Not the file's fault, and not
 * retried: the next run would meet the same full disk, so the job fails at once and frees its
 * space. (A task that meets one in a worker says INSUFFICIENT_STORAGE itself: workers/task.ts.)
 */
function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}
