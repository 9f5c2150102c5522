import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import type { Test } from 'tap';
import { openSqlite, type Store } from '../../src/db/connection.js';
import { openPostgres } from '../../src/db/postgres.js';
import { tempDir } from './app.js';

/** PostgreSQL of this machine (and of CI): trust auth, database `test`. */
export const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A real SQLite file in a temp folder, closed when the test ends. */
export function testStore(t: Test, dir = tempDir(t)): Store & { dir: string } {
  const store = openSqlite(path.join(dir));
  t.teardown(() => store.close());
  return Object.assign(store, { dir });
}

/** A fresh PostgreSQL schema, dropped when the test ends. */
export function pgSchema(t: Test): string {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
  return schema;
}

export async function testPgStore(t: Test): Promise<Store> {
  const store = await openPostgres(PG_URL, { schema: pgSchema(t), max: 4 });
  t.teardown(() => store.close()); // runs before the schema drop (teardowns run in reverse)
  return store;
}

export type Dialect = 'sqlite' | 'postgres';
export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

export async function storeFor(t: Test, dialect: Dialect): Promise<Store> {
  return dialect === 'sqlite' ? testStore(t) : testPgStore(t);
}
