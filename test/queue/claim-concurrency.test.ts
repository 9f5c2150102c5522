import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { enqueue, countByStatus } from '../../src/queue/index.js';
import { testStore } from '../helpers/db.js';

const CLAIMER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'claimer.ts');

function runClaimer(dir: string, node: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, CLAIMER, dir, node], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as string[]) : reject(new Error(`claimer exited ${code}`))));
  });
}

t.test('processes sharing one database file never claim the same job', async (t) => {
  const store = testStore(t);
  const ids = new Set<string>();
  for (let i = 0; i < 600; i++) {
    const id = randomUUID();
    ids.add(id);
    await enqueue(store.db, { id, type: 't', input: {}, maxAttempts: 3 });
  }
  const results = await Promise.all(['a', 'b', 'c'].map((n) => runClaimer(store.dir, n)));
  const all = results.flat();
  t.equal(all.length, ids.size, 'every job claimed exactly once in total');
  t.equal(new Set(all).size, all.length, 'no job claimed twice');
  t.same(new Set(all), ids);
  t.ok(results.filter((r) => r.length > 0).length >= 2, `the work was shared (${results.map((r) => r.length).join('/')})`);
  const counts = await countByStatus(store.db);
  t.equal(counts.completed, ids.size);
});
