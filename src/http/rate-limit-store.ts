import { sql, type Kysely } from 'kysely';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Database } from '../db/types.js';

/**
 * RATE_LIMIT_PER_MINUTE counters in the jobs database, so every node (and every process on
 * one SQLite file) counts the same client against one limit; an in-memory limiter would give
 * N nodes N times the limit. Fixed windows: one upsert per submission, which already writes
 * its job row, so the cost is small.
 */
export function databaseRateLimitStore(db: Kysely<Database>): FastifyRateLimitStoreCtor {
  class DatabaseStore implements FastifyRateLimitStore {
    incr(key: string, done: (err: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const now = Date.now();
      const windowStart = Math.floor(now / timeWindow) * timeWindow;
      sql<{ count: number }>`
        INSERT INTO rate_limits (key, window_start, count) VALUES (${key.slice(0, 200)}, ${windowStart}, 1)
        ON CONFLICT (key) DO UPDATE
           SET count = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.count + 1 ELSE 1 END,
               window_start = excluded.window_start
        RETURNING count`
        .execute(db)
        .then(({ rows }) => done(null, { current: Number(rows[0]!.count), ttl: windowStart + timeWindow - now }), (err: Error) => done(err));
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return DatabaseStore as unknown as FastifyRateLimitStoreCtor;
}

/** Counters of windows that ended more than an hour ago (the cleanup sweep calls this). */
export async function purgeRateLimits(db: Kysely<Database>, now = Date.now()): Promise<void> {
  await db.deleteFrom('rate_limits').where('window_start', '<', now - 3_600_000).execute();
}
