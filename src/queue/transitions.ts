import { sql } from 'kysely';

/**
 * The columns shared by the statements that move a job between states, so each transition
 * (complete.ts, fail.ts, cancel.ts, retry.ts, release.ts, rescue.ts) states only what is its
 * own. Every one of them drops the lease: that is what stops a holder that is still running.
 */

/**
 * The webhook_status a job gets in the same statement that makes it final: 'pending' when it
 * has a webhook_url, so the delivery is recorded atomically with the outcome it reports.
 */
export const WEBHOOK_DUE = sql<'pending' | null>`CASE WHEN webhook_url IS NULL THEN NULL ELSE 'pending' END`;

/** A final status: the lease dropped, the finish time and the TTL set, the webhook due. */
export function finalColumns(status: 'failed' | 'cancelled', now: number, ttlMs: number) {
  return {
    status,
    lease_token: null,
    locked_until: null,
    finished_at: now,
    updated_at: now,
    expires_at: now + ttlMs,
    webhook_status: WEBHOOK_DUE,
  };
}

/** Back to the queue: pending, claimable from `runAt`, the lease and its holder dropped. */
export function requeueColumns(now: number, runAt: number, stage: string) {
  return {
    status: 'pending' as const,
    run_at: runAt,
    progress_stage: stage,
    lease_token: null,
    locked_until: null,
    locked_by: null,
    updated_at: now,
  };
}

/** A coded error as a row stores it (the message bounded). */
export function errorColumns(error: { code: string; message: string }) {
  return { error_code: error.code, error_message: error.message.slice(0, 2000) };
}
