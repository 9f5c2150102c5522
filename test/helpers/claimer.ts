// A separate process claiming from a shared database file until the queue is empty.
// Used by test/queue/claim-concurrency.test.ts; prints the ids it claimed as one JSON line.
import { openSqlite } from '../../src/db/connection.js';
import { openPostgres } from '../../src/db/postgres.js';
import { claim, complete } from '../../src/queue/index.js';

// target: a folder (SQLite) or pg:<url>#<schema>
const [target, node] = process.argv.slice(2) as [string, string];
const store = target.startsWith('pg:')
  ? await openPostgres(target.slice(3).split('#')[0]!, { schema: target.split('#')[1]!, max: 2 })
  : openSqlite(target);
const mine: string[] = [];
let empty = 0;
while (empty < 20) {
  // Like the dispatcher, a claim that times out on the write lock (a loaded machine) is retried.
  const jobs = await claim(store.db, { limit: 1 + Math.floor(Math.random() * 4), types: ['t'], leaseMs: 60_000, node }).catch((err: { code?: string }) => {
    if (err.code === 'SQLITE_BUSY') return [];
    throw err;
  });
  if (jobs.length === 0) {
    empty++;
    await new Promise((r) => setTimeout(r, 2));
    continue;
  }
  empty = 0;
  for (const j of jobs) {
    mine.push(j.id);
    for (;;) {
      try {
        await complete(store.db, { id: j.id, token: j.lease_token }, { result: { node }, output: undefined, ttlMs: 60_000 });
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
      }
    }
  }
}
await store.close();
process.stdout.write(JSON.stringify(mine) + '\n');
