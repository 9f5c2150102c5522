import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import type { Lease } from './heartbeat.js';

/**
 * Hands a running job back at shutdown: pending again, runnable at once, and this run not
 * counted against max_attempts (stopping the server is not the job's fault).
 */
export async function release(db: Kysely<Database>, lease: Lease, now = Date.now()): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({
      status: 'pending',
      attempts: sql`attempts - 1`, // a processing job has attempts >= 1
      run_at: now,
      progress_percent: 0,
      progress_stage: 'queued (server restarted)',
      lease_token: null,
      locked_until: null,
      locked_by: null,
      updated_at: now,
    })
    .where('id', '=', lease.id)
    .where('lease_token', '=', lease.token)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}
