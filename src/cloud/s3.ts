import { Readable } from 'node:stream';
import path from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TaskFailure } from '../errors.js';
import { clean } from './failures.js';
import type { CloudSettings, S3Settings } from './settings.js';
import type { FileSource } from './source.js';
import type { ExportTarget, RemoteRef } from './upload.js';

/**
 * The server's own S3-compatible bucket (AWS, MinIO, R2, s3rver…), through lib-storage's
 * Upload: one PutObject up to a part, else a multipart upload with parts of CLOUD_CHUNK_KB
 * (S3 refuses parts under 5 MiB, so that is the floor). A failed or aborted multipart upload
 * is aborted (leavePartsOnError: false), so no orphan parts keep costing storage.
 */
const MIN_PART = 5 * 1024 * 1024;

/** Credential answers: the server's S3_* configuration is wrong, not the user's doing. */
const AUTH_ERRORS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'Forbidden']);

export interface S3Task {
  s3: S3Settings;
  /** The job whose result is exported: its exports live under exports/<job id>/ and nowhere else. */
  jobId: string;
  settings: CloudSettings;
  source: FileSource;
  target: ExportTarget;
  signal: AbortSignal;
  onProgress(bytes: number): void;
}

/**
 * The object key of an export: always under `exports/<job id>/`, whatever the client sent as
 * folder (its segments are sanitised names, never `..`), so an export can never reach the
 * inputs/ and results/ prefixes of job storage or another job's exports. `copy` n > 0 names
 * the n-th alternative, `report (n).pdf`, as Dropbox and OneDrive do.
 */
export function s3Key(jobId: string, target: ExportTarget, copy = 0): string {
  const ext = path.extname(target.filename);
  const name = copy === 0 ? target.filename : `${target.filename.slice(0, target.filename.length - ext.length)} (${copy})${ext}`;
  return ['exports', jobId, ...target.folder, name].join('/');
}

/** How many `name (n)` alternatives are tried before an export gives up. */
const MAX_COPIES = 100;

export function s3Client(s3: S3Settings, settings: CloudSettings): S3Client {
  return new S3Client({
    region: s3.region,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    forcePathStyle: s3.forcePathStyle,
    ...(s3.credentials ? { credentials: s3.credentials } : {}),
    maxAttempts: settings.retry.attempts + 1,
    requestHandler: { requestTimeout: settings.requestTimeoutMs, connectionTimeout: 30_000 },
    // Checksums only where S3 requires them: many S3-compatible servers do not understand
    // the aws-chunked trailers newer SDKs send by default.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Never overwrites: the first free key among `name`, `name (1)`, … is found with HEAD, and the
 * upload is conditional (If-None-Match: *), so one that appeared meanwhile answers 412 and the
 * next name is tried. (S3 servers that ignore the condition still get the HEAD check.)
 */
export async function uploadToS3(t: S3Task): Promise<RemoteRef> {
  const client = s3Client(t.s3, t.settings);
  try {
    for (let copy = 0; copy <= MAX_COPIES; copy++) {
      const key = s3Key(t.jobId, t.target, copy);
      if (await exists(client, t.s3.exportBucket, key, t)) continue;
      try {
        return await putOnce(client, key, t);
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) continue;
        throw err;
      }
    }
    throw new TaskFailure('CLOUD_PROVIDER_ERROR', `${MAX_COPIES} exports of this name already exist in the bucket; choose another filename.`, false);
  } catch (err) {
    t.signal.throwIfAborted();
    if (err instanceof TaskFailure) throw err;
    throw s3Failure(err, t.s3);
  } finally {
    client.destroy();
  }
}

async function exists(client: S3Client, bucket: string, key: string, t: S3Task): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: t.signal });
    return true;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

async function putOnce(client: S3Client, key: string, t: S3Task): Promise<RemoteRef> {
  const partSize = Math.max(MIN_PART, t.settings.chunkBytes);
  const upload = new Upload({
    client,
    params: { Bucket: t.s3.exportBucket, Key: key, Body: chunks(t.source, partSize), ContentType: t.source.contentType, IfNoneMatch: '*' },
    partSize,
    queueSize: 1,
    leavePartsOnError: false,
  });
  upload.on('httpUploadProgress', (p) => {
    if (typeof p.loaded === 'number') t.onProgress(p.loaded);
  });
  const onAbort = () => void upload.abort().catch(() => {});
  t.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const out = await upload.done();
    t.onProgress(t.source.size);
    return {
      bucket: t.s3.exportBucket,
      key,
      ...(out.ETag ? { etag: out.ETag.replace(/"/g, '') } : {}),
      ...(typeof out.Location === 'string' ? { url: out.Location } : {}),
    };
  } finally {
    t.signal.removeEventListener('abort', onAbort);
  }
}

/** The file as a stream of part-sized reads, so memory holds about one part. */
function chunks(source: FileSource, size: number): Readable {
  return Readable.from(
    (async function* () {
      for (let offset = 0; offset < source.size; offset += size) yield await source.read(offset, size);
    })(),
    { objectMode: false },
  );
}

export function s3Failure(err: unknown, s3: S3Settings): TaskFailure {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const what = clean(`${e.name ?? 'Error'}${status ? ` ${status}` : ''}: ${e.message ?? ''}`, s3.credentials?.secretAccessKey);
  if (AUTH_ERRORS.has(e.name ?? '') || status === 401 || status === 403) {
    return new TaskFailure('CLOUD_AUTH_FAILED', `S3 refused this server's credentials for bucket "${s3.exportBucket}" (${what}); check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the bucket policy.`, false);
  }
  if (e.name === 'NoSuchBucket') return new TaskFailure('CLOUD_PROVIDER_ERROR', `The S3 bucket "${s3.exportBucket}" does not exist (${what}).`, false);
  const retryable = status === undefined || status === 429 || status >= 500;
  return new TaskFailure('CLOUD_PROVIDER_ERROR', `S3 failed to store the file (${what}).`, retryable);
}
