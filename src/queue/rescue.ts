import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { WEBHOOK_DUE } from './webhook-due.js';

export interface RescueOutcome {
  requeued: string[];
  failed: string[];
}

/**
 * Recovers jobs whose holder stopped renewing its lease (the process was killed, the machine
 * died): they become pending again, or fail with JOB_INTERRUPTED once they have used all
 * their attempts, so a file that crashes the worker every time cannot loop forever.
 * Any node may run this; the status + locked_until condition makes a double rescue a no-op.
 */
export async function rescue(db: Kysely<Database>, ttlMs: number, now = Date.now()): Promise<RescueOutcome> {
  const failed = await db
    .updateTable('jobs')
    .set({
      status: 'failed',
      error_code: 'JOB_INTERRUPTED',
      error_message: 'The job was interrupted too many times (the server stopped while it ran) and was not retried again.',
      lease_token: null,
      locked_until: null,
      finished_at: now,
      updated_at: now,
      expires_at: now + ttlMs,
      webhook_status: WEBHOOK_DUE,
    })
    .where('status', '=', 'processing')
    .where('locked_until', '<', now)
    .whereRef('attempts', '>=', 'max_attempts')
    .returning('id')
    .execute();
  const requeued = await db
    .updateTable('jobs')
    .set({
      status: 'pending',
      run_at: now,
      progress_percent: 0,
      progress_stage: 'queued (previous run was interrupted)',
      lease_token: null,
      locked_until: null,
      locked_by: null,
      updated_at: now,
    })
    .where('status', '=', 'processing')
    .where('locked_until', '<', now)
    .returning('id')
    .execute();
  return { requeued: requeued.map((r) => r.id), failed: failed.map((r) => r.id) };
}
