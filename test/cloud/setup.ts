import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import type { AppOptions } from '../../src/app.js';
import { ProviderClient } from '../../src/cloud/client.js';
import type { ExportProvider } from '../../src/cloud/providers.js';
import { s3Client } from '../../src/cloud/s3.js';
import { readCloudSettings, type CloudSettings } from '../../src/cloud/settings.js';
import { FileSource } from '../../src/cloud/source.js';
import type { ExportTarget, UploadTask } from '../../src/cloud/upload.js';
import { defaultHandlers } from '../../src/jobs/index.js';
import type { JobHandler } from '../../src/jobs/types.js';
import { enqueue } from '../../src/queue/index.js';
import { startApp, tempDir, waitForJob, type TestApp } from '../helpers/app.js';
import { GOOD_TOKEN, type FakeClouds } from '../helpers/fake-clouds.js';

/**
 * Shared by the cloud tests: small chunks (so a ~700 KB result takes the chunked path of
 * every provider), near-zero retry backoff, and a `fixture` job type whose completed result
 * is a file of known bytes, standing in for any finished job.
 */
export const CLOUD_TEST_ENV: Record<string, string> = { CLOUD_CHUNK_KB: '256', CLOUD_RETRY_BASE_MS: '1', CLOUD_RETRIES: '3' };

/** Above every provider's one-request threshold with 256 KiB chunks: Drive 3 chunks, OneDrive 3, Dropbox 3. */
export const LARGE = 700_000;
export const SMALL = 50_000;

/**
 * The cloud variables config.ts does not declare yet are read from process.env: set them for
 * this test and restore them after. Returns the map for startApp too (declared ones go there).
 */
export function cloudEnv(t: Test, vars: Record<string, string>): Record<string, string> {
  for (const [k, v] of Object.entries(vars)) {
    const before = process.env[k];
    process.env[k] = v;
    t.teardown(() => {
      if (before === undefined) delete process.env[k];
      else process.env[k] = before;
    });
  }
  return vars;
}

export function testSettings(fake?: FakeClouds, extra: Record<string, string> = {}): CloudSettings {
  return readCloudSettings({ ...CLOUD_TEST_ENV, ...(fake ? fake.env() : {}), ...extra });
}

/** Deterministic bytes (xorshift), so a test can rebuild what it expects to find remotely. */
export function bytesOf(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * A finished job of known bytes: one file bytesOf(size, seed), or `files` of them offered as
 * one zip named `archive` (like bulk results).
 */
export const fixtureHandler: JobHandler = {
  lane: 'io',
  async run(ctx) {
    const { size, seed, files = 1, archive } = ctx.job.input as { size: number; seed: number; files?: number; archive?: string };
    const dir = await ctx.workDir();
    const out = [];
    for (let i = 0; i < files; i++) {
      await writeFile(path.join(dir, `result-${i}.pdf`), bytesOf(size, seed + i));
      out.push({ name: `result-${i}.pdf`, downloadName: files === 1 ? 'report_compressed.pdf' : `part ${i + 1}.pdf`, contentType: 'application/pdf' });
    }
    return { result: { bytes: size }, files: out, ...(archive ? { archive } : {}) };
  },
};

export async function startCloudApp(t: Test, fake?: FakeClouds, env: Record<string, string> = {}, opts: AppOptions = {}): Promise<TestApp> {
  const vars = cloudEnv(t, { ...CLOUD_TEST_ENV, ...(fake ? fake.env() : {}), ...env });
  return startApp(t, vars, { handlers: (config) => ({ ...defaultHandlers(config), fixture: fixtureHandler }), ...opts });
}

/** A completed job whose result is bytesOf(size, seed) (and seed+1… for more files). */
export async function completedJob(app: FastifyInstance, size: number, seed = 1, more: { files?: number; archive?: string } = {}): Promise<string> {
  const id = randomUUID();
  await enqueue(app.store.db, { id, type: 'fixture', input: { size, seed, ...more }, maxAttempts: 1 });
  app.dispatcher.wake();
  const job = await waitForJob(app, id);
  if (job.status !== 'completed') throw new Error(`fixture job ${job.status}: ${JSON.stringify(job.error)}`);
  return id;
}

export async function postExport(app: FastifyInstance, id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/api/jobs/${id}/export`, payload: body, headers });
}

export interface UploadFixture {
  task: UploadTask;
  data: Buffer;
  /** Progress reports, in order. */
  progress: number[];
  /** Waits the client asked for (Retry-After or backoff), recorded instead of slept. */
  waits: number[];
}

/** An uploader's input on a temp file of bytesOf(size, seed), with waits recorded, not slept. */
export async function uploadFixture(
  t: Test,
  fake: FakeClouds,
  provider: Exclude<ExportProvider, 's3'>,
  opts: { size: number; seed?: number; token?: string; target?: Partial<ExportTarget> },
): Promise<UploadFixture> {
  const data = bytesOf(opts.size, opts.seed ?? 1);
  const file = path.join(tempDir(t, 'cloud-src-'), 'result.pdf');
  await writeFile(file, data);
  const source = await FileSource.open(file, 'application/pdf');
  t.teardown(() => source.close());
  const settings = testSettings(fake);
  const waits: number[] = [];
  const progress: number[] = [];
  const client = new ProviderClient({
    provider,
    token: opts.token ?? GOOD_TOKEN,
    signal: AbortSignal.timeout(60_000),
    retry: settings.retry,
    requestTimeoutMs: 10_000,
    sleep: async (ms) => void waits.push(ms),
  });
  const target: ExportTarget = { folder: [], filename: 'report.pdf', ...opts.target };
  return { task: { client, source, target, settings, onProgress: (n) => progress.push(n) }, data, progress, waits };
}

/** s3rver ships no types: the part of its API used here (its README, "Class: S3rver"). */
interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: { address: string; port: number; silent: boolean; directory: string; configureBuckets: { name: string }[] }) => S3rverServer;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

export interface LocalS3 {
  env: Record<string, string>;
  client: S3Client;
  bucket: string;
}

/** A real S3-compatible server (s3rver) on 127.0.0.1 with a temp directory, and a client for checking. */
export async function startS3(t: Test): Promise<LocalS3> {
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: tempDir(t, 's3rver-'), configureBuckets: [{ name: 'exports' }] });
  const { port } = await server.run();
  t.teardown(() => server.close());
  const env = {
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
    S3_REGION: 'us-east-1',
    S3_BUCKET: 'exports',
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    S3_FORCE_PATH_STYLE: '1',
  };
  const client = s3Client(readCloudSettings(env).s3!, readCloudSettings(env));
  t.teardown(() => client.destroy());
  return { env, client, bucket: 'exports' };
}

export async function getObject(s3: LocalS3, key: string): Promise<{ data: Buffer; contentType: string | undefined } | undefined> {
  try {
    const out = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return { data: Buffer.from(await out.Body!.transformToByteArray()), contentType: out.ContentType };
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}
