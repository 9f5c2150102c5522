import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { errorColumns, finalColumns } from './transitions.js';
import type { Lease } from './heartbeat.js';

/** Fails a job for good, only if `lease` still holds it. Its files expire with the TTL. */
export async function fail(
  db: Kysely<Database>,
  lease: Lease,
  error: { code: string; message: string },
  ttlMs: number,
  now = Date.now(),
): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ ...finalColumns('failed', now, ttlMs), ...errorColumns(error) })
    .where('id', '=', lease.id)
    .where('lease_token', '=', lease.token)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}
