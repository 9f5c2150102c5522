import type { Config } from '../config.js';
import type { JobHandler } from './types.js';
import { toJobBody } from '../http/job-view.js';
import { TaskFailure } from '../errors.js';
import { getJob, recordWebhookAttempt } from '../queue/index.js';
import { version } from '../version.js';
import { deliver } from '../webhooks/deliver.js';

export const WEBHOOK_TRIES = 3;

/**
 * Delivers one job's webhook: POSTs its final JSON (as GET /api/jobs/:id shows it, plus
 * `event`) signed with WEBHOOK_SECRET. Runs as a queued `webhook` job on the io lane, so a
 * failed try is retried by the queue (leases, backoff, crash recovery included); each try
 * is recorded on the job it reports (webhook_status, webhook_attempts, webhook_error).
 */
export function webhookHandler(config: Config): JobHandler {
  return {
    lane: 'io',
    async run(ctx) {
      const { job_id } = ctx.job.input as { job_id: string };
      const row = await getJob(ctx.db, job_id);
      if (!row?.webhook_url) return { result: { job_id, skipped: 'the job or its webhook no longer exists' } };
      // The delivery's own state is left out, so every try sends the same bytes (and the
      // same signature): a receiver can deduplicate on them.
      // Links are anchored at the job's end, not at this try, for the same reason.
      const { webhook: _delivery, ...job } = toJobBody(row, ctx.links, row.finished_at ?? row.updated_at);
      const body = JSON.stringify({ event: `job.${job.status}`, ...job });
      let status = 0;
      let error: string | undefined;
      try {
        status = await deliver({
          id: `msg_${row.id}`,
          url: row.webhook_url,
          body,
          headers: {
            'user-agent': `pdf-smaller/${version}`,
            'x-webhook-event': `job.${job.status}`,
            'x-job-id': row.id,
            'x-webhook-attempt': String(ctx.job.attempts),
          },
          secret: config.webhookSecret,
          allowPrivate: config.webhookAllowPrivate,
          timeoutMs: 10_000,
          signal: ctx.signal,
        });
        if (status < 200 || status >= 300) error = `the receiver answered ${status}`;
      } catch (err) {
        error = (err as Error).message;
      }
      if (!error) {
        await recordWebhookAttempt(ctx.db, row.id, { status: 'delivered' });
        return { result: { job_id: row.id, delivered: true, status_code: status, attempt: ctx.job.attempts } };
      }
      const last = ctx.job.attempts >= ctx.job.max_attempts;
      await recordWebhookAttempt(ctx.db, row.id, { status: last ? 'failed' : 'queued', error });
      // 5 s, then 20 s (WEBHOOK_RETRY_S): a receiver restarting gets time to come back.
      const wait = config.webhookRetryMs * 4 ** (ctx.job.attempts - 1);
      throw new TaskFailure('WEBHOOK_FAILED', `Webhook delivery failed: ${error}`, true, wait);
    },
  };
}
