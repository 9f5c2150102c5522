import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/types.js';

export interface NewJob {
  id: string;
  type: string;
  input: unknown;
  maxAttempts: number;
  /** POSTed the final job JSON (validated by the route before it gets here). */
  webhookUrl?: string;
  /** The submitting key's id (null or absent without API_KEYS): only it (and admin keys) can see the job. */
  owner?: string | null;
  /** What MAX_PENDING_PER_CLIENT counts the job against (the owner, or a hashed client IP). */
  client?: string | null;
}

/**
 * Adds a pending job. The id is the primary key, so a resubmission with the same id
 * (a client retrying after a lost response) inserts nothing: `created` says which happened.
 * (sql tag, not the builder: this runs once per submission; see claim.ts for the numbers.)
 */
export async function enqueue(db: Kysely<Database>, job: NewJob, now = Date.now()): Promise<{ created: boolean }> {
  const res = await sql`
    INSERT INTO jobs (id, type, input, max_attempts, run_at, created_at, updated_at, webhook_url, owner, client)
    VALUES (${job.id}, ${job.type}, ${JSON.stringify(job.input ?? {})}, ${job.maxAttempts}, ${now}, ${now}, ${now}, ${job.webhookUrl ?? null},
            ${job.owner ?? null}, ${job.client ?? null})
    ON CONFLICT (id) DO NOTHING`.execute(db);
  return { created: Number(res.numAffectedRows ?? 0n) > 0 };
}
