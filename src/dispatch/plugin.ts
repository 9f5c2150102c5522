import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { Dispatcher } from './dispatcher.js';
import type { Handlers } from '../jobs/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    dispatcher: Dispatcher;
  }
}

/**
 * Runs queued jobs on this node. Closed before the pool and the database: on shutdown it
 * stops claiming, lets running jobs finish for SHUTDOWN_GRACE_S, and hands back the rest.
 */
export const dispatcherPlugin = fp<{ config: Config; handlers: Handlers; start: boolean }>(
  async (app, { config, handlers, start }) => {
    const dispatcher = new Dispatcher({
      db: app.store.db,
      storage: app.storage,
      pool: app.pools.jobs,
      handlers,
      links: app.links,
      log: app.log.child({ component: 'dispatcher' }),
      leaseMs: config.jobLeaseMs,
      timeoutMs: config.jobTimeoutMs,
      ttlMs: config.jobTtlMs,
    });
    app.decorate('dispatcher', dispatcher);
    if (start) app.addHook('onReady', async () => dispatcher.start());
    // Drain from preClose, in parallel with Fastify closing HTTP (which waits for in-flight
    // requests), rather than after it: the grace period is spent once, not twice.
    let stopping: Promise<void> | undefined;
    app.addHook('preClose', async () => {
      stopping = dispatcher.stop(config.shutdownGraceMs);
    });
    app.addHook('onClose', async () => {
      await (stopping ?? dispatcher.stop(config.shutdownGraceMs));
    });
  },
  { name: 'dispatcher', dependencies: ['db', 'storage', 'pool'] },
);
