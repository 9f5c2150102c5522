import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import { WEBHOOK_DUE } from './webhook-due.js';
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
    .set({
      status: 'failed',
      error_code: error.code,
      error_message: error.message.slice(0, 2000),
      lease_token: null,
      locked_until: null,
      finished_at: now,
      updated_at: now,
      expires_at: now + ttlMs,
      webhook_status: WEBHOOK_DUE,
    })
    .where('id', '=', lease.id)
    .where('lease_token', '=', lease.token)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}
