import { OAUTH_APPS, type FakeClouds, type FakeRequest, type Reply, type Session } from '../../helpers/fake-clouds.js';

/**
 * Google's side: OAuth token + tokeninfo, Drive v3 about, and the two upload protocols of
 * developers.google.com/drive/api/guides/manage-uploads (multipart/related, resumable with
 * 308 Resume Incomplete and 256 KiB-multiple chunks).
 */
const UNIT = 256 * 1024;
const unauthorized: Reply = {
  status: 401,
  body: { error: { code: 401, message: 'Request had invalid authentication credentials.', errors: [{ reason: 'authError' }], status: 'UNAUTHENTICATED' } },
};

export function googleFake(fake: FakeClouds, r: FakeRequest): Reply {
  if (r.path === '/google-oauth/token') return fake.oauthToken(r, OAUTH_APPS.google, { id_token: 'header.payload.sig' });
  if (r.path === '/google-oauth/tokeninfo') {
    return fake.authorized(r) ? { status: 200, body: { expires_in: '3000', scope: 'https://www.googleapis.com/auth/drive.file' } } : { status: 400, body: { error: 'invalid_token' } };
  }
  if (r.path === '/google-api/drive/v3/about') {
    if (r.query.get('fields') !== 'user') return fake.violation('about without fields=user');
    if (!fake.authorized(r)) return unauthorized;
    return { status: 200, body: { user: { displayName: 'Test User', emailAddress: 'user@example.com', permissionId: '0123' } } };
  }
  if (r.path !== '/google-api/upload/drive/v3/files') return { status: 404 };
  const type = r.query.get('uploadType');
  if (r.method === 'POST' && type === 'multipart') return multipart(fake, r);
  if (r.method === 'POST' && type === 'resumable') return startSession(fake, r);
  if (r.method === 'PUT' && type === 'resumable') return chunk(fake, r);
  return fake.violation(`unexpected ${r.method} uploadType=${type}`);
}

function fileReply(fake: FakeClouds, meta: Record<string, unknown>, data: Buffer): Reply {
  const id = fake.newId();
  const parents = meta.parents as string[] | undefined;
  fake.files.push({ provider: 'google_drive', id, name: String(meta.name), where: parents?.[0] ?? 'root', data });
  return { status: 200, body: { id, name: meta.name, webViewLink: `https://drive.example/file/${id}`, size: String(data.length) } };
}

function multipart(fake: FakeClouds, r: FakeRequest): Reply {
  if (!fake.authorized(r)) return unauthorized;
  const m = /^multipart\/related; boundary=(\S+)$/.exec(String(r.headers['content-type']));
  if (!m) return fake.violation('multipart upload without multipart/related boundary');
  const delim = Buffer.from(`--${m[1]}`);
  const parts: Buffer[] = [];
  let at = r.body.indexOf(delim);
  while (at >= 0) {
    const next = r.body.indexOf(delim, at + delim.length);
    if (next < 0) break;
    parts.push(r.body.subarray(at + delim.length + 2, next - 2)); // skip \r\n after the delimiter and before the next
    at = next;
  }
  if (parts.length !== 2 || !r.body.subarray(at).toString().startsWith(`--${m[1]}--`)) return fake.violation('multipart body is not two parts closed by the boundary');
  const [metaPart, mediaPart] = parts.map((p) => {
    const split = p.indexOf('\r\n\r\n');
    return { head: p.subarray(0, split).toString(), data: p.subarray(split + 4) };
  }) as [{ head: string; data: Buffer }, { head: string; data: Buffer }];
  if (!/content-type: application\/json/i.test(metaPart.head)) return fake.violation('first part is not the JSON metadata');
  if (!/content-type: \S+/i.test(mediaPart.head)) return fake.violation('media part without Content-Type');
  return fileReply(fake, JSON.parse(metaPart.data.toString()) as Record<string, unknown>, mediaPart.data);
}

function startSession(fake: FakeClouds, r: FakeRequest): Reply {
  if (!fake.authorized(r)) return unauthorized;
  const total = Number(r.headers['x-upload-content-length']);
  if (!Number.isInteger(total) || !r.headers['x-upload-content-type']) return fake.violation('resumable start without X-Upload-Content-Length/Type');
  if (!String(r.headers['content-type']).startsWith('application/json')) return fake.violation('resumable start metadata is not JSON');
  const s: Session = { provider: 'google_drive', id: fake.newId(), total, received: 0, chunks: [], state: 'open', meta: JSON.parse(r.body.toString()) as Record<string, unknown> };
  fake.sessions.set(s.id, s);
  return { status: 200, headers: { location: `${fake.url}/google-api/upload/drive/v3/files?uploadType=resumable&upload_id=${s.id}` } };
}

function chunk(fake: FakeClouds, r: FakeRequest): Reply {
  const s = fake.sessions.get(r.query.get('upload_id') ?? '');
  if (!s || s.state === 'cancelled') return { status: 404, body: { error: { code: 404, message: 'session not found' } } };
  if (r.headers.authorization) fake.violations.push('Drive session PUT carried the Bearer token');
  const range = String(r.headers['content-range']);
  const status = /^bytes \*\/(\d+)$/.exec(range);
  const done = () => (s.result ??= fileReply(fake, s.meta, Buffer.concat(s.chunks)));
  if (status) {
    if (s.state === 'done') return done();
    return { status: 308, headers: s.received ? { range: `bytes=0-${s.received - 1}` } : {} };
  }
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(range);
  if (!m) return fake.violation(`bad Content-Range ${range}`);
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (total !== s.total) return fake.violation('Content-Range total differs from X-Upload-Content-Length');
  if (start !== s.received) return fake.violation(`chunk starts at ${start}, server has ${s.received}`);
  if (r.body.length !== end - start + 1) return fake.violation('chunk length differs from its Content-Range');
  if (end !== total - 1 && r.body.length % UNIT !== 0) return fake.violation(`chunk of ${r.body.length} bytes is not a multiple of 256 KiB`);
  s.chunks.push(r.body);
  s.received = end + 1;
  if (s.received < total) return { status: 308, headers: { range: `bytes=0-${s.received - 1}` } };
  s.state = 'done';
  return done();
}
