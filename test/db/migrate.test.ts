import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import t from 'tap';
import { openSqlite, SQLITE_FILE } from '../../src/db/connection.js';
import { loadPgSchema, loadSchema, migrate, parseSchema } from '../../src/db/migrate.js';
import { openPostgres } from '../../src/db/postgres.js';
import { tempDir } from '../helpers/app.js';
import { PG_URL, pgSchema } from '../helpers/db.js';
import { sql } from 'kysely';

t.test('a new database gets the whole schema, WAL and the pragmas', async (t) => {
  const dir = tempDir(t);
  const store = openSqlite(dir);
  await store.close();
  const db = new BetterSqlite3(path.join(dir, SQLITE_FILE));
  t.teardown(() => db.close());
  t.equal(db.pragma('user_version', { simple: true }), loadSchema().length);
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  t.ok(tables.some((r) => r.name === 'jobs'));
});

t.test('reopening is a no-op; a later schema version upgrades in place, keeping rows', async (t) => {
  const dir = tempDir(t);
  await openSqlite(dir).close();
  await openSqlite(dir).close();
  const db = new BetterSqlite3(path.join(dir, SQLITE_FILE));
  t.teardown(() => db.close());
  db.prepare("INSERT INTO jobs (id, type, run_at, created_at, updated_at) VALUES ('x', 't', 0, 0, 0)").run();
  const v1 = loadSchema();
  const next = parseSchema(
    [...v1.map((m) => `-- version: ${m.version}\n${m.sql}`), `-- version: ${v1.length + 1}\nALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;`].join('\n'),
  );
  t.same(migrate(db, next), { from: v1.length, to: v1.length + 1 });
  t.same(db.prepare("SELECT id, priority FROM jobs").all(), [{ id: 'x', priority: 0 }], 'existing rows kept, new column filled');
  t.same(migrate(db, next), { from: v1.length + 1, to: v1.length + 1 }, 'idempotent');
});

t.test('a failing section rolls back entirely; a database newer than the code is refused', async (t) => {
  const db = new BetterSqlite3(':memory:');
  t.teardown(() => db.close());
  const bad = parseSchema('-- version: 1\nCREATE TABLE a (x);\n-- version: 2\nCREATE TABLE b (y); THIS IS NOT SQL;');
  t.throws(() => migrate(db, bad));
  t.equal(db.pragma('user_version', { simple: true }), 1, 'stopped at the last good version');
  t.notOk(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'b'").get(), 'half a section is never applied');
  db.pragma('user_version = 99');
  t.throws(() => migrate(db, loadSchema()), /newer than this build/);
  t.throws(() => parseSchema('-- version: 2\nSELECT 1;'), /expected version 1/);
});

t.test('PostgreSQL: nodes opening a new schema at the same moment all start, and the schema is made once', async (t) => {
  const schema = pgSchema(t);
  // Eight at once: before the lock, two or more raced on CREATE SCHEMA / CREATE TABLE IF NOT
  // EXISTS and one failed on the catalog's unique index (seen when several nodes boot together).
  const settled = await Promise.allSettled(Array.from({ length: 8 }, () => openPostgres(PG_URL, { schema, max: 1 })));
  const stores = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  t.teardown(() => Promise.all(stores.map((s) => s.close())));
  t.same(settled.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), [], 'none failed');
  const { rows } = await sql`SELECT count(*)::int AS n, max(version) AS v FROM pdf_smaller_schema`.execute(stores[0]!.db);
  t.same(rows, [{ n: 1, v: loadPgSchema().length }], 'one version row, at the latest version');
});
