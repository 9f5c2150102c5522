import { randomUUID } from 'node:crypto';
import { isRetryable, malformed } from './failures.js';
import { NetworkError, stringField, type Answer } from './http.js';
import { alignedChunk, checkSize, sessionUrl, stepBudget, type RemoteRef, type UploadTask } from './upload.js';

/**
 * Google Drive v3 uploads (developers.google.com/drive/api/guides/manage-uploads):
 * a file up to one chunk (and at most 5 MB) goes in one multipart/related request;
 * larger files through a resumable session, in chunks that are multiples of 256 KiB,
 * resuming from the server's Range after any failure.
 *
 * An unfinished resumable session creates no file and Drive expires it after a week; Drive
 * documents no call to cancel one, so a failed export leaves nothing the user can see.
 */
const UNIT = 256 * 1024;
const SIMPLE_MAX = 5 * 1024 * 1024;
const FIELDS = 'id,name,webViewLink,size';

export async function uploadToDrive(t: UploadTask): Promise<RemoteRef> {
  const chunk = alignedChunk(t.settings.chunkBytes, UNIT, 256 * 1024 * 1024);
  const url = `${t.settings.urls.GOOGLE_API_BASE_URL}/upload/drive/v3/files`;
  const metadata = { name: t.target.filename, ...(t.target.folderId ? { parents: [t.target.folderId] } : {}) };
  return t.source.size <= Math.min(chunk, SIMPLE_MAX) ? multipart(t, url, metadata) : resumable(t, url, metadata, chunk);
}

async function multipart(t: UploadTask, url: string, metadata: object): Promise<RemoteRef> {
  const data = await t.source.read(0, t.source.size);
  const boundary = `pdfs-${randomUUID()}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(metadata)}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Type: ${t.source.contentType}\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const doing = 'uploading the file';
  const answer = await t.client.request(
    { method: 'POST', url: `${url}?uploadType=multipart&supportsAllDrives=true&fields=${FIELDS}`, headers: { 'content-type': `multipart/related; boundary=${boundary}` }, body },
    doing,
  );
  const file = t.client.expect(answer, doing, [200]);
  t.onProgress(t.source.size);
  return driveFile(t, file, doing);
}

async function resumable(t: UploadTask, url: string, metadata: object, chunk: number): Promise<RemoteRef> {
  const { client, source } = t;
  let doing = 'starting a resumable upload';
  const started = await client.request(
    {
      method: 'POST',
      url: `${url}?uploadType=resumable&supportsAllDrives=true&fields=${FIELDS}`,
      headers: { 'content-type': 'application/json; charset=UTF-8', 'x-upload-content-type': source.contentType, 'x-upload-content-length': String(source.size) },
      body: JSON.stringify(metadata),
    },
    doing,
  );
  client.expect(started, doing, [200]);
  // The session URI is the credential for the upload: chunks go without the Bearer token.
  const session = sessionUrl(client, started.headers.get('location'), url, doing);

  doing = 'uploading a chunk';
  let offset = 0;
  let known = true; // whether offset is what the server holds (false after a failed chunk)
  let stalls = 0;
  const budget = stepBudget(source.size, chunk, client.retries);
  for (let step = 0; step < budget; step++) {
    let answer: Answer | undefined;
    try {
      if (known) {
        const data = await source.read(offset, chunk);
        const range = `bytes ${offset}-${offset + data.length - 1}/${source.size}`;
        answer = await client.send({ method: 'PUT', url: session, headers: { 'content-range': range, 'content-type': source.contentType }, body: data }, { auth: false });
      } else {
        // "Where are we?": an empty PUT with an unknown range, answered like a chunk.
        answer = await client.send({ method: 'PUT', url: session, headers: { 'content-range': `bytes */${source.size}` } }, { auth: false });
      }
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      if (!(await client.pause(stalls++))) throw client.networkFailure(err, doing);
      known = false;
      continue;
    }
    if (answer.status === 200 || answer.status === 201) {
      t.onProgress(source.size);
      return driveFile(t, answer.json, doing);
    }
    if (answer.status === 308) {
      const next = committed(answer, source.size);
      if (next === undefined) throw malformed(client.provider, doing, 'a Range header outside the file');
      if (next > offset) stalls = 0;
      offset = next;
      // Every byte stored but no file yet: only a status query can finish it.
      known = offset < source.size;
      t.onProgress(offset);
      continue;
    }
    if (answer.status === 404 || answer.status === 410) throw malformed(client.provider, doing, 'the upload session expired');
    if (!isRetryable(client.provider, answer)) throw client.failure(answer, doing);
    if (!(await client.pause(stalls++, answer))) throw client.failure(answer, doing);
    known = false;
  }
  throw malformed(client.provider, doing, 'the upload made no progress');
}

/** The next byte Drive expects, from a 308's `Range: bytes=0-N` (no Range: nothing stored yet). */
function committed(answer: Answer, size: number): number | undefined {
  const range = answer.headers.get('range');
  if (!range) return 0;
  const m = /^bytes=0-(\d{1,15})$/.exec(range.trim());
  const next = m ? Number(m[1]) + 1 : NaN;
  return next >= 0 && next <= size ? next : undefined;
}

function driveFile(t: UploadTask, file: unknown, doing: string): RemoteRef {
  const id = stringField(file, 'id', 500);
  if (!id) throw malformed(t.client.provider, doing, 'no file id');
  checkSize(t.client, file, t.source.size, doing);
  return {
    id,
    name: stringField(file, 'name', 1000) ?? t.target.filename,
    url: stringField(file, 'webViewLink') ?? `https://drive.google.com/file/d/${encodeURIComponent(id)}/view`,
  };
}
