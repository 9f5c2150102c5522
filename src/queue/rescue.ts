import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { errorColumns, finalColumns, requeueColumns } from './transitions.js';

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
      ...finalColumns('failed', now, ttlMs),
      ...errorColumns({ code: 'JOB_INTERRUPTED', message: 'The job was interrupted too many times (the server stopped while it ran) and was not retried again.' }),
    })
    .where('status', '=', 'processing')
    .where('locked_until', '<', now)
    .whereRef('attempts', '>=', 'max_attempts')
    .returning('id')
    .execute();
  const requeued = await db
    .updateTable('jobs')
    .set({ ...requeueColumns(now, now, 'queued (previous run was interrupted)'), progress_percent: 0 })
    .where('status', '=', 'processing')
    .where('locked_until', '<', now)
    .returning('id')
    .execute();
  return { requeued: requeued.map((r) => r.id), failed: failed.map((r) => r.id) };
}
