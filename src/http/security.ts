import { timingSafeEqual } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { databaseRateLimitStore } from './rate-limit-store.js';

/** Routes under /api that stay open with API_KEYS set (load balancers and monitors poll them). */
const OPEN_API_ROUTES = new Set(['/api/health', '/api/compress/health']);

function sameKey(given: string, keys: Buffer[]): boolean {
  const g = Buffer.from(given);
  // Compare against every key without an early exit, each in constant time.
  return keys.reduce((ok, k) => (k.length === g.length && timingSafeEqual(k, g)) || ok, false);
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  // EventSource and <a href> downloads cannot send headers: accept ?api_key= as well
  // (redacted from logs by the request log controller).
  const q = (request.query as Record<string, unknown> | undefined)?.api_key;
  return typeof q === 'string' && q ? q : undefined;
}

/**
 * Access control and limits of API.md: API_KEYS (X-API-Key, 401 UNAUTHORIZED; health stays
 * open), RATE_LIMIT_PER_MINUTE per client IP on POST /api/* (429 RATE_LIMITED with
 * retry-after; counted in the database, so the limit holds across nodes), CORS_ORIGINS, and
 * security headers with a CSP the Swagger UI works under.
 */
export const securityPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          // Swagger UI injects inline styles and a small inline initializer.
          scriptSrc: ["'self'", "'unsafe-inline'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          connectSrc: ["'self'"],
          // The server speaks plain HTTP (TLS is a proxy's job): upgrading requests made the
          // page and /docs load blank when opened on a LAN address.
          upgradeInsecureRequests: null,
        },
      },
      crossOriginResourcePolicy: { policy: config.corsOrigins.length ? 'cross-origin' : 'same-origin' },
    });

    if (config.corsOrigins.length) {
      await app.register(cors, {
        origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
        methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
        exposedHeaders: ['x-request-id', 'content-disposition', 'retry-after', 'content-length'],
        maxAge: 600,
      });
    }

    if (config.apiKeys.length) {
      const keys = config.apiKeys.map((k) => Buffer.from(k));
      app.addHook('onRequest', async (request) => {
        const path = request.url.split('?')[0]!;
        if (!path.startsWith('/api/') || OPEN_API_ROUTES.has(path) || request.method === 'OPTIONS') return;
        const key = presentedKey(request);
        if (!key || !sameKey(key, keys)) throw new AppError('UNAUTHORIZED');
      });
    }

    if (config.rateLimitPerMinute > 0) {
      await app.register(rateLimit, {
        max: config.rateLimitPerMinute,
        timeWindow: 60_000,
        store: databaseRateLimitStore(app.store.db),
        skipOnError: true, // a database hiccup must not turn every submission into a 500
        allowList: (request) => request.method !== 'POST' || !request.url.startsWith('/api/'),
        errorResponseBuilder: (_request, ctx) =>
          new AppError('RATE_LIMITED', `At most ${ctx.max} submissions per minute; retry in ${Math.ceil(ctx.ttl / 1000)} s.`, {
            retry_after_s: Math.ceil(ctx.ttl / 1000),
          }),
      });
    }
  },
  { name: 'security', dependencies: ['db'] },
);
