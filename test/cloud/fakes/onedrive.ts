import { OAUTH_APPS, type FakeClouds, type FakeRequest, type Reply, type Session } from '../../helpers/fake-clouds.js';

/**
 * Microsoft's side: the v2.0 token endpoint, Graph /me, PUT …:/content (≤ 4 MB) and upload
 * sessions (createUploadSession; PUT uploadUrl with Content-Range chunks that are multiples
 * of 320 KiB, sent without Authorization; GET for status; DELETE to cancel).
 */
const UNIT = 320 * 1024;
const unauthorized: Reply = { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure.' } } };

export function graphFake(fake: FakeClouds, r: FakeRequest): Reply {
  if (r.path === '/ms-auth/token') return fake.oauthToken(r, OAUTH_APPS.ms, {});
  if (r.path === '/graph/me') {
    if (!fake.authorized(r)) return unauthorized;
    return { status: 200, body: { id: 'ms-user-1', displayName: 'Test User', userPrincipalName: 'user@example.com', mail: null } };
  }
  if (r.path.startsWith('/graph-upload/')) return session(fake, r, fake.sessions.get(r.path.slice('/graph-upload/'.length)));
  const m = /^\/graph\/me\/drive\/root:\/(.+):\/(content|createUploadSession)$/.exec(r.path);
  if (!m) return { status: 404, body: { error: { code: 'itemNotFound', message: 'not found' } } };
  if (!fake.authorized(r)) return unauthorized;
  const itemPath = m[1]!.split('/').map(decodeURIComponent).join('/');
  if (m[2] === 'content') {
    if (r.method !== 'PUT') return fake.violation('simple upload is a PUT');
    if (r.body.length > 4 * 1024 * 1024) return { status: 413, body: { error: { code: 'requestTooLarge', message: 'use an upload session' } } };
    if (r.query.get('@microsoft.graph.conflictBehavior') !== 'rename') return fake.violation('simple upload without conflictBehavior=rename');
    return store(fake, itemPath, r.body);
  }
  if (r.method !== 'POST') return fake.violation('createUploadSession is a POST');
  const body = JSON.parse(r.body.toString() || '{}') as { item?: Record<string, unknown> };
  if (body.item?.['@microsoft.graph.conflictBehavior'] !== 'rename') return fake.violation('upload session without conflictBehavior rename');
  const s: Session = { provider: 'onedrive', id: fake.newId(), received: 0, chunks: [], state: 'open', meta: { itemPath } };
  fake.sessions.set(s.id, s);
  return { status: 200, body: { uploadUrl: `${fake.url}/graph-upload/${s.id}`, expirationDateTime: '2099-01-01T00:00:00Z', nextExpectedRanges: ['0-'] } };
}

function session(fake: FakeClouds, r: FakeRequest, s: Session | undefined): Reply {
  if (!s || s.state === 'cancelled') return { status: 404, body: { error: { code: 'itemNotFound', message: 'upload session not found' } } };
  // Graph: "Including the Authorization header … may result in 401 Unauthorized."
  if (r.headers.authorization) {
    fake.violations.push('Graph uploadUrl request carried the Bearer token');
    return unauthorized;
  }
  if (r.method === 'DELETE') {
    s.state = 'cancelled';
    return { status: 204 };
  }
  const pending = () => ({ status: 200, body: { expirationDateTime: '2099-01-01T00:00:00Z', nextExpectedRanges: [`${s.received}-${(s.total ?? 1) - 1}`] } });
  if (r.method === 'GET') return s.state === 'done' ? s.result! : pending();
  if (r.method !== 'PUT') return fake.violation(`${r.method} on uploadUrl`);
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(r.headers['content-range']));
  if (!m) return fake.violation(`bad Content-Range ${String(r.headers['content-range'])}`);
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  s.total ??= total;
  if (total !== s.total) return fake.violation('Content-Range total changed');
  if (start < s.received) return { status: 416, body: { error: { code: 'invalidRange', message: 'fragment overlaps' } } };
  if (start > s.received) return fake.violation(`chunk starts at ${start}, server has ${s.received}`);
  if (r.body.length !== end - start + 1) return fake.violation('chunk length differs from its Content-Range');
  if (end !== total - 1 && r.body.length % UNIT !== 0) return fake.violation(`chunk of ${r.body.length} bytes is not a multiple of 320 KiB`);
  if (r.body.length > 60 * 1024 * 1024) return fake.violation('chunk over 60 MiB');
  s.chunks.push(r.body);
  s.received = end + 1;
  if (s.received < total) return { status: 202, body: { expirationDateTime: '2099-01-01T00:00:00Z', nextExpectedRanges: [`${s.received}-`] } };
  s.state = 'done';
  return (s.result = store(fake, String(s.meta.itemPath), Buffer.concat(s.chunks)));
}

function store(fake: FakeClouds, itemPath: string, data: Buffer): Reply {
  const id = fake.newId();
  const slash = itemPath.lastIndexOf('/');
  const name = itemPath.slice(slash + 1);
  fake.files.push({ provider: 'onedrive', id, name, where: `/${itemPath}`, data });
  const parent = `/drive/root:${slash >= 0 ? `/${itemPath.slice(0, slash)}` : ''}`;
  return { status: 201, body: { id, name, size: data.length, webUrl: `https://onedrive.example/${id}`, parentReference: { path: parent } } };
}
