import { EventEmitter } from 'node:events';
import os from 'node:os';
import type { JobHandler } from '../jobs/types.js';
import * as queue from '../queue/index.js';
import type { ClaimedJob } from '../queue/index.js';
import { flushProgress, renewLeases } from './leases.js';
import { runJob } from './run-job.js';
import type { Active, DispatcherOptions, FinishedEvent, Lane } from './types.js';

export type { DispatcherOptions, FinalStatus, FinishedEvent } from './types.js';

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
    a.done = runJob(a, this.o, {
      finished: (e: FinishedEvent) => this.emit('finished', e),
      progress: (e) => this.emit('progress', e),
    }).finally(() => {
      const ms = performance.now() - claimedAt;
      lane.avgMs = lane.avgMs === undefined ? ms : 0.8 * lane.avgMs + 0.2 * ms;
      lane.running--;
      this.active.delete(job.id);
      this.wakeNow(lane);
    });
  }

  private renewLeases(): Promise<void> {
    return renewLeases(this.o.db, this.active, this.o.leaseMs, this.o.log);
  }

  private flushProgress(): Promise<void> {
    return flushProgress(this.o.db, this.active);
  }
}
