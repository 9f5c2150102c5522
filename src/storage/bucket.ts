import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { s3Client } from '../cloud/s3.js';
import { cloudSettings } from '../cloud/settings.js';
import type { Config } from '../config.js';

export interface BlobInfo {
  key: string;
  size: number;
  modified: number;
}

/**
 * The S3-compatible bucket where inputs and results live when several nodes share the work
 * (S3_* set): any node can run any job and serve any download. Keys mirror the local layout:
 * inputs/<job>/<name>, results/<job>/<lease>/<name>. Uploads stream from disk (multipart
 * above 8 MiB); downloads stream to the client; nothing is held whole in memory.
 */
export class Bucket {
  constructor(
    private readonly client: S3Client,
    readonly name: string,
  ) {}

  async put(key: string, file: string, contentType = 'application/octet-stream'): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.name, Key: key, Body: createReadStream(file), ContentType: contentType },
      partSize: 8 * 1024 * 1024,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async get(key: string): Promise<{ stream: Readable; size: number } | undefined> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
      return { stream: res.Body as Readable, size: Number(res.ContentLength ?? 0) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: key }));
      return Number(res.ContentLength ?? 0);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Downloads to `dest` through a temp name, so a reader never sees half a file. */
  async download(key: string, dest: string): Promise<boolean> {
    const obj = await this.get(key);
    if (!obj) return false;
    const tmp = `${dest}.part`;
    try {
      await pipeline(obj.stream, createWriteStream(tmp));
      await rename(tmp, dest);
      return true;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    let token: string | undefined;
    do {
      const res = await this.client.send(new ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, ContinuationToken: token }));
      for (const o of res.Contents ?? []) out.push({ key: o.Key!, size: Number(o.Size ?? 0), modified: o.LastModified?.getTime() ?? 0 });
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /**
   * The "folders" directly under a prefix (job ids under inputs/ or results/), derived from a
   * plain listing: delimiter listings (CommonPrefixes) are not implemented alike by every
   * S3-compatible server (s3rver returns none).
   */
  async folders(prefix: string): Promise<string[]> {
    const names = new Set<string>();
    for (const o of await this.list(prefix)) {
      const rest = o.key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0) names.add(rest.slice(0, slash));
    }
    return [...names];
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = (await this.list(prefix)).map((o) => o.key);
    for (let i = 0; i < keys.length; i += 1000) {
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.name, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }));
    }
    return keys.length;
  }

  destroy(): void {
    this.client.destroy();
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/** The bucket of S3_*, when STORAGE says results go there (auto: whenever S3_BUCKET is set). */
export function bucketFor(config: Config): Bucket | undefined {
  const mode = config.env.STORAGE;
  const settings = cloudSettings(config);
  const bucket = settings.s3?.bucket;
  if (mode === 'local' || (mode === 'auto' && !bucket)) return undefined;
  if (!settings.s3 || !bucket) throw new Error('STORAGE=s3 needs S3_BUCKET (and S3_ENDPOINT for a non-AWS server)');
  return new Bucket(s3Client(settings.s3, settings), bucket);
}

