import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { moduleExt } from '../../src/paths.js';
import t from 'tap';
import { enqueue, countByStatus } from '../../src/queue/index.js';
import { DIALECTS, PG_URL, pgSchema, testStore } from '../helpers/db.js';
import { openPostgres } from '../../src/db/postgres.js';

// Beside this file: claimer.ts under the TypeScript loader, claimer.js in the compiled suite.
const CLAIMER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', `claimer${moduleExt}`);

function runClaimer(target: string, node: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, CLAIMER, target, node], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as string[]) : reject(new Error(`claimer exited ${code}`))));
  });
}

for (const dialect of DIALECTS) {
  t.test(`${dialect}: processes sharing one database never claim the same job`, async (t) => {
    let store;
    let target: string;
    if (dialect === 'sqlite') {
      store = testStore(t);
      target = store.dir;
    } else {
      const schema = pgSchema(t);
      store = await openPostgres(PG_URL, { schema, max: 2 });
      t.teardown(() => store!.close());
      target = `pg:${PG_URL}#${schema}`;
    }
    const ids = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const id = randomUUID();
      ids.add(id);
      await enqueue(store.db, { id, type: 't', input: {}, maxAttempts: 3 });
    }
    const results = await Promise.all(['a', 'b', 'c'].map((n) => runClaimer(target, n)));
    const all = results.flat();
    t.equal(all.length, ids.size, 'every job claimed exactly once in total');
    t.equal(new Set(all).size, all.length, 'no job claimed twice');
    t.same(new Set(all), ids);
    t.comment(`claims per process: ${results.map((r) => r.length).join('/')}`);
    const counts = await countByStatus(store.db);
    t.equal(counts.completed, ids.size);
  });
}
