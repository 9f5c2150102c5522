import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { finalColumns } from './transitions.js';

/**
 * Cancels a job that has not finished. Clearing the lease token is what stops a running task
 * elsewhere: its next heartbeat finds the lease gone, and its late result is refused.
 * Returns false when the job was already final (or does not exist).
 */
export async function cancel(db: Kysely<Database>, id: string, ttlMs: number, now = Date.now()): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ ...finalColumns('cancelled', now, ttlMs), error_code: null, error_message: null, progress_stage: 'cancelled' })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'processing'])
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}
