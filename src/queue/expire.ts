import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';

/**
 * Marks finished jobs past their TTL as expired and returns their ids so their files can be
 * deleted. The row stays (a poll answers "expired", a download 410) rather than vanishing
 * into a 404 that a client cannot tell from a typo. With `id`, expires that one job now
 * (a client deleting its finished job's files).
 */
export async function expire(db: Kysely<Database>, opts: { now?: number; id?: string } = {}): Promise<string[]> {
  const now = opts.now ?? Date.now();
  let q = db
    .updateTable('jobs')
    .set({ status: 'expired', expires_at: now, updated_at: now })
    .where('status', 'in', ['completed', 'failed', 'cancelled']);
  q = opts.id === undefined ? q.where('expires_at', '<=', now) : q.where('id', '=', opts.id);
  const rows = await q.returning('id').execute();
  return rows.map((r) => r.id);
}
