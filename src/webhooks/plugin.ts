import fp from 'fastify-plugin';
import type { FinishedEvent } from '../dispatch/dispatcher.js';
import { enqueue, markWebhookQueued, pendingWebhooks } from '../queue/index.js';
import { WEBHOOK_TRIES } from '../jobs/webhook.js';
import { uuidFromHash } from '../storage/layout.js';

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: { flush(): Promise<void> };
  }
}

/** The delivery job's id, derived from the job it reports: enqueuing twice is a no-op. */
export function webhookJobId(jobId: string): string {
  return uuidFromHash(`webhook:${jobId}`);
}

/**
 * Hands due webhooks (webhook_status 'pending', set atomically with the final status) to the
 * queue as `webhook` jobs: at once when this process finishes a job, and every few seconds
 * for the rest (jobs finished by another node, cancelled, rescued, or left by a crash).
 * Enqueue comes before the 'queued' mark and is idempotent, so a crash between the two only
 * repeats a no-op.
 */
export const webhooksPlugin = fp(
  async (app) => {
    let running: Promise<void> | undefined;
    const flush = (): Promise<void> =>
      (running ??= (async () => {
        try {
          const ids = await pendingWebhooks(app.store.db);
          for (const id of ids) {
            await enqueue(app.store.db, { id: webhookJobId(id), type: 'webhook', input: { job_id: id }, maxAttempts: WEBHOOK_TRIES });
            await markWebhookQueued(app.store.db, id);
          }
          if (ids.length) app.dispatcher.wake('webhook');
        } catch (err) {
          app.log.error({ err }, 'webhooks: could not queue deliveries');
        } finally {
          running = undefined;
        }
      })());
    app.dispatcher.on('finished', (e: FinishedEvent) => {
      if (e.status === 'completed' || e.status === 'failed') void flush();
    });
    const timer = setInterval(() => void flush(), 5000).unref();
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await running;
    });
    app.decorate('webhooks', { flush });
  },
  { name: 'webhooks', dependencies: ['db', 'dispatcher'] },
);
