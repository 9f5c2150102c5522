import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { countByStatus } from '../queue/index.js';
import { ErrorSchema } from '../schemas/common.js';
import { version } from '../version.js';

const HealthSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy')]),
    version: Type.String(),
    uptime_s: Type.Integer(),
    database: Type.Object({ ok: Type.Boolean(), dialect: Type.String() }),
    workers: Type.Object({ threads: Type.Integer(), busy: Type.Integer(), alive: Type.Boolean() }),
    queue: Type.Optional(Type.Record(Type.String(), Type.Integer())),
    problems: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'Health' },
);

const CompressHealthSchema = Type.Object({
  status: Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy')]),
  service: Type.Literal('compression'),
  engines: Type.Record(Type.String(), Type.Boolean()),
  levels: Type.Array(Type.String()),
});

export const systemRoutes: FastifyPluginAsync = async (app) => {
  const health = async () => {
    const problems: string[] = [];
    let queue: Record<string, number> | undefined;
    try {
      await app.store.ping();
      queue = await countByStatus(app.store.db);
    } catch {
      problems.push('database unreachable');
    }
    const jobs = app.pools.jobs;
    if (app.config.workerThreads > 0 && !jobs.alive) problems.push('worker pool stopped');
    return {
      status: problems.length ? ('unhealthy' as const) : ('healthy' as const),
      version,
      uptime_s: Math.round(process.uptime()),
      database: { ok: !problems.includes('database unreachable'), dialect: app.store.dialect },
      workers: { threads: jobs.size, busy: jobs.busy, alive: jobs.alive },
      ...(queue ? { queue } : {}),
      ...(problems.length ? { problems } : {}),
    };
  };
  const routes = [
    ['/health', 'getHealth'],
    ['/api/health', 'getApiHealth'],
  ] as const;
  for (const [url, operationId] of routes) {
    const opts = { schema: { operationId, summary: 'Liveness and readiness', tags: ['system'], response: { 200: HealthSchema, '4xx': ErrorSchema, 503: HealthSchema } } };
    app.get(url, opts, async (_req, reply) => {
      const h = await health();
      return reply.code(h.status === 'healthy' ? 200 : 503).send(h);
    });
  }

  app.get(
    '/api/compress/health',
    { schema: { operationId: 'getCompressionHealth', summary: 'Compression service health', tags: ['compression'], response: { 200: CompressHealthSchema, '4xx': ErrorSchema, 503: CompressHealthSchema } } },
    async (_req, reply) => {
      const ok = app.pools.jobs.alive;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'healthy' : 'unhealthy',
        service: 'compression',
        engines: { mupdf: true },
        levels: ['low', 'medium', 'high', 'maximum'],
      });
    },
  );
};
