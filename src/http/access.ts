import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { LinkSigner } from './links.js';

/**
 * Who is asking, decided once per request by the access hook below and read by every route
 * that touches a job (src/jobs/access.ts).
 * - `owner`: the presented key's id (keyId), stored on the jobs it submits; null without keys.
 * - `admin`: sees every job (an API_ADMIN_KEYS key, or any request when no keys are configured).
 * - `link`: a signed link's job id; the request may reach that one job through that one route.
 * - `client`: what per-client limits count (the owner, or a hash of the client IP).
 */
export interface Principal {
  owner: string | null;
  admin: boolean;
  link?: string;
  client: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** This route also takes a signed, expiring link instead of a key (GET download and events). */
    signedLink?: boolean;
  }
}

/** Routes under /api that stay open with API_KEYS set (load balancers and monitors poll them). */
const OPEN_API_ROUTES = new Set(['/api/health', '/api/compress/health']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A key's id: what job rows store as their owner (never the key itself). */
export function keyId(key: string): string {
  return createHash('sha256').update(`pdf-smaller key:${key}`).digest('hex').slice(0, 32);
}

const ipClient = (ip: string) => `ip:${createHash('sha256').update(ip).digest('hex').slice(0, 16)}`;

/** Does this matched route need a key? Decided on the route pattern Fastify matched, never on the raw URL. */
export function routeNeedsKey(route: string | undefined): boolean {
  return route !== undefined && route.startsWith('/api/') && !OPEN_API_ROUTES.has(route);
}

interface KeyRing {
  /** keyId → admin? */
  ids: Map<string, boolean>;
  keys: { key: Buffer; admin: boolean }[];
}

function keyRing(config: Config): KeyRing {
  const ids = new Map<string, boolean>();
  const keys: KeyRing['keys'] = [];
  for (const k of config.apiKeys) keys.push({ key: Buffer.from(k), admin: false });
  for (const k of config.adminKeys) keys.push({ key: Buffer.from(k), admin: true });
  for (const k of keys) ids.set(keyId(k.key.toString()), (ids.get(keyId(k.key.toString())) ?? false) || k.admin);
  return { ids, keys };
}

/** The matching key, compared against every key in constant time (no early exit). */
function matchKey(given: string, ring: KeyRing): { id: string; admin: boolean } | undefined {
  const g = Buffer.from(given);
  let found: Buffer | undefined;
  for (const { key } of ring.keys) if (key.length === g.length && timingSafeEqual(key, g)) found = key;
  if (!found) return undefined;
  const id = keyId(found.toString());
  return { id, admin: ring.ids.get(id) ?? false };
}

/** Is this browser request from a page of another site that CORS_ORIGINS does not allow? */
function crossSite(request: FastifyRequest, corsOrigins: string[]): boolean {
  if (corsOrigins.includes('*')) return false;
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== '') {
    if (corsOrigins.includes(origin)) return false;
    try {
      // Same host and port as this request: the server's own page (the scheme may differ
      // behind a TLS proxy; a Host without a port means the origin's default one).
      const hostHeader = String(request.headers.host ?? '');
      const o = new URL(origin);
      const h = new URL(`http://${hostHeader}`);
      if (o.hostname !== h.hostname) return true;
      const originPort = o.port || (o.protocol === 'https:' ? '443' : '80');
      const hostPort = h.port || (/:\d+$/.test(hostHeader) ? '80' : originPort);
      return originPort !== hostPort;
    } catch {
      return true; // "null" (sandboxed frames, file://) or garbage
    }
  }
  return request.headers['sec-fetch-site'] === 'cross-site';
}

/**
 * The access rules of the README's "Access control": a route under /api (but health) needs
 * `X-API-Key` when keys are configured, decided on the route Fastify matched, so every spelling
 * of a path the router accepts (percent-encoded letters, absolute-form request lines) is
 * checked the same way. Download and event routes also take a signed link. Keys are never
 * read from the query string. Without keys the server is single-tenant: everyone is admin,
 * but state-changing requests that a browser sends from a foreign site are refused.
 */
export const accessPlugin = fp<{ config: Config; links: LinkSigner }>(
  async (app, { config, links }) => {
    const ring = keyRing(config);
    const keyed = ring.keys.length > 0;
    app.decorateRequest('principal', null as unknown as Principal);

    app.addHook('onRequest', async (request) => {
      const route = request.routeOptions.url;
      const header = request.headers['x-api-key'];
      const given = typeof header === 'string' && header !== '' ? matchKey(header, ring) : undefined;
      request.principal = given
        ? { owner: given.id, admin: given.admin, client: given.id }
        : { owner: null, admin: !keyed, client: ipClient(request.ip) };

      if (request.method === 'OPTIONS' || !routeNeedsKey(route)) return;
      if (request.routeOptions.config.signedLink && links.present(request)) {
        // A link grants its one job through its one route, with or without keys configured.
        const jobId = links.verify(request);
        if (!given) request.principal = { owner: null, admin: false, link: jobId, client: ipClient(request.ip) };
        else request.principal.link = jobId;
        return;
      }
      if (keyed && !given) {
        const inQuery = /[?&]api_key=/i.test(request.url);
        throw new AppError(
          'UNAUTHORIZED',
          typeof header === 'string' && header !== ''
            ? 'The X-API-Key is not valid.'
            : inQuery
              ? 'API keys are not accepted in the URL; send the X-API-Key header (browsers: use the signed download_url and events_url of the job).'
              : undefined,
        );
      }
      if (!given && !SAFE_METHODS.has(request.method) && crossSite(request, config.corsOrigins)) {
        throw new AppError('CROSS_SITE_REFUSED');
      }
    });
  },
  { name: 'access' },
);
