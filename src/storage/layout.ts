import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Staging folder for uploads still arriving: inside temp/ (same filesystem, so the move is a rename). */
export const STAGING = '.incoming';

/**
 * Where a job's files live. Every path is built from a job id (a UUID, checked here) and
 * names the server chose; client input never reaches a path.
 *
 *   temp/<job>/               inputs, from submission until the job is final
 *   temp/.incoming/<upload>/  uploads still arriving (before the job row exists)
 *   processing/<job>/<lease>/ scratch of one run; renamed into results/ when it succeeds
 *   results/<job>/<lease>/    the finished result of the run that completed the job
 */
export class Storage {
  readonly tempRoot: string;
  readonly processingRoot: string;
  readonly resultsRoot: string;
  readonly stagingRoot: string;

  constructor(readonly root: string) {
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
    const dir = path.join(this.stagingRoot, randomUUID());
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Deletes a job's folders; missing ones are fine. The existsSync check first is a 2 µs
   * stat, where an async rm of a missing folder cost ~40 µs of main-thread time per job.
   */
  async removeJobFiles(jobId: string, which: { inputs?: boolean; work?: boolean; results?: boolean } = { inputs: true, work: true, results: true }): Promise<void> {
    const dirs = [which.inputs && this.inputDir(jobId), which.work && this.workDir(jobId), which.results && this.resultDir(jobId)];
    await Promise.all(dirs.filter((d): d is string => !!d && existsSync(d)).map((d) => rm(d, { recursive: true, force: true })));
  }
}

function checked(id: string): string {
  if (!isUuid(id)) throw new Error(`not a UUID: ${JSON.stringify(id).slice(0, 60)}`);
  return id.toLowerCase();
}
