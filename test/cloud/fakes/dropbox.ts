import path from 'node:path';
import { OAUTH_APPS, type FakeClouds, type FakeRequest, type Reply, type Session } from '../../helpers/fake-clouds.js';

/**
 * Dropbox's side: /oauth2/token, users/get_current_account, files/upload and the
 * upload_session start/append_v2/finish protocol with its incorrect_offset errors, arguments
 * in the Dropbox-API-Arg header (which must be ASCII: Dropbox asks for escaped JSON).
 */
const unauthorized: Reply = { status: 401, body: { error_summary: 'invalid_access_token/..', error: { '.tag': 'invalid_access_token' } } };

export function dropboxFake(fake: FakeClouds, r: FakeRequest): Reply {
  if (r.path === '/dropbox-api/oauth2/token') return fake.oauthToken(r, OAUTH_APPS.dropbox, { account_id: 'dbid:AAA', uid: '12345' });
  if (r.path === '/dropbox-api/2/users/get_current_account') {
    if (r.method !== 'POST') return fake.violation('get_current_account is a POST');
    if (r.body.length > 0 && r.body.toString() !== 'null') return fake.violation('get_current_account takes no arguments');
    if (!fake.authorized(r)) return unauthorized;
    return { status: 200, body: { account_id: 'dbid:AAA', name: { display_name: 'Test User' }, email: 'user@example.com' } };
  }
  if (!r.path.startsWith('/dropbox-content/2/files/')) return { status: 404 };
  if (r.method !== 'POST') return fake.violation('content endpoints are POST');
  if (!fake.authorized(r)) return unauthorized;
  if (r.headers['content-type'] !== 'application/octet-stream') return fake.violation('content upload is not application/octet-stream');
  const rawArg = String(r.headers['dropbox-api-arg'] ?? '');
  if (/[^\x20-\x7e]/.test(rawArg)) return fake.violation('Dropbox-API-Arg is not header-safe ASCII');
  let arg: Record<string, any>;
  try {
    arg = JSON.parse(rawArg) as Record<string, any>;
  } catch {
    return fake.violation('Dropbox-API-Arg is not JSON');
  }
  const endpoint = r.path.slice('/dropbox-content/2/files/'.length);
  switch (endpoint) {
    case 'upload':
      return commit(fake, arg, r.body);
    case 'upload_session/start': {
      const s: Session = { provider: 'dropbox', id: `sess-${fake.newId()}`, received: r.body.length, chunks: [r.body], state: 'open', meta: {} };
      fake.sessions.set(s.id, s);
      return { status: 200, body: { session_id: s.id } };
    }
    case 'upload_session/append_v2':
    case 'upload_session/finish': {
      const s = fake.sessions.get(arg.cursor?.session_id);
      const finish = endpoint.endsWith('finish');
      if (!s || s.state !== 'open') {
        const notFound = { '.tag': 'not_found' };
        return { status: 409, body: { error_summary: 'not_found/..', error: finish ? { '.tag': 'lookup_failed', lookup_failed: notFound } : notFound } };
      }
      if (arg.cursor.offset !== s.received) {
        const wrong = { '.tag': 'incorrect_offset', correct_offset: s.received };
        return { status: 409, body: { error_summary: 'incorrect_offset/..', error: finish ? { '.tag': 'lookup_failed', lookup_failed: wrong } : wrong } };
      }
      s.chunks.push(r.body);
      s.received += r.body.length;
      if (!finish) return { status: 200, body: null };
      s.state = 'done';
      return (s.result = commit(fake, arg.commit, Buffer.concat(s.chunks)));
    }
    default:
      return { status: 404 };
  }
}

/** CommitInfo → the file, autorenamed like Dropbox ("a (1).pdf") when the path is taken. */
function commit(fake: FakeClouds, info: Record<string, any> | undefined, data: Buffer): Reply {
  if (!info || typeof info.path !== 'string' || !info.path.startsWith('/')) return fake.violation('commit without an absolute path');
  if (info.mode !== 'add' || info.autorename !== true) return fake.violation('commit is not mode add with autorename');
  let where: string = info.path;
  const ext = path.posix.extname(where);
  for (let n = 1; fake.files.some((f) => f.provider === 'dropbox' && f.where.toLowerCase() === where.toLowerCase()); n++) {
    where = `${info.path.slice(0, info.path.length - ext.length)} (${n})${ext}`;
  }
  const id = `id:${fake.newId()}`;
  const name = path.posix.basename(where);
  fake.files.push({ provider: 'dropbox', id, name, where, data });
  return { status: 200, body: { '.tag': 'file', id, name, path_display: where, path_lower: where.toLowerCase(), size: data.length } };
}
