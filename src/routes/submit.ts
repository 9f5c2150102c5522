import { rm, statfs } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JobRow } from '../db/types.js';
import { AppError, isErrorCode } from '../errors.js';
import type { Principal } from '../http/access.js';
import { sendResult } from '../http/job-result.js';
import { effectiveStatus, toJobBody } from '../http/job-view.js';
import { waitForFinal } from '../http/job-watcher.js';
import type { FileJobInput, JobOutput } from '../jobs/types.js';
import { CHECK_RUN_MS, runProbe } from '../pool/probe.js';
import { countPending, countPendingOf, enqueue, getJob } from '../queue/index.js';
import { isUuid, uuidFromHash } from '../storage/layout.js';
import { assertPdf } from '../storage/sniff.js';
import { jobFiles, receiveMultipart, type Intake, type ReceivedFile } from '../storage/upload.js';
import { checkWebhookUrl } from '../webhooks/url.js';
import type { ProbeResult } from '../../workers/probe.js';

/**
 * The one path from an upload to a job, used by every submission route (compress, bulk,
 * convert, OCR, the AI routes): admission, receiving the body, the route's options, the
 * client's job_id and webhook_url, the content checks, the job row, the 202. A route says
 * only what differs (SubmitSpec).
 */

/** What a route's content check adds: more job input, and which files to keep (bulk). */
export interface Checked {
  input?: Record<string, unknown>;
  keep?: ReceivedFile[];
}

export interface SubmitSpec<O extends object, I extends Intake = Intake> {
  type: string;
  /** The body: by default a multipart upload of one file in `file` (receiveFile). */
  receive?: (request: FastifyRequest) => Promise<I>;
  /** Fields → the job's options; a bad value is 400 INVALID_OPTIONS before anything is checked. */
  options: (intake: I) => O | Promise<O>;
  /** The content checks (in the probe thread); `password` opens a locked PDF once, never stored. */
  check: (intake: I, options: O, password: string | undefined) => Promise<Checked | void>;
  /** The 202's message for a new job. */
  message: (options: O, intake: I) => string;
  /** More fields of the 202 (bulk: file_count). */
  answer?: (intake: I) => Record<string, unknown>;
}

export async function submitUpload<O extends object, I extends Intake = Intake>(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, spec: SubmitSpec<O, I>) {
  await admit(app, request.principal);
  const intake = spec.receive ? await spec.receive(request) : ((await receiveFile(app, request)) as I);
  let job: JobRow;
  let created: boolean;
  try {
    const options = await spec.options(intake);
    const id = jobIdOf(stringField(intake.fields, 'job_id'), request);
    const webhookUrl = await checkWebhookUrl(stringField(intake.fields, 'webhook_url'), app.config.webhookAllowPrivate);
    const password = stringField(intake.fields, 'password');
    ({ job, created } = await createJob(app, {
      id,
      type: spec.type,
      principal: request.principal,
      intake,
      options,
      webhookUrl,
      check: () => spec.check(intake, options, password),
    }));
    reply.header('x-job-id', job.id);
    const wait = (request.query as { wait?: number } | undefined)?.wait;
    if (wait) {
      const final = await waitForFinal(app, job.id, wait * 1000, clientGone(reply));
      if (final) return await answerFinal(app, reply, final);
    }
    return reply.code(202).send({
      success: true,
      job_id: job.id,
      status: job.status,
      message: created ? spec.message(options, intake) : 'A job with this id already exists; returning it.',
      ...spec.answer?.(intake),
    });
  } finally {
    // The staging folder, unless createJob moved it into temp/<job>/.
    await rm(intake.dir, { recursive: true, force: true });
  }
}

/**
 * A job that finished while its submission waited (?wait=): its result file, or the job JSON
 * for a result without a file; a job that failed answers its own code (422 INVALID_PDF…),
 * with the job's id in the details and in X-Job-Id.
 */
async function answerFinal(app: FastifyInstance, reply: FastifyReply, row: JobRow): Promise<FastifyReply> {
  const status = effectiveStatus(row);
  if (status === 'completed') {
    const output = row.output ? (JSON.parse(row.output) as JobOutput) : undefined;
    if (output?.files.length) return sendResult(app, reply, row);
    return reply.code(200).send(toJobBody(row, app.links));
  }
  if (status === 'failed') {
    const code = isErrorCode(row.error_code) ? row.error_code : 'PROCESSING_FAILED';
    throw new AppError(code, row.error_message ?? undefined, { job_id: row.id });
  }
  throw new AppError(status === 'cancelled' ? 'JOB_CANCELLED' : 'JOB_EXPIRED', undefined, { job_id: row.id });
}

/** Aborts when the client goes away before its answer is sent (the job goes on). */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * The job id of a submission: an `Idempotency-Key` header (the IETF draft's, a string of up to
 * 255 printable characters, quoted or not), or the `job_id` field (a UUID), or a fresh UUID.
 * An Idempotency-Key names a job within its API key only: the id is derived from the key's
 * owner and the value, so two clients' keys never meet.
 */
function jobIdOf(field: string | undefined, request: FastifyRequest): string {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return jobIdFrom(field);
  const value = (Array.isArray(header) ? header.join(',') : header).trim().replace(/^"(.*)"$/, '$1');
  if (!/^[\x21-\x7e ]{1,255}$/.test(value)) {
    throw new AppError('INVALID_OPTIONS', 'Idempotency-Key must be 1 to 255 printable ASCII characters.', { fields: [{ field: 'Idempotency-Key' }] });
  }
  const id = uuidFromHash(`idempotency\n${request.principal.owner ?? ''}\n${value}`);
  if (field !== undefined && field.trim() !== '' && field.trim().toLowerCase() !== id) {
    throw new AppError('INVALID_OPTIONS', 'Send either a job_id field or an Idempotency-Key header, not both.', { fields: [{ field: 'job_id' }, { field: 'Idempotency-Key' }] });
  }
  return id;
}

/** The default body: one file in the multipart field `file`. */
export async function receiveFile(app: FastifyInstance, request: FastifyRequest): Promise<Intake> {
  return receiveMultipart(request, app.storage, { fileField: 'file', maxFiles: 1, maxFileSize: app.config.maxFileSizeBytes });
}

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

/** A top-level text field (form or JSON): a string, or absent. */
export function stringField(fields: Record<string, unknown>, name: string): string | undefined {
  const v = fields[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new AppError('INVALID_OPTIONS', `${name} must be a string.`, { fields: [{ field: name }] });
  return v;
}

/**
 * The content check every PDF route makes: `%PDF-` within the first 1024 bytes, then MuPDF
 * must open it in the probe thread (runProbe), it must not be locked (or `password` opens
 * it: the stored copy is decrypted) and must be within MAX_PAGES, every page must be there
 * and its streams must not expand past the decoded budget (workers/pdf.ts). Anything else is
 * refused at submission, before a job exists.
 */
export async function checkPdf(app: FastifyInstance, file: ReceivedFile, password?: string): Promise<ProbeResult> {
  assertPdf(file);
  return runProbe(app, 'probe', { path: file.path, maxPages: app.config.maxPages, ...(password ? { password } : {}) }, { badInput: 'INVALID_PDF', runMs: CHECK_RUN_MS });
}

/** Ids being submitted right now on this node: a concurrent resubmission waits its turn. */
const inFlight = new Set<string>();

interface NewSubmission {
  id: string;
  type: string;
  principal: Principal;
  intake: Intake;
  options: object;
  webhookUrl: string | undefined;
  check: () => Promise<Checked | void>;
}

const ID_TAKEN = 'This job_id is already in use; choose another (a fresh UUID).';

/**
 * Turns a received upload into a pending job: the staging folder becomes temp/<job>/ (one
 * rename) and then the row is inserted, so a claimed job always finds its inputs. A client
 * id that already names one of the requester's jobs returns that job and stores nothing
 * (idempotent resubmission, without even checking the upload again); the same id for a
 * different kind of job, or an id another key already uses, is a 409 (never their job).
 */
async function createJob(app: FastifyInstance, s: NewSubmission) {
  if (inFlight.has(s.id)) throw new AppError('JOB_ID_CONFLICT', 'A job with this id is being submitted right now.');
  inFlight.add(s.id);
  try {
    const existing = await getJob(app.store.db, s.id);
    if (existing) {
      if (existing.owner !== s.principal.owner) throw new AppError('JOB_ID_CONFLICT', ID_TAKEN);
      if (existing.type !== s.type) throw new AppError('JOB_ID_CONFLICT', `job_id already names a ${existing.type} job.`);
      return { job: existing, created: false };
    }
    const checked = (await s.check()) ?? {};
    const kept = checked.keep ?? s.intake.files;
    for (const f of s.intake.files) if (!kept.includes(f)) await rm(f.path, { force: true });
    await app.storage.commitInputs(s.id, s.intake.dir);
    const input: FileJobInput<object> & Record<string, unknown> = {
      files: jobFiles(kept),
      options: s.options,
      ...checked.input,
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
    if (!created && (job.owner !== s.principal.owner || job.type !== s.type)) throw new AppError('JOB_ID_CONFLICT', ID_TAKEN);
    if (created) {
      app.metrics.jobsSubmitted.inc({ type: s.type });
      app.dispatcher.wake(s.type);
    }
    return { job, created };
  } finally {
    inFlight.delete(s.id);
  }
}
