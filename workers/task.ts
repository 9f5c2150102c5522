import type { MessagePort } from 'node:worker_threads';
import { DISK_FULL } from '../src/errors.js';

/**
 * A failure with a code from src/errors.ts. Errors crossing the thread boundary lose every
 * property but name and message, so tasks return failures as data (see defineTask) and the
 * pool turns them back into errors on the main thread.
 */
export class TaskError extends Error {
  override name = 'TaskError';
  constructor(
    readonly code: string,
    message: string,
    /** True when running the task again may succeed (a transient fault, not the input). */
    readonly retryable = false,
  ) {
    super(message);
  }
}

export type TaskOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: string; message: string; retryable: boolean } };

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
    }
  };
}

/** An engine error's message, without file system paths. */
export function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `The file could not be processed: ${message.replace(/(?:\/[\w.@-]+)+/g, '<file>').slice(0, 300)}`;
}
