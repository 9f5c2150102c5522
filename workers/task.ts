import v8 from 'node:v8';
import { threadId, type MessagePort } from 'node:worker_threads';
import { workerData } from 'piscina';
import { DISK_FULL, type ErrorCode } from '../src/errors.js';
import { mupdfHeapBytes } from './mupdf.js';
import { RETIRE_SLOTS, type RecycleData } from './recycle.js';

/**
 * Lean threads: a WebAssembly heap never shrinks, so a thread that compressed a 24 MB photo
 * PDF (four 40 Mpx pages) would keep a 200 MB MuPDF heap for the rest of its life, plus the
 * image buffers (sharp's, 128 MB there) that no collection reclaims while the thread idles.
 * After a task that left this thread holding more than WORKER_RECYCLE_MB (MuPDF heap, V8
 * heap and ArrayBuffers together), the thread marks itself retiring in the
 * memory it shares with the pool (the pool's load balancer then gives it no new task) and
 * exits once its answer is out; Piscina starts a fresh thread in its place.
 */
const recycle = (workerData as { recycle?: RecycleData } | undefined)?.recycle;
const retiring = recycle ? new Int32Array(recycle.flags) : undefined;
if (retiring) Atomics.store(retiring, threadId % RETIRE_SLOTS, 0); // a fresh thread in a reused slot

/**
 * What recycling weighs: this thread's MuPDF heap, its V8 heap and its ArrayBuffers and
 * Buffers (process.memoryUsage() reports the calling thread's isolate for all but rss).
 * Without the buffers the weight missed more than half of what a photo job leaves behind.
 */
export function heldBytes(): number {
  return mupdfHeapBytes() + v8.getHeapStatistics().total_heap_size + process.memoryUsage().arrayBuffers;
}

function retireIfHeavy(): void {
  if (!recycle || !retiring || heldBytes() <= recycle.bytes) return;
  Atomics.store(retiring, threadId % RETIRE_SLOTS, 1);
  // After the answer has been posted (Piscina posts it once this task's promise settles).
  setTimeout(() => process.exit(0), 50);
}

/**
 * A failure with a code registered in src/errors.ts (typed ErrorCode: an unregistered code does
 * not compile). Errors crossing the thread boundary lose every property but name and message,
 * so tasks return failures as data (see defineTask) and the pool turns them back into
 * TaskFailure on the main thread.
 */
export class TaskError extends Error {
  override name = 'TaskError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** True when running the task again may succeed (a transient fault, not the input). */
    readonly retryable = false,
  ) {
    super(message);
  }
}

export type TaskOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: ErrorCode; message: string; retryable: boolean } };

export interface TaskContext {
  /** Reports progress to the job (throttled by the dispatcher). */
  progress(percent: number, stage: string): void;
}

/** What every task payload may carry besides its own fields. */
export interface TaskEnvelope {
  progressPort?: MessagePort;
}

/**
 * Wraps a task function for Piscina: failures come back as data with their code, progress
 * goes out through the MessagePort the pool hands over. A thrown non-TaskError is a bug or
 * an engine fault: it becomes PROCESSING_FAILED with a message free of paths and stacks.
 */
export function defineTask<P, R>(fn: (payload: P, ctx: TaskContext) => Promise<R> | R) {
  return async (payload: P & TaskEnvelope): Promise<TaskOutcome<R>> => {
    const port = payload.progressPort;
    // First message: the task left the queue (the probe's run-time bound starts here).
    port?.postMessage({ started: true });
    const ctx: TaskContext = {
      progress: (percent, stage) => port?.postMessage({ percent, stage }),
    };
    try {
      return { ok: true, value: await fn(payload, ctx) };
    } catch (err) {
      if (err instanceof TaskError) return { ok: false, error: { code: err.code, message: err.message, retryable: err.retryable } };
      // A write that met a full disk (or quota) is the server's state, not the file's; said here,
      // while the errno is still on the error (only name and message cross the thread boundary).
      const errno = (err as { code?: unknown } | undefined)?.code;
      if (errno === 'ENOSPC' || errno === 'EDQUOT') return { ok: false, error: { code: 'INSUFFICIENT_STORAGE', message: DISK_FULL, retryable: false } };
      return { ok: false, error: { code: 'PROCESSING_FAILED', message: describe(err), retryable: false } };
    } finally {
      port?.close();
      retireIfHeavy();
    }
  };
}

/** MuPDF's own message, short and without paths. */
export function engineMessage(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/(?:\/[\w.@-]+)+/g, '<file>').replace(/\s+/g, ' ').trim().slice(0, 200) || 'unknown error';
}

/** An engine error as a job's message: what went wrong, without file system paths. */
export function describe(err: unknown): string {
  return `The file could not be processed: ${engineMessage(err)}`;
}
