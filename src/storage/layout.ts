import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, readlinkSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Bucket } from './bucket.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Staging folder for uploads still arriving: inside temp/ (same filesystem, so the move is a rename). */
export const STAGING = '.incoming';

/**
 * An upload's staging folder is named for the process receiving it: <host>~<pid>~<boot>~<uuid>,
 * and that process touches it every STAGING_TOUCH_MS while the request runs (a stalled client
 * writes nothing). A process killed mid-upload (SIGKILL, OOM) leaves a partial file behind:
 * the sweep removes it as soon as its owner is provably gone (stagingOwnerGone), or once it
 * has not been touched for a while (cleanup.ts), never while its request is alive.
 */
export const STAGING_TOUCH_MS = 10_000;
/** Host name and pid namespace: a pid means the same process only under the same tag. */
const HOST = `${os.hostname().replace(/[^\w.-]/g, '_').slice(0, 64) || 'host'}${pidNamespace()}`;
const BOOT = randomUUID().slice(0, 8);
const STAGING_OWNER = `${HOST}~${process.pid}~${BOOT}`;

function pidNamespace(): string {
  try {
    return `@${readlinkSync('/proc/self/ns/pid').replace(/\D/g, '')}`;
  } catch {
    return '';
  }
}

/**
 * True when a staging folder's name says its process has ended: same host and pid namespace,
 * and that pid is this process (restarted under the same pid) or no longer exists. Folders of
 * other hosts or namespaces, or of unknown form, are not judged here.
 */
export function stagingOwnerGone(name: string): boolean {
  const [host, pid, boot] = name.split('~');
  if (host !== HOST || !boot || !/^[1-9]\d{0,9}$/.test(pid ?? '')) return false;
  if (Number(pid) === process.pid) return boot !== BOOT;
  try {
    process.kill(Number(pid), 0); // signal 0: only asks whether the pid exists
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Where a job's files live. Every path is built from a job id (a UUID, checked here) and
 * names the server chose; client input never reaches a path.
 *
 *   temp/<job>/               inputs, from submission until the job is final
 *   temp/.incoming/<upload>/  uploads still arriving (before the job row exists), named for their process
 *   processing/<job>/<lease>/ scratch of one run; becomes the result when it succeeds
 *   results/<job>/<lease>/    the finished result of the run that completed the job
 *
 * With a bucket (several nodes), inputs/<job>/… and results/<job>/<lease>/… live in it and
 * the local folders are scratch: the node running a job pulls its inputs first, and the
 * result is uploaded before the job is marked completed, so any node can serve it.
 */
export class Storage {
  readonly tempRoot: string;
  readonly processingRoot: string;
  readonly resultsRoot: string;
  readonly stagingRoot: string;
  private readonly arriving = new Set<string>();
  private touchTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly root: string,
    readonly bucket?: Bucket,
  ) {
    this.tempRoot = path.join(root, 'temp');
    this.processingRoot = path.join(root, 'processing');
    this.resultsRoot = path.join(root, 'results');
    this.stagingRoot = path.join(this.tempRoot, STAGING);
  }

  async init(): Promise<void> {
    for (const dir of [this.stagingRoot, this.processingRoot, this.resultsRoot]) await mkdir(dir, { recursive: true });
  }

  inputDir(jobId: string): string {
    return path.join(this.tempRoot, checked(jobId));
  }

  workDir(jobId: string, lease?: string): string {
    const dir = path.join(this.processingRoot, checked(jobId));
    return lease === undefined ? dir : path.join(dir, checked(lease));
  }

  resultDir(jobId: string, lease?: string): string {
    const dir = path.join(this.resultsRoot, checked(jobId));
    return lease === undefined ? dir : path.join(dir, checked(lease));
  }

  /** A fresh staging folder for one request's uploads. */
  async newStagingDir(): Promise<string> {
    const dir = path.join(this.stagingRoot, `${STAGING_OWNER}~${randomUUID()}`);
    await mkdir(dir, { recursive: true });
    this.arriving.add(dir);
    if (!this.touchTimer) {
      this.touchTimer = setInterval(() => void this.touchArriving(), STAGING_TOUCH_MS);
      this.touchTimer.unref();
    }
    return dir;
  }

  /** Keeps this process's staging folders fresh; one that is gone (moved in or removed) is forgotten. */
  private async touchArriving(): Promise<void> {
    const now = new Date();
    for (const dir of this.arriving) await utimes(dir, now, now).catch(() => this.arriving.delete(dir));
    if (this.arriving.size === 0) {
      clearInterval(this.touchTimer);
      this.touchTimer = undefined;
    }
  }

  /** Submission: the staging folder's files become the job's inputs (and go to the bucket). */
  async commitInputs(jobId: string, stagingDir: string): Promise<void> {
    const dir = this.inputDir(jobId);
    this.arriving.delete(stagingDir);
    await rm(dir, { recursive: true, force: true }); // leftover of a crash between this and the insert
    if (this.bucket) {
      for (const name of await files(stagingDir)) await this.bucket.put(`inputs/${checked(jobId)}/${name}`, path.join(stagingDir, name));
    }
    // Kept locally too: the node that accepted a job usually runs it, without a download.
    await rename(stagingDir, dir);
  }

  /** Before a run: the job's inputs are in temp/<job>/, pulled from the bucket if this node lacks them. */
  async ensureInputs(jobId: string): Promise<void> {
    if (!this.bucket) return;
    const dir = this.inputDir(jobId);
    const objects = await this.bucket.list(`inputs/${checked(jobId)}/`);
    if (objects.length === 0) return;
    await mkdir(dir, { recursive: true });
    for (const o of objects) {
      const dest = path.join(dir, path.basename(o.key));
      const have = await stat(dest).catch(() => undefined);
      if (have?.size !== o.size) await this.bucket.download(o.key, dest);
    }
  }

  /**
   * After a successful run: its result files become the job's result. Locally the work
   * folder is renamed into results/ (atomic: a download sees all or nothing); with a bucket
   * the files are uploaded and the scratch removed.
   */
  async commitResults(jobId: string, lease: string, workDir: string, names: readonly string[]): Promise<void> {
    if (this.bucket) {
      for (const name of names) await this.bucket.put(resultKey(jobId, lease, name), path.join(workDir, path.basename(name)));
      await rm(workDir, { recursive: true, force: true });
      return;
    }
    const dir = this.resultDir(jobId, lease);
    await mkdir(path.dirname(dir), { recursive: true });
    await rename(workDir, dir);
  }

  /** A run whose lease moved on: its result is thrown away. */
  async discardResults(jobId: string, lease: string): Promise<void> {
    await rm(this.resultDir(jobId, lease), { recursive: true, force: true });
    await this.bucket?.deletePrefix(`results/${checked(jobId)}/${checked(lease)}/`);
  }

  /** One result file as a stream, or undefined when it is gone. */
  async openResult(jobId: string, lease: string, name: string): Promise<{ stream: Readable; size: number } | undefined> {
    if (this.bucket) return this.bucket.get(resultKey(jobId, lease, name));
    const file = path.join(this.resultDir(jobId, lease), path.basename(name));
    const info = await stat(file).catch(() => undefined);
    return info ? { stream: createReadStream(file), size: info.size } : undefined;
  }

  async resultSize(jobId: string, lease: string, name: string): Promise<number | undefined> {
    if (this.bucket) return this.bucket.size(resultKey(jobId, lease, name));
    return (await stat(path.join(this.resultDir(jobId, lease), path.basename(name))).catch(() => undefined))?.size;
  }

  /** A result file on local disk (downloaded into `scratch` from the bucket), for random access. */
  async localResult(jobId: string, lease: string, name: string, scratch: string): Promise<string | undefined> {
    if (!this.bucket) {
      const file = path.join(this.resultDir(jobId, lease), path.basename(name));
      return existsSync(file) ? file : undefined;
    }
    const dest = path.join(scratch, `result-${path.basename(name)}`);
    return (await this.bucket.download(resultKey(jobId, lease, name), dest)) ? dest : undefined;
  }

  /**
   * Deletes a job's folders (and its objects in the bucket); missing ones are fine. The
   * existsSync check first is a 2 µs stat, where an async rm of a missing folder cost ~40 µs
   * of main-thread time per job.
   */
  async removeJobFiles(jobId: string, which: { inputs?: boolean; work?: boolean; results?: boolean } = { inputs: true, work: true, results: true }): Promise<void> {
    const dirs = [which.inputs && this.inputDir(jobId), which.work && this.workDir(jobId), which.results && this.resultDir(jobId)];
    await Promise.all(dirs.filter((d): d is string => !!d && existsSync(d)).map((d) => rm(d, { recursive: true, force: true })));
    if (this.bucket) {
      if (which.inputs) await this.bucket.deletePrefix(`inputs/${checked(jobId)}/`);
      if (which.results) await this.bucket.deletePrefix(`results/${checked(jobId)}/`);
    }
  }
}

function resultKey(jobId: string, lease: string, name: string): string {
  return `results/${checked(jobId)}/${checked(lease)}/${path.basename(name)}`;
}

async function files(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
}

function checked(id: string): string {
  if (!isUuid(id)) throw new Error(`not a UUID: ${JSON.stringify(id).slice(0, 60)}`);
  return id.toLowerCase();
}

/** A version-5-shaped UUID from a SHA-256 of `name`: the same name, the same id. */
export function uuidFromHash(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
