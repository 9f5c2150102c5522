import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { moduleExt } from './paths.js';
import type { TaskOutcome } from '../workers/task.js';
import type * as Tasks from '../workers/index.js';

/** Every task exported by workers/index.ts, by name. */
export type TaskName = keyof typeof Tasks;

export interface Progress {
  percent: number;
  stage: string;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

/** A task that ran and reported a coded failure (bad input, engine refusal…). */
export class TaskFailure extends Error {
  override name = 'TaskFailure';
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    /** For a retryable failure: wait at least this long before the next run (e.g. a Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
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
  : new URL(`../workers/index${moduleExt}`, import.meta.url).href;

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

  constructor(opts: PoolOptions) {
    this.size = opts.threads;
    this.maxQueue = opts.maxQueue ?? 0;
    if (opts.threads > 0) {
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
      });
    }
  }

  /** Tasks running or waiting right now (the dispatcher claims only below the thread count). */
  get busy(): number {
    return this.running;
  }

  /** Runs fn over items with at most `size` tasks at once: fan-out that does not flood the queue. */
  async map<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
    const out: R[] = new Array(items.length);
    let next = 0;
    let failed = false;
    const lanes = Array.from({ length: Math.max(1, Math.min(this.size, items.length)) }, async () => {
      while (next < items.length && !failed) {
        const i = next++;
        try {
          out[i] = await fn(items[i]!, i);
        } catch (err) {
          failed = true; // start nothing new; the first error is the answer
          throw err;
        }
      }
    });
    await Promise.all(lanes);
    return out;
  }

  get alive(): boolean {
    return !this.destroyed && this.piscina !== undefined;
  }

  async run<R>(name: TaskName, payload: object, opts: RunOptions = {}): Promise<R> {
    if (!this.piscina || this.destroyed) throw new PoolBusyError('this node runs no worker threads');
    let channel: MessageChannel | undefined;
    if (opts.onProgress) {
      channel = new MessageChannel();
      const onProgress = opts.onProgress;
      channel.port1.on('message', (m: Progress) => onProgress(m));
      channel.port1.unref();
    }
    this.running++;
    try {
      const outcome = (await this.piscina.run(channel ? { ...payload, progressPort: channel.port2 } : payload, {
        name,
        signal: opts.signal ?? null,
        transferList: channel ? [channel.port2] : [],
      })) as TaskOutcome<R>;
      if (!outcome.ok) throw new TaskFailure(outcome.error.code, outcome.error.message, outcome.error.retryable);
      return outcome.value;
    } catch (err) {
      if (err instanceof Error && err.message === 'Task queue is at limit') throw new PoolBusyError('the pool queue is full');
      throw err;
    } finally {
      this.running--;
      channel?.port1.close();
    }
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.piscina?.destroy();
  }
}
