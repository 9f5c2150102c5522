import t from 'tap';
import { WorkerPool } from '../../src/pool/pool.js';
import { photoPdf } from '../helpers/image-fixtures.js';
import { tempDir } from '../helpers/app.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** Lean threads (WORKER_RECYCLE_MB), with the real pool and real worker threads. */

t.test('a thread over the bound is replaced after its task; no task is lost to it', async (t) => {
  const pool = new WorkerPool({ threads: 2, maxQueue: 100, recycleBytes: 1 }); // every thread is "heavy"
  t.teardown(() => pool.destroy());
  const one = await pool.run('noop', { echo: 1 });
  const two = await pool.run('noop', { echo: 2 });
  t.not(one.thread, two.thread, 'the next task ran on a fresh thread');
  // A burst larger than the pool: each thread retires after each task, and every task still
  // lands on a live thread.
  const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => pool.run('noop', { echo: i, delayMs: 5 })));
  t.same(burst.map((r) => r.echo), Array.from({ length: 12 }, (_, i) => i));
  t.equal(new Set(burst.map((r) => r.thread)).size, 12, 'twelve tasks, twelve threads');
});

t.test('without a bound, or under it, threads are kept', async (t) => {
  const kept = new WorkerPool({ threads: 1, maxQueue: 10 });
  t.teardown(() => kept.destroy());
  const a = await kept.run('noop', {});
  const b = await kept.run('noop', {});
  t.equal(a.thread, b.thread);
  const roomy = new WorkerPool({ threads: 1, maxQueue: 10, recycleBytes: 4 * 1024 ** 3 });
  t.teardown(() => roomy.destroy());
  t.equal((await roomy.run('noop', {})).thread, (await roomy.run('noop', {})).thread);
});

t.test('a thread that loaded MuPDF for a file is replaced; one that did not is kept', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'photo.pdf');
  writeFileSync(file, photoPdf(1, [1200, 800]));
  // What a thread holds with no MuPDF in it, plus a margin: MuPDF's heap alone starts above it.
  const probe = new WorkerPool({ threads: 1, maxQueue: 10 });
  const bare = (await probe.run('noop', {})).held;
  await probe.destroy();
  const pool = new WorkerPool({ threads: 1, maxQueue: 10, recycleBytes: bare + 8 * 1024 * 1024 });
  t.teardown(() => pool.destroy());
  const first = (await pool.run('noop', {})).thread;
  t.equal((await pool.run('noop', {})).thread, first, 'kept while light');
  await pool.run('compress', { input: file, output: path.join(dir, 'out.pdf'), workDir: dir, maxPages: 10, options: { compressionLevel: 'medium', imageQuality: 80 } });
  const after = await pool.run('noop', {});
  t.not(after.thread, first, 'replaced after MuPDF grew it');
  t.ok(after.held < bare + 8 * 1024 * 1024, 'and the new thread is light again');
});
