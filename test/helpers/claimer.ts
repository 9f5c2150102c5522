// A separate process claiming from a shared database file until the queue is empty.
// Used by test/queue/claim-concurrency.test.ts; prints the ids it claimed as one JSON line.
import { openSqlite } from '../../src/db/connection.js';
import { claim, complete } from '../../src/queue/index.js';

const [dir, node] = process.argv.slice(2) as [string, string];
const store = openSqlite(dir);
const mine: string[] = [];
let empty = 0;
while (empty < 20) {
  const jobs = await claim(store.db, { limit: 1 + Math.floor(Math.random() * 4), types: ['t'], leaseMs: 60_000, node });
  if (jobs.length === 0) {
    empty++;
    await new Promise((r) => setTimeout(r, 2));
    continue;
  }
  empty = 0;
  for (const j of jobs) {
    mine.push(j.id);
    await complete(store.db, { id: j.id, token: j.lease_token }, { result: { node }, output: undefined, ttlMs: 60_000 });
  }
}
await store.close();
process.stdout.write(JSON.stringify(mine) + '\n');
