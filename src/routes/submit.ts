import { rm, statfs } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError, isErrorCode } from '../errors.js';
import type { JobRow } from '../db/types.js';
import type { FileJobInput } from '../handlers.js';
import { PoolBusyError, TaskFailure } from '../pool.js';
import type { Principal } from '../http/access.js';
import { countPending, countPendingOf, enqueue, getJob } from '../queue/index.js';
import { safeFilename } from '../storage/filenames.js';
import { isUuid } from '../storage/layout.js';
import { sniff } from '../storage/sniff.js';
import type { ReceivedFile } from '../storage/upload.js';

/**
 * Checks made before a byte of an upload is stored: the queue has room, this client has
 * fewer than MAX_PENDING_PER_CLIENT jobs waiting (one greedy client cannot fill the queue for
 * everyone), and the disk has more than MIN_FREE_DISK_MB free. All cheap (two indexed counts,
 * one statfs).
 */
export async function admit(app: FastifyInstance, principal: Principal): Promise<void> {
  const { config } = app;
  if ((await countPending(app.store.db)) >= config.maxPendingJobs) {
    throw new AppError('QUEUE_FULL', `${config.maxPendingJobs} jobs are already waiting; try again later.`);
  }
  if ((await countPendingOf(app.store.db, principal.client)) >= config.maxPendingPerClient) {
    throw new AppError('QUEUE_FULL', `You already have ${config.maxPendingPerClient} jobs waiting; try again when some have finished.`, {
      max_pending_per_client: config.maxPendingPerClient,
    });
  }
  if (config.minFreeDiskBytes > 0) {
    const fs = await statfs(config.uploadDir);
    if (fs.bavail * fs.bsize < config.minFreeDiskBytes) throw new AppError('INSUFFICIENT_STORAGE');
  }
}

/** A client-supplied job id: absent → a fresh UUID; present → must be a UUID. */
export function jobIdFrom(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return randomUUID();
  const id = value.trim().toLowerCase();
  if (!isUuid(id)) throw new AppError('INVALID_OPTIONS', 'job_id must be a UUID.', { fields: [{ field: 'job_id' }] });
  return id;
}

export interface PdfCheck {
  pages: number;
}

/**
 * A probe waits for the one probe thread at most this long (other uploads' checks and
 * previews run there), then runs at most PROBE_RUN_MS. Timed apart because they mean
 * different things: a long wait is the server being busy (503, try again), a long run is
 * this file (a 4xx). One 30 s bound for both told the owner of a valid PDF that it "may be
 * damaged" whenever a hostile preview held the thread.
 */
const PROBE_WAIT_MS = 60_000;
const PROBE_RUN_MS = 30_000;

/**
 * The content check of API.md: `%PDF-` within the first 1024 bytes, then MuPDF must open it
 * (in the probe thread, never on the main thread), it must not be locked and must be within
 * MAX_PAGES, every page must be there and its streams must not expand past the decoded
 * budget (workers/pdf.ts). Anything else is refused at submission, before a job exists.
 */
export async function checkPdf(app: FastifyInstance, file: ReceivedFile, password?: string): Promise<PdfCheck> {
  if (file.size === 0) throw new AppError('INVALID_PDF', 'The file is empty.');
  if (sniff(file.head) !== 'pdf') throw new AppError('INVALID_FILE_TYPE', 'The file is not a PDF (no %PDF- header in its first 1024 bytes).');
  const controller = new AbortController();
  let started = false;
  let runTimer: NodeJS.Timeout | undefined;
  const waitTimer = setTimeout(() => controller.abort(), PROBE_WAIT_MS);
  try {
    return await app.pools.probe.run<PdfCheck>(
      'probe',
      { path: file.path, maxPages: app.config.maxPages, ...(password ? { password } : {}) },
      {
        signal: controller.signal,
        // The probe reports once as it starts: from then on the file's own time runs.
        onProgress: () => {
          if (started) return;
          started = true;
          clearTimeout(waitTimer);
          runTimer = setTimeout(() => controller.abort(), PROBE_RUN_MS);
        },
      },
    );
  } catch (err) {
    if (err instanceof TaskFailure) {
      throw new AppError(isErrorCode(err.code) && err.code !== 'PROCESSING_FAILED' ? err.code : 'INVALID_PDF', err.message);
    }
    if (err instanceof PoolBusyError) throw new AppError('QUEUE_FULL', 'Too many uploads are being checked right now; try again shortly.');
    if ((err as Error).name === 'AbortError') {
      if (!started) throw new AppError('QUEUE_FULL', 'Too many uploads are being checked right now; try again shortly.');
      throw new AppError('PDF_TOO_COMPLEX', `The PDF took more than ${PROBE_RUN_MS / 1000} s to open and check; it is damaged or too complex.`);
    }
    // The probe thread died on this file (an engine abort): the file is the problem.
    throw new AppError('INVALID_PDF', 'The PDF could not be opened; it may be damaged.');
  } finally {
    clearTimeout(waitTimer);
    clearTimeout(runTimer);
  }
}

/** Ids being submitted right now on this node: a concurrent resubmission waits its turn. */
const inFlight = new Set<string>();

export interface Submission {
  id: string;
  type: string;
  /** Who submits: the job is theirs, and a client job_id is theirs alone. */
  principal: Principal;
  /** Staging folder from receiveMultipart; becomes temp/<job>/. */
  stagingDir: string;
  files: ReceivedFile[];
  options: Record<string, unknown>;
  /**
   * Content checks of the upload; skipped when the id names an existing job. What it returns
   * is added to the job's input (e.g. the files a bulk check refused).
   */
  check: () => Promise<object | void>;
  /** From checkWebhookUrl: POSTed the final job JSON. */
  webhookUrl?: string | undefined;
  /** Which received files become job inputs (after check); default all. Refused ones are deleted. */
  keep?: (file: ReceivedFile) => boolean;
}

/**
 * Turns a received upload into a pending job: the staging folder becomes temp/<job>/ (one
 * rename) and then the row is inserted, so a claimed job always finds its inputs. A client
 * id that already names one of the requester's jobs returns that job and stores nothing
 * (idempotent resubmission, without even checking the upload again); the same id for a
 * different kind of job, or an id another key already uses, is a 409 (never their job).
 */
export async function submitJob(app: FastifyInstance, s: Submission): Promise<{ job: JobRow; created: boolean }> {
  if (inFlight.has(s.id)) throw new AppError('JOB_ID_CONFLICT', 'A job with this id is being submitted right now.');
  inFlight.add(s.id);
  try {
    const existing = await getJob(app.store.db, s.id);
    if (existing) {
      if (existing.owner !== s.principal.owner) throw new AppError('JOB_ID_CONFLICT', 'This job_id is already in use; choose another (a fresh UUID).');
      if (existing.type !== s.type) throw new AppError('JOB_ID_CONFLICT', `job_id already names a ${existing.type} job.`);
      return { job: existing, created: false };
    }
    const checked = await s.check();
    const kept = s.files.filter((f) => s.keep?.(f) ?? true);
    for (const f of s.files) if (!kept.includes(f)) await rm(f.path, { force: true });
    await app.storage.commitInputs(s.id, s.stagingDir);
    const input: FileJobInput & Record<string, unknown> = {
      files: kept.map((f) => ({ stored: `input-${f.index}`, name: safeFilename(f.clientName, `document-${f.index + 1}.pdf`), size: f.size })),
      options: s.options,
      ...(checked ?? {}),
    };
    const { created } = await enqueue(app.store.db, {
      id: s.id,
      type: s.type,
      input,
      maxAttempts: app.config.jobMaxAttempts,
      owner: s.principal.owner,
      client: s.principal.client,
      ...(s.webhookUrl ? { webhookUrl: s.webhookUrl } : {}),
    });
    const job = await getJob(app.store.db, s.id);
    if (!job) throw new Error(`job ${s.id} vanished after insert`);
    // Inserted by a concurrent submission of the same id (another node, or another key).
    if (!created && (job.owner !== s.principal.owner || job.type !== s.type)) throw new AppError('JOB_ID_CONFLICT', 'This job_id is already in use; choose another (a fresh UUID).');
    if (created) {
      app.metrics.jobsSubmitted.inc({ type: s.type });
      app.dispatcher.wake(s.type);
    }
    return { job, created };
  } finally {
    inFlight.delete(s.id);
  }
}

/** For the finally of a submission route: the staging folder, if submitJob did not move it. */
export async function discardStaging(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
