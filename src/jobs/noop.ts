import type { JobHandler } from './types.js';

/**
 * Runs the pool's no-op task with the job's input as payload: for the queue benchmark and for
 * tests of timeouts, retries and crashes. Not registered in defaultHandlers.
 */
export const noopHandler: JobHandler = {
  lane: 'cpu',
  async run(ctx) {
    const result = await ctx.pool.run('noop', (ctx.job.input ?? {}) as object, { signal: ctx.signal, onProgress: ctx.progress });
    return { result };
  },
};
