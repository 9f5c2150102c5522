import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './types.js';
import { loadPgSchema, type Migration } from './migrate.js';
import type { Store } from './connection.js';

// BIGINT columns (millisecond times, counts) come back as strings by default; every value
// here is far below 2^53, so numbers are exact and the row types stay the same as SQLite's.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** Serialises schema upgrades across nodes starting at once (any constant will do). */
const MIGRATION_LOCK = 0x70646673; // "pdfs"

/**
 * Applies the sections of schema.pg.sql above the recorded version, each in one transaction
 * under a transaction-level advisory lock, so two nodes booting together apply each section
 * exactly once.
 */
export async function migratePg(pool: pg.Pool, migrations: Migration[] = loadPgSchema()): Promise<{ from: number; to: number }> {
  const client = await pool.connect();
  try {
    await lockedDdl(client, 'CREATE TABLE IF NOT EXISTS pdf_smaller_schema (version INTEGER NOT NULL)');
    let from = -1;
    for (;;) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        const { rows } = await client.query<{ version: number }>('SELECT version FROM pdf_smaller_schema');
        const current = rows[0]?.version ?? 0;
        if (from < 0) from = current;
        if (current > migrations.length) {
          throw new Error(`database schema version ${current} is newer than this build supports (${migrations.length}); upgrade pdf-smaller`);
        }
        const next = migrations[current];
        if (!next) {
          await client.query('COMMIT');
          return { from, to: current };
        }
        await client.query(next.sql); // simple protocol: several statements at once
        if (rows.length) await client.query('UPDATE pdf_smaller_schema SET version = $1', [next.version]);
        else await client.query('INSERT INTO pdf_smaller_schema (version) VALUES ($1)', [next.version]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    }
  } finally {
    client.release();
  }
}

/**
 * One DDL statement under the migration lock. `CREATE … IF NOT EXISTS` is not safe against a
 * concurrent creation of the same name (both see it missing; the second fails on the catalog's
 * unique index), which is what nodes started together against a new database do.
 */
async function lockedDdl(client: pg.PoolClient, sql: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(sql);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/**
 * Opens the PostgreSQL store of DATABASE_URL (tables in `schema`, created if missing) and
 * upgrades it. Several nodes share it: the queue's claim uses FOR UPDATE SKIP LOCKED.
 */
export async function openPostgres(url: string, opts: { schema?: string; max?: number } = {}): Promise<Store> {
  const schema = opts.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`DATABASE_SCHEMA="${schema}" is not a valid schema name`);
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, options: `-c search_path=${schema}` });
  // An idle client can lose its connection (server restart); the pool replaces it, and the
  // error must not crash the process.
  pool.on('error', () => {});
  try {
    if (schema !== 'public') {
      const client = await pool.connect();
      try {
        await lockedDdl(client, `CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } finally {
        client.release();
      }
    }
    await migratePg(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await db.destroy(); // ends the pool
    },
  };
}
