import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TaskFailure } from '../pool.js';
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
  settings: CloudSettings;
  source: FileSource;
  target: ExportTarget;
  signal: AbortSignal;
  onProgress(bytes: number): void;
}

export function s3Key(target: ExportTarget): string {
  return [...target.folder, target.filename].join('/');
}

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

export async function uploadToS3(t: S3Task): Promise<RemoteRef> {
  const key = s3Key(t.target);
  const partSize = Math.max(MIN_PART, t.settings.chunkBytes);
  const client = s3Client(t.s3, t.settings);
  const upload = new Upload({
    client,
    params: { Bucket: t.s3.bucket, Key: key, Body: chunks(t.source, partSize), ContentType: t.source.contentType },
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
      bucket: t.s3.bucket,
      key,
      ...(out.ETag ? { etag: out.ETag.replace(/"/g, '') } : {}),
      ...(typeof out.Location === 'string' ? { url: out.Location } : {}),
    };
  } catch (err) {
    t.signal.throwIfAborted();
    throw s3Failure(err, t.s3);
  } finally {
    t.signal.removeEventListener('abort', onAbort);
    client.destroy();
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
    return new TaskFailure('CLOUD_AUTH_FAILED', `S3 refused this server's credentials for bucket "${s3.bucket}" (${what}); check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the bucket policy.`, false);
  }
  if (e.name === 'NoSuchBucket') return new TaskFailure('CLOUD_PROVIDER_ERROR', `The S3 bucket "${s3.bucket}" does not exist (${what}).`, false);
  const retryable = status === undefined || status === 429 || status >= 500;
  return new TaskFailure('CLOUD_PROVIDER_ERROR', `S3 failed to store the file (${what}).`, retryable);
}
