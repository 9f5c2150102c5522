import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { databaseRateLimitStore } from './rate-limit-store.js';

/**
 * Limits and headers of the README's "Access control": RATE_LIMIT_PER_MINUTE per client IP on
 * POST routes under /api (429 RATE_LIMITED with retry-after; counted in the database, so the
 * limit holds across nodes; decided on the matched route like the key check in access.ts),
 * CORS_ORIGINS, and security headers. The CSP allows scripts from this origin only: the web
 * page and Swagger UI load theirs from files; Swagger UI still needs inline styles.
 */
export const securityPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          // Swagger UI sets inline styles on its elements.
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

    if (config.rateLimitPerMinute > 0) {
      await app.register(rateLimit, {
        max: config.rateLimitPerMinute,
        timeWindow: 60_000,
        store: databaseRateLimitStore(app.store.db),
        skipOnError: true, // a database hiccup must not turn every submission into a 500
        allowList: (request) => request.method !== 'POST' || !request.routeOptions.url?.startsWith('/api/'),
        errorResponseBuilder: (_request, ctx) =>
          new AppError('RATE_LIMITED', `At most ${ctx.max} submissions per minute; retry in ${Math.ceil(ctx.ttl / 1000)} s.`, {
            retry_after_s: Math.ceil(ctx.ttl / 1000),
          }),
      });
    }
  },
  { name: 'security', dependencies: ['db'] },
);
