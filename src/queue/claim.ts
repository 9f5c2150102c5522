import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
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
 * Takes up to `limit` due pending jobs in ONE statement: the subquery picks them in run_at
 * order and the UPDATE flips them to processing with a fresh lease token, a lease expiry and
 * attempts + 1. SQLite runs the statement under its single write lock, so two processes on
 * one file can never take the same row; on PostgreSQL the subquery adds FOR UPDATE SKIP
 * LOCKED for the same guarantee without waiting. One token per claim is enough: the guard
 * everywhere is (id, token), and a token is never reused across claims.
 */
export async function claim(db: Kysely<Database>, opts: ClaimOptions): Promise<ClaimedJob[]> {
  if (opts.limit <= 0 || opts.types.length === 0) return [];
  const now = opts.now ?? Date.now();
  const token = randomUUID();
  const rows = await db
    .updateTable('jobs')
    .set({
      status: 'processing',
      lease_token: token,
      locked_until: now + opts.leaseMs,
      locked_by: opts.node,
      attempts: sql`attempts + 1`,
      progress_percent: 0,
      progress_stage: 'starting',
      started_at: sql`coalesce(started_at, ${now})`,
      updated_at: now,
    })
    .where('id', 'in', (qb) =>
      qb
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'pending')
        .where('run_at', '<=', now)
        .where('type', 'in', opts.types)
        .orderBy('run_at')
        .limit(opts.limit),
    )
    .where('status', '=', 'pending')
    .returning(['id', 'type', 'input', 'attempts', 'max_attempts'])
    .execute();
  return rows.map((r) => ({ ...r, input: JSON.parse(r.input) as unknown, lease_token: token }));
}
