import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import type { Lease } from './heartbeat.js';

export interface Completion {
  result: unknown;
  /** Internal description of the result files (never shown to clients). */
  output: unknown;
  ttlMs: number;
}

/**
 * Marks a job completed, only if `lease` still holds it. A holder whose lease was taken over
 * (it stalled, the job was rescued and ran again) gets false and must throw its work away:
 * a stale result is never written over a newer attempt.
 */
export async function complete(db: Kysely<Database>, lease: Lease, c: Completion, now = Date.now()): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({
      status: 'completed',
      result: JSON.stringify(c.result ?? {}),
      output: c.output === undefined ? null : JSON.stringify(c.output),
      error_code: null,
      error_message: null,
      progress_percent: 100,
      progress_stage: 'done',
      lease_token: null,
      locked_until: null,
      finished_at: now,
      updated_at: now,
      expires_at: now + c.ttlMs,
    })
    .where('id', '=', lease.id)
    .where('lease_token', '=', lease.token)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}
