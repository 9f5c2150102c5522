import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { WorkerPool } from './pool.js';

declare module 'fastify' {
  interface FastifyInstance {
    pools: {
      /** WORKER_THREADS threads for jobs; the dispatcher fills it. */
      jobs: WorkerPool;
      /**
       * One on-demand thread for the checks a request waits on (does the upload open in
       * MuPDF?), so a submission is answered in milliseconds even while every job thread
       * is busy with a 1,000-page file.
       */
      probe: WorkerPool;
    };
  }
}

export const poolPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    // Jobs may fan out (one task per page or per file); those tasks wait in the pool's queue.
    const jobs = new WorkerPool({ threads: config.workerThreads, maxQueue: 10_000, recycleBytes: config.workerRecycleBytes });
    const probe = new WorkerPool({ threads: 1, minThreads: 0, maxQueue: 64, idleTimeoutMs: 30_000 });
    app.decorate('pools', { jobs, probe });
    app.addHook('onClose', async () => {
      await Promise.all([jobs.destroy(), probe.destroy()]);
    });
  },
  { name: 'pool', dependencies: ['db'] },
);
