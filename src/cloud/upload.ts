import type { ProviderClient } from './client.js';
import { malformed } from './failures.js';
import { field } from './http.js';
import type { CloudSettings } from './settings.js';
import type { FileSource } from './source.js';

/** Where an export lands, already sanitised by the route (see names.ts). */
export interface ExportTarget {
  /** Path segments under the drive's root (Dropbox, OneDrive) or the key prefix (S3). */
  folder: string[];
  /** Google Drive only: the parent folder's id. */
  folderId?: string | undefined;
  filename: string;
}

/** What a finished upload is known by at the provider; stored as result.remote. */
export interface RemoteRef {
  id?: string;
  name?: string;
  path?: string;
  url?: string;
  bucket?: string;
  key?: string;
  etag?: string;
}

export interface UploadTask {
  client: ProviderClient;
  source: FileSource;
  target: ExportTarget;
  settings: CloudSettings;
  /** Bytes the provider has confirmed so far. */
  onProgress(bytes: number): void;
}

/**
 * A chunk size the provider accepts: a multiple of its unit (Drive 256 KiB, OneDrive
 * 320 KiB), at least one unit and at most its per-request maximum.
 */
export function alignedChunk(wanted: number, unit: number, max: number): number {
  return Math.min(max, Math.max(unit, Math.floor(wanted / unit) * unit));
}

/**
 * Requests a chunked upload may make before it is declared stuck: one per chunk, one status
 * query per retry, and slack. A provider that keeps answering "send that again" cannot hold
 * a job in a loop until its timeout.
 */
export function stepBudget(size: number, chunk: number, retries: number): number {
  return 2 * Math.ceil(size / chunk) + 4 * (retries + 1) + 4;
}

/**
 * A resumable-session URL handed out by the provider: it must be a URL and, unless the
 * configured base is plain http (a local test server), an https one.
 */
export function sessionUrl(client: ProviderClient, value: unknown, base: string, doing: string): string {
  const plainAllowed = base.startsWith('http:');
  try {
    const url = new URL(String(value));
    if (url.protocol === 'https:' || (plainAllowed && url.protocol === 'http:')) return url.href;
  } catch {
    // falls through to the failure below
  }
  throw malformed(client.provider, doing, 'no usable upload session URL');
}

/** The provider's reported size must be the size sent: a cheap end-to-end integrity check. */
export function checkSize(client: ProviderClient, item: unknown, expected: number, doing: string): void {
  const size = field(item, 'size');
  if (size === undefined) return;
  if (Number(size) !== expected) throw malformed(client.provider, doing, `it stored ${String(size).slice(0, 20)} bytes of ${expected}`);
}
