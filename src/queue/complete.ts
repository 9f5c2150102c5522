import { sql, type Kysely } from 'kysely';
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
 * a stale result is never written over a newer attempt. (sql tag: once per job, hot path.)
 */
export async function complete(db: Kysely<Database>, lease: Lease, c: Completion, now = Date.now()): Promise<boolean> {
  const res = await sql`
    UPDATE jobs
       SET status = 'completed', result = ${JSON.stringify(c.result ?? {})},
           output = ${c.output === undefined ? null : JSON.stringify(c.output)},
           error_code = NULL, error_message = NULL, progress_percent = 100, progress_stage = 'done',
           lease_token = NULL, locked_until = NULL, finished_at = ${now}, updated_at = ${now}, expires_at = ${now + c.ttlMs},
           webhook_status = CASE WHEN webhook_url IS NULL THEN NULL ELSE 'pending' END
     WHERE id = ${lease.id} AND lease_token = ${lease.token} AND status = 'processing'`.execute(db);
  return Number(res.numAffectedRows ?? 0n) > 0;
}
