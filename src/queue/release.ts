import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import type { Lease } from './heartbeat.js';
import { requeueColumns } from './transitions.js';

/**
 * Hands a running job back at shutdown: pending again, runnable at once, and this run not
 * counted against max_attempts (stopping the server is not the job's fault).
 */
export async function release(db: Kysely<Database>, lease: Lease, now = Date.now()): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({
      ...requeueColumns(now, now, 'queued (server restarted)'),
      attempts: sql`attempts - 1`, // a processing job has attempts >= 1
      progress_percent: 0,
    })
    .where('id', '=', lease.id)
    .where('lease_token', '=', lease.token)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}
