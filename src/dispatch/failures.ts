import { DISK_FULL, ERRORS, TaskFailure, type ErrorCode } from '../errors.js';

export interface Failure {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

/**
 * Any error out of a run → a coded failure a client can read, and whether running the job
 * again may help: a TaskFailure says so itself; a timeout is final; anything else escaped a
 * worker thread (it crashed, ran out of memory) or is a bug here, and is retried (bounded by
 * JOB_MAX_ATTEMPTS) with no more said to the client than that.
 */
export function toFailure(err: unknown, timedOut: boolean): Failure {
  if (timedOut) return { code: 'JOB_TIMEOUT', message: ERRORS.JOB_TIMEOUT[1], retryable: false };
  if (isDiskFull(err)) return { code: 'INSUFFICIENT_STORAGE', message: DISK_FULL, retryable: false };
  if (err instanceof TaskFailure) return { code: err.code, message: err.message, retryable: err.retryable };
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

/** Failures worth an error line in the log (the others are the input's, or a retry). */
export function isServerFault(code: ErrorCode): boolean {
  return code === 'INTERNAL_ERROR' || code === 'WORKER_CRASHED' || code === 'INSUFFICIENT_STORAGE';
}
