import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import type { Lease } from './heartbeat.js';

/** Records how far a running job is. Only the lease holder may write it. */
export async function setProgress(db: Kysely<Database>, lease: Lease, percent: number, stage: string, now = Date.now()): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ progress_percent: Math.max(0, Math.min(100, Math.round(percent))), progress_stage: stage.slice(0, 200), updated_at: now })
    .where('id', '=', lease.id)
    .where('lease_token', '=', lease.token)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}
