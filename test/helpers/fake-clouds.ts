import { randomUUID } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { dropboxFake } from '../cloud/fakes/dropbox.js';
import { googleFake } from '../cloud/fakes/google-drive.js';
import { graphFake } from '../cloud/fakes/onedrive.js';

/**
 * Local stand-ins for Google Drive, Dropbox and Microsoft Graph, speaking the parts of their
 * documented HTTP APIs that src/cloud calls, strictly: wrong headers, ranges or chunk sizes
 * get a 400 (and are recorded in `violations`), so a test that passes shows the requests
 * were shaped as the real APIs demand. `fail()` injects 401/429/5xx answers.
 *
 * Base URLs (the *_BASE_URL settings) are prefixes of one server: /google-oauth, /google-api,
 * /dropbox-api, /dropbox-content, /ms-auth, /graph (and /graph-upload for sessions).
 */
export const GOOD_TOKEN = 'good-token-0123456789abcdef';
export const GOOD_CODE = 'good-code';
export const OAUTH_APPS = {
  google: ['google-client-id', 'google-client-secret'],
  dropbox: ['dropbox-app-key', 'dropbox-app-secret'],
  ms: ['ms-client-id', 'ms-client-secret'],
} as const;

export interface FakeRequest {
  method: string;
  /** Path with its provider prefix, without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface StoredFile {
  provider: 'google_drive' | 'dropbox' | 'onedrive';
  id: string;
  name: string;
  /** Drive: parent folder id; Dropbox/OneDrive: full path. */
  where: string;
  data: Buffer;
}

export interface Session {
  provider: StoredFile['provider'];
  id: string;
  total?: number;
  received: number;
  chunks: Buffer[];
  state: 'open' | 'done' | 'cancelled';
  meta: Record<string, unknown>;
  /** The final answer, repeated if the client asks again after completion. */
  result?: Reply;
}

interface Fault {
  method?: string;
  path: RegExp;
  reply: Reply;
  times: number;
  /** Handle the request first, then answer with the fault (a response lost after success). */
  afterHandling: boolean;
  when?: (r: FakeRequest) => boolean;
}

export class FakeClouds {
  url = '';
  readonly requests: FakeRequest[] = [];
  readonly files: StoredFile[] = [];
  readonly sessions = new Map<string, Session>();
  readonly violations: string[] = [];
  private readonly faults: Fault[] = [];
  readonly server = http.createServer((req, res) => void this.onRequest(req, res));

  /** Base URL variables for the app (also the *_CLIENT_ID/SECRET of the fake OAuth apps). */
  env(): Record<string, string> {
    return {
      GOOGLE_OAUTH_BASE_URL: `${this.url}/google-oauth`,
      GOOGLE_API_BASE_URL: `${this.url}/google-api`,
      DROPBOX_API_BASE_URL: `${this.url}/dropbox-api`,
      DROPBOX_CONTENT_BASE_URL: `${this.url}/dropbox-content`,
      ONEDRIVE_AUTH_BASE_URL: `${this.url}/ms-auth`,
      ONEDRIVE_GRAPH_BASE_URL: `${this.url}/graph`,
      GOOGLE_CLIENT_ID: OAUTH_APPS.google[0],
      GOOGLE_CLIENT_SECRET: OAUTH_APPS.google[1],
      DROPBOX_APP_KEY: OAUTH_APPS.dropbox[0],
      DROPBOX_APP_SECRET: OAUTH_APPS.dropbox[1],
      ONEDRIVE_CLIENT_ID: OAUTH_APPS.ms[0],
      ONEDRIVE_CLIENT_SECRET: OAUTH_APPS.ms[1],
    };
  }

  /** The next `times` requests matching method and path get `reply` instead of the real answer. */
  fail(method: string | undefined, path: RegExp, reply: Reply, opts: { times?: number; afterHandling?: boolean; when?: (r: FakeRequest) => boolean } = {}): void {
    this.faults.push({ ...(method ? { method } : {}), path, reply, times: opts.times ?? 1, afterHandling: opts.afterHandling ?? false, ...(opts.when ? { when: opts.when } : {}) });
  }

  /** Upload sessions neither completed nor cancelled: what a failed export would leave behind. */
  openSessions(): Session[] {
    return [...this.sessions.values()].filter((s) => s.state === 'open');
  }

  newId(): string {
    return randomUUID().replace(/-/g, '').slice(0, 16);
  }

  authorized(r: FakeRequest): boolean {
    return r.headers.authorization === `Bearer ${GOOD_TOKEN}`;
  }

  /** Records a protocol violation and answers 400, so the client sees its mistake too. */
  violation(what: string): Reply {
    this.violations.push(what);
    return { status: 400, body: { error: { code: 400, message: `fake: ${what}` } } };
  }

  /** The OAuth 2 token endpoint (RFC 6749 §4.1.3), shared by the three providers. */
  oauthToken(r: FakeRequest, app: readonly [string, string], extra: Record<string, unknown>): Reply {
    if (r.method !== 'POST') return { status: 405 };
    if (!String(r.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return this.violation('token request is not form-encoded');
    const form = new URLSearchParams(r.body.toString('utf8'));
    if (form.get('grant_type') !== 'authorization_code') return this.violation('grant_type is not authorization_code');
    if (!form.get('redirect_uri')) return this.violation('token request without redirect_uri');
    if (form.get('client_id') !== app[0] || form.get('client_secret') !== app[1]) return { status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } };
    if (form.get('code') !== GOOD_CODE) return { status: 400, body: { error: 'invalid_grant', error_description: 'The code is invalid or expired.' } };
    return { status: 200, body: { access_token: GOOD_TOKEN, token_type: 'Bearer', expires_in: 3599, refresh_token: 'refresh-1', scope: 'files', ...extra } };
  }

  private route(r: FakeRequest): Reply {
    const [, prefix] = /^\/([a-z-]+)/.exec(r.path) ?? [];
    switch (prefix) {
      case 'google-oauth':
      case 'google-api':
        return googleFake(this, r);
      case 'dropbox-api':
      case 'dropbox-content':
        return dropboxFake(this, r);
      case 'ms-auth':
      case 'graph':
      case 'graph-upload':
        return graphFake(this, r);
      default:
        return { status: 404, body: { error: 'no such fake' } };
    }
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const r: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
    this.requests.push(r);
    const fault = this.faults.find((f) => f.times > 0 && (!f.method || f.method === r.method) && f.path.test(r.path + url.search) && (!f.when || f.when(r)));
    let reply: Reply;
    if (fault) {
      fault.times--;
      if (fault.afterHandling) this.route(r);
      reply = fault.reply;
    } else {
      reply = this.route(r);
    }
    const body = reply.body === undefined ? '' : Buffer.isBuffer(reply.body) || typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    const type = typeof reply.body === 'object' && !Buffer.isBuffer(reply.body) ? { 'content-type': 'application/json' } : {};
    res.writeHead(reply.status, { ...type, ...reply.headers });
    res.end(body);
  }
}

export async function startFakeClouds(t: Test): Promise<FakeClouds> {
  const fake = new FakeClouds();
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        fake.server.closeAllConnections();
        fake.server.close(() => resolve());
      }),
  );
  return fake;
}
