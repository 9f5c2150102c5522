import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { ServerResponse } from 'node:http';
import { AppError } from '../errors.js';
import { findJob } from '../http/find-job.js';
import { getJob } from '../queue/index.js';
import { ErrorSchema, JobIdParamsSchema, SignedLinkQuery } from '../schemas/common.js';
import { effectiveStatus, toJobBody } from '../http/job-view.js';

const FINAL = new Set(['completed', 'failed', 'cancelled', 'expired']);
/** A comment line this often keeps proxies (nginx: 60 s idle timeout) from closing the stream. */
const HEARTBEAT_MS = 15_000;

/**
 * GET /api/jobs/:id/events: Server-Sent Events. The current job JSON at once, then one
 * `job` event per status or progress change, and the stream ends after a final status.
 */
export const eventRoutes: FastifyPluginAsync = async (app) => {
  const watcher = app.watcher;
  const open = new Set<ServerResponse>();
  /** Open streams per client (MAX_EVENT_STREAMS), on this node. */
  const streams = new Map<string, number>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
  });

  app.get(
    '/api/jobs/:id/events',
    {
      schema: {
        operationId: 'followJob',
        summary: 'Follow a job live (Server-Sent Events)',
        description:
          'text/event-stream: an `event: job` with the job JSON (as GET /api/jobs/{id}) at once and after every ' +
          'status or progress change; the stream closes after a final status. `: ping` comments every 15 s.',
        tags: ['jobs'],
        params: JobIdParamsSchema,
        querystring: Type.Object(SignedLinkQuery),
        response: { 200: { description: 'an event stream', type: 'string' }, 403: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema },
      },
      config: { signedLink: true },
    },
    async (request, reply) => {
      const row = await findJob(app, request.principal, (request.params as { id: string }).id);
      const client = request.principal.client;
      const mine = streams.get(client) ?? 0;
      if (mine >= app.config.maxEventStreams) {
        throw new AppError('RATE_LIMITED', `At most ${app.config.maxEventStreams} event streams may be open at once per client; close one first.`, {
          max_event_streams: app.config.maxEventStreams,
        });
      }
      streams.set(client, mine + 1);

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no', // nginx: do not buffer the stream
      });
      open.add(res);
      let seq = 0;
      let closed = false;
      const send = (body: ReturnType<typeof toJobBody>) => {
        if (closed) return;
        res.write(`id: ${++seq}\nevent: job\ndata: ${JSON.stringify(body)}\n\n`);
        if (FINAL.has(body.status)) finish();
      };
      const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      let unsubscribe = () => {};
      const finish = () => {
        if (closed) return;
        closed = true;
        const left = (streams.get(client) ?? 1) - 1;
        if (left > 0) streams.set(client, left);
        else streams.delete(client);
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(res);
        res.end();
      };
      request.raw.on('close', finish);
      res.write('retry: 2000\n\n');
      send(toJobBody(row, app.links));
      if (!closed) {
        unsubscribe = watcher.subscribe(row.id, (changed) => send(toJobBody(changed, app.links)));
        // The row may have moved between the read above and the subscription.
        const now = await getJob(app.store.db, row.id);
        if (now && (now.updated_at !== row.updated_at || effectiveStatus(now) !== effectiveStatus(row))) send(toJobBody(now, app.links));
      }
    },
  );
};
