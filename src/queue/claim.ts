import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../db/connection.js';
import type { Database } from '../db/types.js';

export interface ClaimedJob {
  id: string;
  type: string;
  input: unknown;
  /** This run's number, counting this one. */
  attempts: number;
  max_attempts: number;
  lease_token: string;
}

export interface ClaimOptions {
  limit: number;
  /** Only these job types (a dispatcher lane claims what it can run). */
  types: readonly string[];
  leaseMs: number;
  node: string;
  now?: number;
}

/**
 * Takes up to `limit` due pending jobs in ONE statement: the CTE picks them in run_at order
 * (the partial index jobs_pending_run_at holds only pending rows) and the UPDATE flips them
 * to processing with a fresh lease token, a lease expiry and attempts + 1. SQLite runs the
 * statement under its single write lock, so two processes on one file never take the same
 * row; on PostgreSQL the pick adds FOR UPDATE SKIP LOCKED for the same guarantee without
 * waiting. One token per claim is enough: every later write is guarded by (id, token), and a
 * token is never reused across claims.
 *
 * The pick is a MATERIALIZED CTE, not `WHERE id IN (SELECT … LIMIT n)`: PostgreSQL may run
 * such a subquery more than once and then updated 3 rows for LIMIT 2 in our tests.
 * Written with the sql tag rather than the query builder: building and compiling this
 * statement with the builder cost 132 µs, twice the 57 µs SQLite needs to run it, on the
 * hottest path of the queue (measured in scripts/bench-queue.ts).
 */
export async function claim(db: Kysely<Database>, opts: ClaimOptions): Promise<ClaimedJob[]> {
  if (opts.limit <= 0 || opts.types.length === 0) return [];
  const now = opts.now ?? Date.now();
  const token = randomUUID();
  const { rows } = await sql<Omit<ClaimedJob, 'lease_token' | 'input'> & { input: string }>`
    WITH picked AS MATERIALIZED (
      SELECT id AS picked_id FROM jobs
       WHERE status = 'pending' AND run_at <= ${now} AND type IN (${sql.join(opts.types)})
       ORDER BY run_at
       LIMIT ${opts.limit}
       ${isPostgres(db) ? sql`FOR UPDATE SKIP LOCKED` : sql``}
    )
    UPDATE jobs
       SET status = 'processing', lease_token = ${token}, locked_until = ${now + opts.leaseMs}, locked_by = ${opts.node},
           attempts = attempts + 1, progress_percent = 0, progress_stage = 'starting',
           started_at = coalesce(started_at, ${now}), updated_at = ${now}
      FROM picked
     WHERE id = picked.picked_id AND status = 'pending'
    RETURNING id, type, input, attempts, max_attempts`.execute(db);
  return rows.map((r) => ({ ...r, input: JSON.parse(r.input) as unknown, lease_token: token }));
}
