import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { dbPlugin } from './db/plugin.js';
import { dispatcherPlugin } from './dispatch/plugin.js';
import { AppError, errorBody, ERRORS } from './errors.js';
import { defaultHandlers, type Handlers } from './jobs/index.js';
import { accessPlugin } from './http/access.js';
import { LinkSigner, linkSecret } from './http/links.js';
import { watcherPlugin } from './http/job-watcher.js';
import { metricsPlugin } from './http/metrics.js';
import { openapiPlugin } from './http/openapi.js';
import { RequestLogController } from './http/request-log.js';
import { securityPlugin } from './http/security.js';
import { webPlugin } from './http/web.js';
import { poolPlugin } from './pool/plugin.js';
import { routePlugins } from './routes/index.js';
import { cleanupPlugin } from './storage/cleanup.js';
import { storagePlugin } from './storage/plugin.js';
import { webhooksPlugin } from './webhooks/plugin.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** Signs and checks the download and event links of job JSON. */
    links: LinkSigner;
  }
}

export interface AppOptions {
  /** pino options (level, stream…) or false; tests pass a stream and read the JSON lines. */
  logger?: FastifyServerOptions['logger'];
  /** Job types this app runs; defaults to every type of this build (defaultHandlers). */
  handlers?: Handlers | ((config: Config) => Handlers);
  /** Start the dispatcher when the app is ready (default true). */
  dispatch?: boolean;
  /** Start the periodic cleanup sweep (default true). */
  cleanup?: boolean;
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/**
 * The whole service as a Fastify instance: used by server.ts and by the tests. Resources are
 * plugins registered in dependency order (db → security → storage → pool → dispatcher →
 * cleanup), so close() tears them down in reverse: the dispatcher drains before the pool and
 * the db close.
 */
export async function buildApp(config: Config, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
    logController: new RequestLogController(),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Generous for JSON bodies (AI text routes); uploads are multipart and streamed, not buffered.
    bodyLimit: 2 * 1024 * 1024,
    forceCloseConnections: 'idle',
    // REQUEST_TIMEOUT_S: a request not received in full in this time is answered 408 and its
    // connection closed, however slowly it trickles (a stalled upload's staging files are then
    // removed by receiveMultipart). Headers must arrive within 30 s; idle keep-alive
    // connections close after 72 s (longer than the usual proxy's 60 s, so the proxy closes first).
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: 72_000,
    http: {
      headersTimeout: Math.min(30_000, config.requestTimeoutMs),
      // How often Node checks those timeouts (default 30 s, which would let a 5 s timeout run 35 s).
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(config.requestTimeoutMs / 10))),
    },
  });
  app.decorate('config', config);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // server.close() waits for every open connection; a stalled download must not hold a
  // shutdown past its grace period (exit 0 on SIGTERM is the contract).
  app.addHook('preClose', async () => {
    setTimeout(() => app.server.closeAllConnections(), config.shutdownGraceMs).unref();
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
    if (err instanceof AppError) {
      if (err.statusCode >= 500) request.log.warn({ code: err.code }, err.message);
      return reply.code(err.statusCode).send(errorBody(err.code, err.message, request.id, err.details));
    }
    if (err.validation) {
      return reply.code(400).send(errorBody('INVALID_OPTIONS', err.message, request.id));
    }
    const status = err.statusCode ?? 500;
    if (status === 413) {
      return reply.code(413).send(errorBody('FILE_TOO_LARGE', 'The request body is larger than allowed.', request.id));
    }
    if (status === 415 || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send(errorBody('INVALID_REQUEST', 'Unsupported Content-Type for this route.', request.id));
    }
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx (malformed JSON, bad headers): its message describes the request, not us.
      return reply.code(status).send(errorBody('INVALID_REQUEST', err.message, request.id));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('INTERNAL_ERROR', ERRORS.INTERNAL_ERROR[1], request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`, request.id));
  });

  await app.register(dbPlugin, { config });
  app.decorate('links', new LinkSigner(await linkSecret(app.store.db, config.linkSecret), config.linkTtlMs));
  await app.register(accessPlugin, { config, links: app.links });
  await app.register(securityPlugin, { config });
  await app.register(openapiPlugin);
  await app.register(multipart, { throwFileSizeLimit: true });
  await app.register(storagePlugin, { config });
  await app.register(poolPlugin, { config });
  await app.register(dispatcherPlugin, { config, handlers: typeof opts.handlers === 'function' ? opts.handlers(config) : (opts.handlers ?? defaultHandlers(config)), start: opts.dispatch ?? true });
  await app.register(metricsPlugin);
  await app.register(webhooksPlugin);
  await app.register(watcherPlugin);
  if (opts.cleanup ?? true) await app.register(cleanupPlugin, { config });

  for (const routes of routePlugins) await app.register(routes);
  await app.register(webPlugin);
  return app;
}
