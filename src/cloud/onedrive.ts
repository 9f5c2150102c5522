import { isRetryable, malformed } from './failures.js';
import { field, NetworkError, stringField, type Answer } from './http.js';
import { alignedChunk, checkSize, sessionUrl, stepBudget, type RemoteRef, type UploadTask } from './upload.js';

/**
 * OneDrive through Microsoft Graph (learn.microsoft.com/graph/api/driveitem-put-content and
 * driveitem-createuploadsession): up to 4 MB in one PUT …:/content; larger files through an
 * upload session, PUT to its uploadUrl in Content-Range chunks that are multiples of
 * 320 KiB (at most 60 MiB), resuming from nextExpectedRanges after any failure. A failed
 * export DELETEs its session, which discards the bytes uploaded so far.
 */
const UNIT = 320 * 1024;
const SIMPLE_MAX = 4 * 1024 * 1024;
const CHUNK_MAX = 60 * 1024 * 1024; // 192 units

export async function uploadToOneDrive(t: UploadTask): Promise<RemoteRef> {
  const chunk = alignedChunk(t.settings.chunkBytes, UNIT, CHUNK_MAX);
  const graph = t.settings.urls.ONEDRIVE_GRAPH_BASE_URL;
  const item = `${graph}/me/drive/root:/${[...t.target.folder, t.target.filename].map(encodeURIComponent).join('/')}:`;
  if (t.source.size <= Math.min(chunk, SIMPLE_MAX)) {
    const doing = 'uploading the file';
    const answer = await t.client.request(
      { method: 'PUT', url: `${item}/content?@microsoft.graph.conflictBehavior=rename`, headers: { 'content-type': t.source.contentType }, body: await t.source.read(0, t.source.size) },
      doing,
    );
    const driveItem = t.client.expect(answer, doing, [200, 201]);
    t.onProgress(t.source.size);
    return itemRef(t, driveItem, doing);
  }

  const doing = 'creating an upload session';
  const created = await t.client.request(
    { method: 'POST', url: `${item}/createUploadSession`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: { '@microsoft.graph.conflictBehavior': 'rename' } }) },
    doing,
  );
  const session = sessionUrl(t.client, field(t.client.expect(created, doing, [200]), 'uploadUrl'), graph, doing);
  try {
    return await sendChunks(t, session, chunk);
  } catch (err) {
    await cancelSession(t, session);
    throw err;
  }
}

async function sendChunks(t: UploadTask, session: string, chunk: number): Promise<RemoteRef> {
  const { client, source } = t;
  const doing = 'uploading a chunk';
  let offset = 0;
  let known = true; // false after a failure: ask the session where it stands before sending more
  let stalls = 0;
  const budget = stepBudget(source.size, chunk, client.retries);
  for (let step = 0; step < budget; step++) {
    let answer: Answer;
    try {
      if (known) {
        const data = await source.read(offset, chunk);
        const range = `bytes ${offset}-${offset + data.length - 1}/${source.size}`;
        // Graph documents that the uploadUrl must be called WITHOUT the Authorization header.
        answer = await client.send({ method: 'PUT', url: session, headers: { 'content-range': range }, body: data }, { auth: false });
      } else {
        answer = await client.send({ method: 'GET', url: session }, { auth: false });
      }
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      if (!(await client.pause(stalls++))) throw client.networkFailure(err, doing);
      known = false;
      continue;
    }
    if (answer.status === 200 || answer.status === 201 || answer.status === 202) {
      // The last chunk (or a status query after it) answers the driveItem; anything else
      // in 2xx is the session's state with the ranges still missing.
      if (answer.status !== 202 && stringField(answer.json, 'id')) {
        t.onProgress(source.size);
        return itemRef(t, answer.json, doing);
      }
      const next = nextExpected(answer, source.size);
      if (next === undefined) throw malformed(client.provider, doing, 'no usable nextExpectedRanges');
      if (next > offset) stalls = 0;
      offset = next;
      known = true;
      t.onProgress(offset);
      continue;
    }
    if (answer.status === 416) {
      known = false; // we sent a range it already has
      continue;
    }
    if (answer.status === 404) throw malformed(client.provider, doing, 'the upload session expired');
    if (!isRetryable(client.provider, answer)) throw client.failure(answer, doing);
    if (!(await client.pause(stalls++, answer))) throw client.failure(answer, doing);
    known = false;
  }
  throw malformed(client.provider, doing, 'the upload made no progress');
}

/** The first missing byte, from nextExpectedRanges ["26-"] or ["26-99", …]. */
function nextExpected(answer: Answer, size: number): number | undefined {
  const ranges = field(answer.json, 'nextExpectedRanges');
  const first = Array.isArray(ranges) ? ranges[0] : undefined;
  const m = typeof first === 'string' ? /^(\d{1,15})-/.exec(first) : null;
  const next = m ? Number(m[1]) : NaN;
  return next >= 0 && next < size ? next : undefined;
}

/** Best effort, on its own short timeout: the job's signal may be the reason we are here. */
async function cancelSession(t: UploadTask, session: string): Promise<void> {
  await t.client.send({ method: 'DELETE', url: session }, { auth: false, signal: AbortSignal.timeout(10_000), timeoutMs: 10_000 }).catch(() => undefined);
}

function itemRef(t: UploadTask, driveItem: unknown, doing: string): RemoteRef {
  const id = stringField(driveItem, 'id', 500);
  if (!id) throw malformed(t.client.provider, doing, 'no item id');
  checkSize(t.client, driveItem, t.source.size, doing);
  const name = stringField(driveItem, 'name', 1000) ?? t.target.filename;
  const parent = stringField(field(driveItem, 'parentReference'), 'path');
  const url = stringField(driveItem, 'webUrl');
  return { id, name, ...(url ? { url } : {}), ...(parent ? { path: `${parent}/${name}` } : {}) };
}
