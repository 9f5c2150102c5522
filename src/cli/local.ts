import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, type Config } from '../config.js';
import { AppError, TaskFailure } from '../errors.js';
import type { FileJobHandler, FileJobInput } from '../jobs/types.js';
import { mapLimit } from '../pool/map-limit.js';
import { WorkerPool } from '../pool/pool.js';
import { assertPdf, sniff } from '../storage/sniff.js';
import { jobFiles, type ReceivedFile } from '../storage/upload.js';
import type { CliRequest } from './args.js';
import type { CommandName } from './commands.js';
import { outputPath, readStdin, type InputFile } from './inputs.js';
import type { FileOutcome, Ui } from './report.js';

/**
 * A command run in this process, with the server's own pieces and no server: the route's
 * option parser (the same 400s), the probe task's check of a PDF (it also decrypts a
 * password-protected one, as at submission), and the job type's handler on a worker pool of
 * --threads threads, files side by side. No database and no upload folder: each file's input
 * and scratch live in a temporary folder removed at the end. Same options, same bytes.
 */
export async function runLocal(req: CliRequest, files: InputFile[], ui: Ui, signal: AbortSignal): Promise<FileOutcome[]> {
  const config = loadConfig({ ...process.env, WORKER_THREADS: String(req.threads), DATA_DIR: os.tmpdir(), UPLOAD_DIR: os.tmpdir() });
  const job = await jobKind(req.command.name, config);
  const pool = new WorkerPool({ threads: req.threads, maxQueue: 10_000, recycleBytes: config.workerRecycleBytes });
  const root = await mkdtemp(path.join(os.tmpdir(), 'pdf-smaller-cli-'));
  const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' }, pino.destination(2));
  try {
    return await mapLimit(files, req.threads, (file, i) => runOne(req, job, file, files.length, { pool, root: path.join(root, String(i)), ui, signal, config, log }));
  } finally {
    await pool.destroy();
    await rm(root, { recursive: true, force: true });
  }
}

interface Job {
  handler: FileJobHandler;
  /** The route's fields → the job's options (the route's own parser). */
  options(fields: Record<string, unknown>, file: ReceivedFile): Record<string, unknown>;
}

/** The job type of a command, loaded on demand (an AI command needs the provider client, compress does not). */
async function jobKind(name: CommandName, config: Config): Promise<Job> {
  if (name === 'compress') {
    const [{ compressHandler }, { parseFields }, { CompressOptionsSchema }] = await Promise.all([import('../jobs/compress.js'), import('../schemas/fields.js'), import('../schemas/compress.js')]);
    return { handler: compressHandler(config), options: (f) => parseFields(CompressOptionsSchema, f as Record<string, string>) };
  }
  if (name === 'convert') {
    const [{ convertHandler }, { parseConvertFields }] = await Promise.all([import('../jobs/convert.js'), import('../schemas/convert.js')]);
    return { handler: convertHandler(config), options: (f) => ({ ...parseConvertFields(f as Record<string, string>) }) };
  }
  if (name === 'ocr') {
    const [{ ocrHandler }, { ocrJobOptions }, { resolveEngine }] = await Promise.all([import('../jobs/ocr.js'), import('../routes/ocr.js'), import('../ocr/engine.js')]);
    await resolveEngine(config.ocrEngine); // OCR_ENGINE=native without tesseract: the server's 503 code, before any file
    return { handler: ocrHandler(config), options: (f, file) => ({ ...ocrJobOptions(f as Record<string, string>, file) }) };
  }
  const [{ aiRuntime }, options] = await Promise.all([import('../ai/runtime.js'), import('../ai/options.js')]);
  const rt = aiRuntime(config);
  const source = (file: ReceivedFile) => (sniff(file.head) === 'pdf' ? 'pdf' : 'text');
  if (name === 'summarize') {
    const { summarizeHandler } = await import('../jobs/ai-summarize.js');
    return { handler: summarizeHandler(rt), options: (f, file) => ({ ...options.summarizeOptions(f), source: source(file) }) };
  }
  if (!rt.client) throw new AppError('AI_NOT_CONFIGURED', 'No AI provider is configured (set AI_BASE_URL, AI_API_KEY and AI_MODEL, or OPENAI_API_KEY, or OPENROUTER_API_KEY).');
  if (name === 'translate') {
    const { translateHandler } = await import('../jobs/ai-translate.js');
    return { handler: translateHandler(rt), options: (f, file) => ({ ...options.translateOptions(f), source: source(file) }) };
  }
  const { extractHandler } = await import('../jobs/ai-extract.js');
  return { handler: extractHandler(rt), options: (f, file) => ({ ...options.extractOptions(f), source: source(file) }) };
}

/** When the first file began (ms since the process started): the command's start-up cost. */
let firstStart: number | undefined;
export const startupMs = () => firstStart;

interface RunContext {
  pool: WorkerPool;
  root: string;
  ui: Ui;
  signal: AbortSignal;
  config: Config;
  log: pino.Logger;
}

async function runOne(req: CliRequest, job: Job, file: InputFile, count: number, c: RunContext): Promise<FileOutcome> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const inputDir = path.join(c.root, 'in');
  const workDir = path.join(c.root, 'work');
  await mkdir(inputDir, { recursive: true });
  const stored = path.join(inputDir, 'input-0');
  let inputBytes: number | undefined;
  try {
    if (file.path) await copyFile(file.path, stored);
    else await writeFile(stored, await readStdin());
    inputBytes = (await stat(stored)).size;
    const head = (await readFile(stored)).subarray(0, 1024);
    const received: ReceivedFile = { index: 0, path: stored, clientName: file.name, size: inputBytes, head };
    const options = job.options(req.fields, received);
    const pdf = sniff(head) === 'pdf';
    if (!req.command.acceptsText && !req.command.acceptsImages) assertPdf(received); // as at submission: INVALID_FILE_TYPE, not a failed job
    // A result of several files cannot go to standard output: said before any work is done.
    if (options.sidecar === true && outputPath(req, file, file.name, count) === undefined) {
      throw new AppError('INVALID_OPTIONS', 'This result is several files (--sidecar): give -o a file or a folder, not standard output.');
    }
    const extra = pdf ? await checkPdf(c, stored, req.password, req.command.name) : {};
    const input: FileJobInput & Record<string, unknown> = { files: jobFiles([received]), options, ...extra };
    c.ui.progress(file.label, 0, 'starting');
    firstStart ??= performance.now();
    const outcome = await job.handler.run({
      job: { id: randomUUID(), type: req.command.jobType, input, attempts: 1, max_attempts: 1, lease_token: 'cli' },
      signal: c.signal,
      inputDir,
      workDir: async () => (await mkdir(workDir, { recursive: true }), workDir),
      pool: c.pool,
      progress: (p) => c.ui.progress(file.label, p.percent, p.stage),
      log: c.log,
    });
    const produced = outcome.files?.[0];
    let output: string | undefined;
    let outputBytes: number | undefined;
    if (produced) {
      const from = path.join(workDir, produced.name);
      outputBytes = (await stat(from)).size;
      output = outputPath(req, file, produced.downloadName, count);
      if (output) {
        await mkdir(path.dirname(output), { recursive: true });
        await copyFile(from, output);
        // A result of several files (OCR's --sidecar: the PDF and its text) is written side by
        // side, each extra one under the first's name with its own extension; the server
        // offers the same files as one zip.
        for (const extra of outcome.files!.slice(1)) {
          const parsed = path.parse(output);
          await copyFile(path.join(workDir, extra.name), path.join(parsed.dir, parsed.name + path.extname(extra.downloadName)));
        }
      } else {
        process.stdout.write(await readFile(from));
      }
    } else {
      output = await writeResultText(req, file, outcome.result, count);
    }
    return { input: file, status: 'completed', seconds: seconds(), result: outcome.result, inputBytes, ...(output ? { output } : {}), ...(outputBytes !== undefined ? { outputBytes } : {}) };
  } catch (err) {
    const failure = asFailure(err, c.signal);
    return { input: file, status: 'failed', seconds: seconds(), ...(inputBytes !== undefined ? { inputBytes } : {}), ...failure };
  } finally {
    c.ui.done(file.label);
    await rm(c.root, { recursive: true, force: true });
  }
}

/**
 * The submission check of a PDF (the probe task: it opens, counts pages, refuses bombs, and
 * with a password decrypts the stored copy, as the server does). Convert needs the page count.
 */
async function checkPdf(c: RunContext, file: string, password: string | undefined, command: CommandName): Promise<Record<string, unknown>> {
  const { pages } = await c.pool.run('probe', { path: file, maxPages: c.config.maxPages, ...(password ? { password } : {}) }, { signal: c.signal });
  return command === 'convert' ? { page_count: pages } : {};
}

function asFailure(err: unknown, signal: AbortSignal): { code: string; message: string } {
  if (signal.aborted) return { code: 'JOB_INTERRUPTED', message: 'Stopped.' };
  if (err instanceof AppError || err instanceof TaskFailure) return { code: err.code, message: err.message };
  return { code: 'INTERNAL_ERROR', message: err instanceof Error ? err.message : String(err) };
}

/**
 * A result with no file (a summary): its text on standard output (each under a `# file` line
 * when there are several), or in -o as <name>_summary.txt.
 */
async function writeResultText(req: CliRequest, file: InputFile, result: Record<string, unknown>, count: number): Promise<string | undefined> {
  const text = typeof result.summary === 'string' ? `${result.summary}\n` : `${JSON.stringify(result, null, 2)}\n`;
  const name = `${path.parse(file.name).name}_${req.command.name === 'summarize' ? 'summary' : 'result'}.txt`;
  const output = req.out === undefined ? undefined : outputPath(req, file, name, count);
  if (output) {
    await mkdir(path.dirname(output), { recursive: true });
    await writeFile(output, text);
  } else if (!req.json) {
    process.stdout.write(count > 1 ? `# ${file.label}\n${text}\n` : text);
  }
  return output;
}
