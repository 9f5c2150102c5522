import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';

export interface NewJob {
  id: string;
  type: string;
  input: unknown;
  maxAttempts: number;
}

/**
 * Adds a pending job. The id is the primary key, so a resubmission with the same id
 * (a client retrying after a lost response) inserts nothing: `created` says which happened.
 */
export async function enqueue(db: Kysely<Database>, job: NewJob, now = Date.now()): Promise<{ created: boolean }> {
  const res = await db
    .insertInto('jobs')
    .values({
      id: job.id,
      type: job.type,
      input: JSON.stringify(job.input ?? {}),
      max_attempts: job.maxAttempts,
      run_at: now,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return { created: Number(res.numInsertedOrUpdatedRows ?? 0n) > 0 };
}
