import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import type { Lease } from './heartbeat.js';
import { errorColumns, requeueColumns } from './transitions.js';

/**
 * Delay before run `attempt + 1`: 1 s, 2 s, 4 s … capped at 5 min, with ±20 % jitter so jobs
 * that failed together (a provider outage) do not all come back in the same millisecond.
 */
export function backoffMs(attempt: number, baseMs = 1000, random = Math.random): number {
  const exp = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 300_000);
  return Math.round(exp * (0.8 + 0.4 * random()));
}

/**
 * Puts a job that failed with a retryable error back in the queue to run after `delayMs`,
 * only if `lease` still holds it. The last error stays visible on the row meanwhile.
 */
export async function retry(
  db: Kysely<Database>,
  lease: Lease,
  error: { code: string; message: string },
  delayMs: number,
  now = Date.now(),
): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ ...requeueColumns(now, now + delayMs, 'waiting to retry'), ...errorColumns(error) })
    .where('id', '=', lease.id)
    .where('lease_token', '=', lease.token)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}
