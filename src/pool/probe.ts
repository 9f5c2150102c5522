import type { FastifyInstance } from 'fastify';
import { AppError, TaskFailure } from '../errors.js';
import { PoolBusyError, type TaskName, type TaskPayload, type TaskResult } from './pool.js';

/**
 * A probe waits for the one probe thread at most this long (other uploads' checks and
 * previews run there), then runs at most its own bound. Timed apart because they mean
 * different things: a long wait is the server being busy (503, try again), a long run is
 * this file (a 4xx). One 30 s bound for both told the owner of a valid PDF that it "may be
 * damaged" whenever a hostile preview held the thread.
 */
const PROBE_WAIT_MS = 60_000;
/** The submission check opens and counts; a preview also samples pages and images. */
export const CHECK_RUN_MS = 30_000;
export const PREVIEW_RUN_MS = 60_000;

export interface ProbeOptions {
  /** The code for a file the engine cannot read: INVALID_PDF, or INVALID_IMAGE for OCR's images. */
  badInput: 'INVALID_PDF' | 'INVALID_IMAGE';
  runMs: number;
}

/**
 * Runs a check or preview that a request waits on in the probe thread (never on the main
 * thread), and turns every way it can fail into one coded answer, the same on every route:
 * - the task's own code (ENCRYPTED_PDF, TOO_MANY_PAGES, PDF_TOO_COMPLEX, INVALID_OPTIONS…);
 *   an engine error without one (PROCESSING_FAILED) is the file's: `badInput`;
 * - no room in the probe queue, or no thread free within PROBE_WAIT_MS: 503 QUEUE_FULL;
 * - running longer than `runMs`: the file is too complex, PDF_TOO_COMPLEX (an image:
 *   INVALID_IMAGE);
 * - the thread died on the file (an engine abort): `badInput`.
 */
export async function runProbe<N extends TaskName>(app: FastifyInstance, name: N, payload: TaskPayload<N>, o: ProbeOptions): Promise<TaskResult<N>> {
  const controller = new AbortController();
  let started = false;
  let runTimer: NodeJS.Timeout | undefined;
  const waitTimer = setTimeout(() => controller.abort(), PROBE_WAIT_MS);
  const busy = () => new AppError('QUEUE_FULL', 'Too many uploads are being checked right now; try again shortly.');
  try {
    return await app.pools.probe.run(name, payload, {
      signal: controller.signal,
      onStart: () => {
        started = true;
        clearTimeout(waitTimer);
        runTimer = setTimeout(() => controller.abort(), o.runMs);
      },
    });
  } catch (err) {
    if (err instanceof TaskFailure) throw new AppError(err.code !== 'PROCESSING_FAILED' ? err.code : o.badInput, err.message);
    if (err instanceof PoolBusyError) throw busy();
    if ((err as Error).name === 'AbortError') {
      if (!started) throw busy();
      const what = o.badInput === 'INVALID_PDF' ? 'PDF' : 'image';
      throw new AppError(o.badInput === 'INVALID_PDF' ? 'PDF_TOO_COMPLEX' : 'INVALID_IMAGE', `The ${what} took more than ${o.runMs / 1000} s to open and analyse; it is damaged or too complex.`);
    }
    throw new AppError(o.badInput, `The ${o.badInput === 'INVALID_PDF' ? 'PDF' : 'file'} could not be opened; it may be damaged.`);
  } finally {
    clearTimeout(waitTimer);
    clearTimeout(runTimer);
  }
}
