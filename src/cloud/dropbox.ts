import { isRetryable, malformed } from './failures.js';
import { field, NetworkError, stringField, type Answer } from './http.js';
import { alignedChunk, checkSize, stepBudget, type RemoteRef, type UploadTask } from './upload.js';

/**
 * Dropbox content uploads (dropbox.com/developers/documentation/http/documentation):
 * a file up to one chunk goes to /2/files/upload; larger ones through an upload session,
 * upload_session/start with the first chunk, append_v2 for the middle ones and finish with
 * the last one and the commit. Arguments travel in the Dropbox-API-Arg header.
 *
 * A session that is never finished creates no file and expires after 7 days; Dropbox has
 * no call to cancel one, so a failed export leaves nothing in the user's Dropbox.
 */
const SIMPLE_MAX = 150 * 1024 * 1024; // documented limit of /files/upload and of one session call

/**
 * HTTP-header-safe JSON, as Dropbox asks: every character above 0x7E escaped, so names
 * outside ASCII survive the header.
 */
export function apiArg(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export async function uploadToDropbox(t: UploadTask): Promise<RemoteRef> {
  const { client, source } = t;
  const chunk = alignedChunk(t.settings.chunkBytes, 1, SIMPLE_MAX);
  const base = `${t.settings.urls.DROPBOX_CONTENT_BASE_URL}/2/files`;
  // mode add + autorename: an existing file of that name is kept, the export gets "name (1).pdf".
  const commit = { path: `/${[...t.target.folder, t.target.filename].join('/')}`, mode: 'add', autorename: true, mute: false };
  const octets = (arg: unknown) => ({ 'content-type': 'application/octet-stream', 'dropbox-api-arg': apiArg(arg) });

  if (source.size <= chunk) {
    const doing = 'uploading the file';
    const answer = await client.request({ method: 'POST', url: `${base}/upload`, headers: octets(commit), body: await source.read(0, source.size) }, doing);
    const meta = client.expect(answer, doing, [200]);
    t.onProgress(source.size);
    return fileMetadata(t, meta, doing);
  }

  let doing = 'starting an upload session';
  const first = await source.read(0, chunk);
  const started = await client.request({ method: 'POST', url: `${base}/upload_session/start`, headers: octets({ close: false }), body: first }, doing);
  const sessionId = stringField(client.expect(started, doing, [200]), 'session_id', 1000);
  if (!sessionId) throw malformed(client.provider, doing, 'no session_id');
  let offset = first.length;
  t.onProgress(offset);

  let stalls = 0;
  const budget = stepBudget(source.size, chunk, client.retries);
  for (let step = 0; step < budget; step++) {
    const last = source.size - offset <= chunk;
    doing = last ? 'finishing the upload session' : 'appending to the upload session';
    const cursor = { session_id: sessionId, offset };
    const data = await source.read(offset, chunk);
    let answer: Answer;
    try {
      answer = last
        ? await client.send({ method: 'POST', url: `${base}/upload_session/finish`, headers: octets({ cursor, commit }), body: data })
        : await client.send({ method: 'POST', url: `${base}/upload_session/append_v2`, headers: octets({ cursor, close: false }), body: data });
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      // Sent again at the same offset: if Dropbox did store it, it answers incorrect_offset.
      if (!(await client.pause(stalls++))) throw client.networkFailure(err, doing);
      continue;
    }
    if (answer.status === 200) {
      if (last) {
        t.onProgress(source.size);
        return fileMetadata(t, answer.json, doing);
      }
      offset += data.length;
      stalls = 0;
      t.onProgress(offset);
      continue;
    }
    const correct = correctOffset(answer);
    if (correct !== undefined) {
      if (correct > source.size) throw malformed(client.provider, doing, 'an offset beyond the file');
      offset = correct;
      continue;
    }
    if (!isRetryable(client.provider, answer)) throw client.failure(answer, doing);
    if (!(await client.pause(stalls++, answer))) throw client.failure(answer, doing);
  }
  throw malformed(client.provider, doing, 'the upload made no progress');
}

/** incorrect_offset (append_v2) or lookup_failed/incorrect_offset (finish): where Dropbox really is. */
function correctOffset(answer: Answer): number | undefined {
  if (answer.status !== 409) return undefined;
  const err = field(answer.json, 'error');
  for (const e of [err, field(err, 'lookup_failed')]) {
    if (field(e, '.tag') === 'incorrect_offset') {
      const n = field(e, 'correct_offset');
      return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
    }
  }
  return undefined;
}

function fileMetadata(t: UploadTask, meta: unknown, doing: string): RemoteRef {
  const id = stringField(meta, 'id', 500);
  const path = stringField(meta, 'path_display');
  if (!id || !path) throw malformed(t.client.provider, doing, 'no file id or path');
  checkSize(t.client, meta, t.source.size, doing);
  return { id, name: stringField(meta, 'name', 1000) ?? t.target.filename, path };
}
