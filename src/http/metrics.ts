import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';
import { ErrorSchema } from '../schemas/common.js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FinishedEvent } from '../dispatch/dispatcher.js';
import { countByStatus } from '../queue/index.js';

export interface Metrics {
  registry: Registry;
  jobsSubmitted: Counter<'type'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

/**
 * GET /metrics in Prometheus text format. One registry per app (tests build many apps in
 * one process; the global registry would collide). Queue depth and pool gauges are read at
 * scrape time, so they cost nothing between scrapes.
 */
export const metricsPlugin = fp(
  async (app) => {
    const registry = new Registry();
    registry.setDefaultLabels({ service: 'pdf-smaller' });
    collectDefaultMetrics({ register: registry });

    const httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    const bytesIn = new Counter({ name: 'http_request_bytes_total', help: 'Request body bytes received', registers: [registry] });
    const bytesOut = new Counter({ name: 'http_response_bytes_total', help: 'Response bytes sent (Content-Length)', registers: [registry] });
    const jobsSubmitted = new Counter({ name: 'jobs_submitted_total', help: 'Jobs created, by type', labelNames: ['type'] as const, registers: [registry] });
    const jobsFinished = new Counter({
      name: 'jobs_finished_total',
      help: 'Job runs that ended, by type and outcome (completed, failed, retrying, released, discarded)',
      labelNames: ['type', 'status'] as const,
      registers: [registry],
    });
    const jobDuration = new Histogram({
      name: 'job_duration_seconds',
      help: 'Run time of a job attempt, by type and outcome',
      labelNames: ['type', 'status'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    });
    new Gauge({
      name: 'jobs_queue_depth',
      help: 'Jobs by status',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const counts = await countByStatus(app.store.db);
        for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'worker_threads',
      help: 'Worker pool threads: total, and busy (tasks running or waiting)',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        this.set({ state: 'total' }, app.pools.jobs.size);
        this.set({ state: 'busy' }, app.pools.jobs.busy);
      },
    });

    app.dispatcher.on('finished', (e: FinishedEvent) => {
      jobsFinished.inc({ type: e.type, status: e.status });
      jobDuration.observe({ type: e.type, status: e.status }, e.durationMs / 1000);
    });

    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
      const inLen = Number(request.headers['content-length']);
      if (inLen > 0) bytesIn.inc(inLen);
      const outLen = Number(reply.getHeader('content-length'));
      if (outLen > 0) bytesOut.inc(outLen);
    });

    const token = app.config.metricsToken ? Buffer.from(`Bearer ${app.config.metricsToken}`) : undefined;
    app.get(
      '/metrics',
      {
        schema: {
          operationId: 'getMetrics',
          summary: 'Prometheus metrics',
          description: 'Open, or with METRICS_TOKEN set, `Authorization: Bearer <token>`.',
          tags: ['system'],
          // Open unless the server sets METRICS_TOKEN.
          security: [{}, { metricsToken: [] }],
          response: { 200: { description: 'Prometheus text format', type: 'string' }, 401: ErrorSchema },
        },
      },
      async (request, reply) => {
        if (token) {
          const given = Buffer.from(request.headers.authorization ?? '');
          if (given.length !== token.length || !timingSafeEqual(given, token)) {
            throw new AppError('UNAUTHORIZED', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.');
          }
        }
        return reply.header('content-type', registry.contentType).send(await registry.metrics());
      },
    );
    app.decorate('metrics', { registry, jobsSubmitted });
  },
  { name: 'metrics', dependencies: ['db', 'pool', 'dispatcher'] },
);
