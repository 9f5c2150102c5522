import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Config } from './config.js';
import type { ClaimedJob } from './queue/index.js';
import type { WorkerPool, Progress } from './pool.js';
import type { Kysely } from 'kysely';
import type { Database } from './db/types.js';
import type { Storage } from './storage/layout.js';
import type { LinkSigner } from './http/links.js';
import { aiHandlers } from './ai/handlers.js';
import { exportHandler } from './cloud/export-handler.js';
import { bulkCompressHandler } from './jobs/bulk.js';
import { compressHandler } from './jobs/compress.js';
import { convertHandler } from './convert-handler.js';
import { webhookHandler } from './webhooks/handler.js';
import { ocrHandler } from './ocr/handler.js';

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

export interface JobContext {
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
  /** The job store and file layout, for handlers that read other jobs (exports, webhooks). */
  db: Kysely<Database>;
  storage: Storage;
  /** Signs download and event links for job JSON sent elsewhere (webhooks). */
  links: LinkSigner;
  progress(p: Progress): void;
  log: Logger;
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

/** The stored input of a file job (see routes/submit.ts). */
export interface FileJobInput {
  files: { stored: string; name: string; size: number }[];
  options: Record<string, unknown>;
}

/** Every job type this build runs. */
export function defaultHandlers(config: Config): Handlers {
  return {
    compress: compressHandler(config),
    bulk_compress: bulkCompressHandler(config),
    convert: convertHandler(config),
    ocr: ocrHandler(config),
    webhook: webhookHandler(config),
    export: exportHandler(config),
    ...aiHandlers(config),
  };
}

/**
 * Runs the pool's no-op task with the job's input as payload: for the queue benchmark and for
 * tests of timeouts, retries and crashes. Not registered in defaultHandlers.
 */
export const noopHandler: JobHandler = {
  lane: 'cpu',
  async run(ctx) {
    const result = await ctx.pool.run<Record<string, unknown>>('noop', (ctx.job.input ?? {}) as object, { signal: ctx.signal, onProgress: ctx.progress });
    return { result };
  },
};
