import { setTimeout as sleep } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import type { ErrorCode } from '../src/errors.js';
import { defineTask, heldBytes, TaskError } from './task.js';

export interface NoopPayload {
  echo?: unknown;
  /** Hold the thread this long (tests of timeouts, leases and shutdown). */
  delayMs?: number;
  /** Fail with this coded error. */
  fail?: { code: ErrorCode; message: string; retryable?: boolean };
  /** End the worker thread abruptly, as a WASM abort or an out-of-memory kill would. */
  crash?: boolean;
}

/**
 * The job machinery with no PDF work: the queue benchmark measures the dispatcher and pool
 * round trip with it, and tests drive delays, failures and thread deaths through the real pool.
 */
export const noop = defineTask(async (p: NoopPayload, ctx) => {
  if (p.crash) process.exit(70);
  if (p.delayMs) {
    ctx.progress(50, 'sleeping');
    await sleep(p.delayMs);
  }
  if (p.fail) throw new TaskError(p.fail.code, p.fail.message, p.fail.retryable ?? false);
  // The thread and what it holds: what recycling decides on (its tests read them).
  return { echo: p.echo ?? null, thread: threadId, held: heldBytes() };
});
