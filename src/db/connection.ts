import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresAdapter, SqliteDialect } from 'kysely';
import type { Database } from './types.js';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { migrate } from './migrate.js';

/** Which SQL dialect a kysely instance speaks (the queue adds FOR UPDATE SKIP LOCKED on PostgreSQL). */
export function isPostgres(db: Kysely<Database>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export interface Store {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  /** A cheap round trip, for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const SQLITE_FILE = 'pdf-smaller.db';

/**
 * Opens (creating if needed) the SQLite database in dataDir and upgrades its schema.
 * WAL lets status polls read while the dispatcher writes; synchronous=NORMAL is durable
 * across process crashes in WAL mode (only an OS crash can lose the last commits);
 * busy_timeout makes a second process on the same file wait for the write lock instead
 * of failing with SQLITE_BUSY.
 */
export function openSqlite(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const sqlite = new BetterSqlite3(path.join(dataDir, SQLITE_FILE));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  migrate(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    async ping() {
      sqlite.prepare('SELECT 1').get();
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * kysely's SQLite driver prepares every statement anew; preparing was ~10 % of the main
 * thread's time in the queue benchmark. The queue runs a handful of distinct statements, so
 * a small LRU of prepared statements keyed by SQL text removes that cost. (A better-sqlite3
 * statement is safe to reuse here: kysely never iterates two results of one statement at once.)
 */
function withStatementCache(sqlite: BetterSqlite3.Database, max = 256): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql); // re-insert: Map order is recency order
      } else {
        stmt = sqlite.prepare(sql) as unknown as SqliteStatement;
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}
