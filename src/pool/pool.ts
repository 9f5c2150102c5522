import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { moduleExt } from '../paths.js';
import { TaskFailure } from '../errors.js';
import { RETIRE_SLOTS, type RecycleData } from '../../workers/recycle.js';
import type { TaskOutcome } from '../../workers/task.js';
import type * as Tasks from '../../workers/index.js';
import { mapLimit } from './map-limit.js';

/** Every task exported by workers/index.ts, by name. */
export type TaskName = keyof typeof Tasks;
/** A task's payload and result, read off its module (workers/<task>.ts): no local copies. */
export type TaskPayload<N extends TaskName> = Omit<Parameters<(typeof Tasks)[N]>[0], 'progressPort'>;
export type TaskResult<N extends TaskName> = Awaited<ReturnType<(typeof Tasks)[N]>> extends TaskOutcome<infer R> ? R : never;

export interface Progress {
  percent: number;
  stage: string;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** The task has left the queue and started on a thread (workers/task.ts says so first). */
  onStart?: () => void;
}

/** The pool could not take the task (its queue is at its bound). */
export class PoolBusyError extends Error {
  override name = 'PoolBusyError';
}

/**
 * The worker module: beside this file (workers/index.ts from source, dist/workers/index.js
 * compiled), or the compiled one from PDF_SMALLER_WORKER_DIR. `npm test` builds and sets it:
 * a worker thread under the TypeScript test loader needs 2.5–8 s to start (the compiler
 * loads in every thread), the compiled module ~0.1 s, and it is the code production runs.
 */
const WORKER_FILE = process.env.PDF_SMALLER_WORKER_DIR
  ? pathToFileURL(path.resolve(process.env.PDF_SMALLER_WORKER_DIR, 'index.js')).href
  : new URL(`../../workers/index${moduleExt}`, import.meta.url).href;

export interface PoolOptions {
  threads: number;
  /**
   * Tasks allowed to wait for a thread: fan-out tasks of one job, and the few very short
   * jobs the dispatcher claims ahead of a free thread (see SHORT_JOB_MS in dispatcher.ts).
   */
  maxQueue?: number;
  /** Keep this many threads warm; the rest start on demand and stop after idleTimeoutMs. */
  minThreads?: number;
  idleTimeoutMs?: number;
  /** V8 heap cap per thread. MuPDF's WASM memory is outside it. */
  maxOldGenerationSizeMb?: number;
  /**
   * WORKER_RECYCLE_MB: a thread whose MuPDF and V8 heaps hold more than this after a task is
   * replaced by a fresh one (0 or absent: never). Only for pools that keep every thread
   * (minThreads = threads): Piscina refills those at once.
   */
  recycleBytes?: number;
}

/**
 * The Piscina worker-thread pool running the tasks of workers/. An aborted task (timeout,
 * cancel) has its thread terminated by Piscina and replaced; a thread that dies takes only
 * its own task with it.
 */
export class WorkerPool {
  readonly size: number;
  readonly maxQueue: number;
  private readonly piscina: Piscina | undefined;
  private running = 0;
  private destroyed = false;
  /**
   * Holds the event loop open while tasks are waiting or running. Piscina keeps only busy
   * threads referenced: a task queued behind a thread that is being replaced (a crash, a
   * recycle) waits on an unreferenced new thread, and a process with nothing else open (the
   * command line, a test) would exit with the task never run.
   */
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(opts: PoolOptions) {
    this.size = opts.threads;
    this.maxQueue = opts.maxQueue ?? 0;
    if (opts.threads > 0) {
      const recycle: RecycleData | undefined = opts.recycleBytes ? { bytes: opts.recycleBytes, flags: new SharedArrayBuffer(4 * RETIRE_SLOTS) } : undefined;
      const retiring = recycle ? new Int32Array(recycle.flags) : undefined;
      this.piscina = new Piscina({
        filename: WORKER_FILE,
        minThreads: Math.min(opts.minThreads ?? opts.threads, opts.threads),
        maxThreads: opts.threads,
        maxQueue: this.maxQueue,
        idleTimeout: opts.idleTimeoutMs ?? 60_000,
        resourceLimits: { maxOldGenerationSizeMb: opts.maxOldGenerationSizeMb ?? 1024 },
        // Compiled workers need no loader: do not let threads inherit the parent's --import
        // hooks (the test loader would start a TypeScript compiler in every thread).
        ...(process.env.PDF_SMALLER_WORKER_DIR ? { execArgv: [] } : {}),
        ...(recycle
          ? {
              workerData: { recycle },
              // An idle thread must keep its event loop turning to exit on its own: with
              // 'sync' atomics it would sleep in Atomics.wait until its next task, which a
              // retiring thread never gets.
              atomics: 'async' as const,
              // A task goes to an idle thread that is not retiring (workers/task.ts marks a
              // retiring thread before its answer leaves, so this never hands it another
              // task); the retiring one exits and Piscina starts its replacement.
              loadBalancer: (_task, workers) => workers.find((w) => w.currentUsage === 0 && Atomics.load(retiring!, w.id % RETIRE_SLOTS) === 0) ?? null,
            }
          : {}),
      });
    }
  }

  /** Tasks running or waiting right now (the dispatcher claims only below the thread count). */
  get busy(): number {
    return this.running;
  }

  /** Runs fn over items with at most `size` tasks at once: fan-out that does not flood the queue. */
  map<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
    return mapLimit(items, this.size, fn);
  }

  get alive(): boolean {
    return !this.destroyed && this.piscina !== undefined;
  }

  async run<N extends TaskName>(name: N, payload: TaskPayload<N>, opts: RunOptions = {}): Promise<TaskResult<N>> {
    if (!this.piscina || this.destroyed) throw new PoolBusyError('this node runs no worker threads');
    let channel: MessageChannel | undefined;
    const { onProgress, onStart } = opts;
    if (onProgress || onStart) {
      channel = new MessageChannel();
      channel.port1.on('message', (m: Progress | { started: true }) => {
        if ('started' in m) onStart?.();
        else onProgress?.(m);
      });
      channel.port1.unref();
    }
    if (this.running++ === 0) this.keepAlive = setInterval(() => {}, 1 << 30);
    try {
      const outcome = (await this.piscina.run(channel ? { ...payload, progressPort: channel.port2 } : payload, {
        name,
        signal: opts.signal ?? null,
        transferList: channel ? [channel.port2] : [],
      })) as TaskOutcome<TaskResult<N>>;
      if (!outcome.ok) throw new TaskFailure(outcome.error.code, outcome.error.message, outcome.error.retryable);
      return outcome.value;
    } catch (err) {
      if (err instanceof Error && err.message === 'Task queue is at limit') throw new PoolBusyError('the pool queue is full');
      throw err;
    } finally {
      if (--this.running === 0) clearInterval(this.keepAlive);
      channel?.port1.close();
    }
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.piscina?.destroy();
  }
}
