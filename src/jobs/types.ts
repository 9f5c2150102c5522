/**
 * The contract between the dispatcher and a job type: a JobHandler runs one claimed job with
 * a JobContext and returns a JobOutcome. One file per job type implements it (src/jobs/<type>.ts);
 * src/jobs/index.ts lists them. docs/ARCHITECTURE.md has the checklist for adding one.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { ClaimedJob } from '../queue/index.js';
import type { WorkerPool, Progress } from '../pool/pool.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import type { Storage } from '../storage/layout.js';
import type { LinkSigner } from '../http/links.js';

/** A file a job produced, in its work folder; moved with it into results/. */
export interface OutputFile {
  /** Name inside the job's result folder (chosen by the server). */
  name: string;
  /** Name offered to the client in Content-Disposition (sanitised). */
  downloadName: string;
  contentType: string;
  /** The `?file=N` number of this file (default: its position in the list). */
  index?: number;
}

/** How a completed job's files are recorded (jobs.output, internal): read by downloads and exports. */
export interface JobOutput {
  /** The lease of the run that completed the job: its files are in results/<job>/<lease>/. */
  lease: string;
  files: OutputFile[];
  archive?: string;
}

export interface JobOutcome {
  /** Shown to the client as `result`. */
  result: Record<string, unknown>;
  files?: OutputFile[];
  /** Offer all files as one zip of this name when no single file is asked for. */
  archive?: string;
}

/**
 * What a job that works on its own files needs (every job type but export and webhook): the
 * command line runs these handlers in-process with this much and no database.
 */
export interface FileJobContext {
  job: ClaimedJob;
  /** Aborts on timeout, cancel, lost lease or shutdown. */
  signal: AbortSignal;
  /** temp/<job>/: the inputs stored at submission. */
  inputDir: string;
  /**
   * Creates (on first call) and returns processing/<job>/<lease>/, the run's scratch folder;
   * files listed in the outcome must be there. Jobs without files never touch the disk.
   */
  workDir(): Promise<string>;
  pool: WorkerPool;
  progress(p: Progress): void;
  log: Logger;
}

export interface JobContext extends FileJobContext {
  /** The job store and file layout, for handlers that read other jobs (exports, webhooks). */
  db: Kysely<Database>;
  storage: Storage;
  /** Signs download and event links for job JSON sent elsewhere (webhooks). */
  links: LinkSigner;
}

/**
 * How one job type runs. `cpu` jobs go to the worker pool, one per thread; `io` jobs (AI
 * calls, uploads, webhooks) run as async functions on the main thread under their own limit,
 * since a thread parked on a network answer wastes a core.
 */
export interface JobHandler {
  lane: 'cpu' | 'io';
  run(ctx: JobContext): Promise<JobOutcome>;
}

export type Handlers = Record<string, JobHandler>;

/** A handler that needs only its own files (FileJobContext): the server's and the command line's. */
export interface FileJobHandler extends JobHandler {
  run(ctx: FileJobContext): Promise<JobOutcome>;
}

/** The stored input of a file job (see routes/submit.ts); O is the options its route validated. */
export interface FileJobInput<O = Record<string, unknown>> {
  files: { stored: string; name: string; size: number }[];
  options: O;
}
