import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import t from 'tap';
import * as q from '../../src/queue/index.js';
import { sweep } from '../../src/storage/cleanup.js';
import { Storage } from '../../src/storage/layout.js';
import { tempDir } from '../helpers/app.js';
import { testStore } from '../helpers/db.js';

async function touchDir(dir: string, ageMs: number, now: number) {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'f'), 'x');
  const when = new Date(now - ageMs);
  await utimes(path.join(dir, 'f'), when, when);
  await utimes(dir, when, when);
}

t.test('the sweep keeps what jobs need and removes everything else', async (t) => {
  const dir = tempDir(t);
  const { db } = testStore(t, dir);
  const storage = new Storage(path.join(dir, 'uploads'));
  await storage.init();
  const now = Date.now();
  const HOUR = 3_600_000;

  const pending = randomUUID();
  await q.enqueue(db, { id: pending, type: 't', input: {}, maxAttempts: 3 });
  await touchDir(storage.inputDir(pending), 5 * HOUR, now);

  const running = randomUUID();
  await q.enqueue(db, { id: running, type: 'r', input: {}, maxAttempts: 3 });
  const [claimed] = await q.claim(db, { limit: 1, types: ['r'], leaseMs: HOUR, node: 'n' });
  await touchDir(storage.inputDir(running), HOUR, now);
  await touchDir(storage.workDir(running, claimed!.lease_token), HOUR, now);
  const abandonedRun = randomUUID();
  await touchDir(storage.workDir(running, abandonedRun), HOUR, now);

  const done = randomUUID();
  await q.enqueue(db, { id: done, type: 'd', input: {}, maxAttempts: 3 });
  const [d] = await q.claim(db, { limit: 1, types: ['d'], leaseMs: HOUR, node: 'n' });
  const staleRun = randomUUID();
  await q.complete(db, { id: done, token: d!.lease_token }, { result: {}, output: { lease: d!.lease_token, files: [] }, ttlMs: HOUR });
  await touchDir(storage.resultDir(done, d!.lease_token), HOUR, now);
  await touchDir(storage.resultDir(done, staleRun), HOUR, now);
  await touchDir(storage.inputDir(done), 0, now); // inputs of a completed job are not needed

  const orphanOld = randomUUID();
  await touchDir(storage.inputDir(orphanOld), HOUR, now);
  const orphanYoung = randomUUID(); // just renamed in, its row not inserted yet
  await touchDir(storage.inputDir(orphanYoung), 1000, now);
  await touchDir(path.join(storage.resultsRoot, randomUUID()), HOUR, now);
  await touchDir(path.join(storage.stagingRoot, randomUUID()), 2 * HOUR, now);
  const uploading = path.join(storage.stagingRoot, randomUUID());
  await touchDir(uploading, 1000, now);

  const report = await sweep(db, storage, now);
  t.ok(existsSync(storage.inputDir(pending)), 'pending inputs kept however old');
  t.ok(existsSync(storage.inputDir(running)), 'running inputs kept');
  t.ok(existsSync(storage.workDir(running, claimed!.lease_token)), 'current run scratch kept');
  t.notOk(existsSync(storage.workDir(running, abandonedRun)), 'abandoned run scratch removed');
  t.ok(existsSync(storage.resultDir(done, d!.lease_token)), 'completed result kept');
  t.notOk(existsSync(storage.resultDir(done, staleRun)), 'stale run result removed');
  t.notOk(existsSync(storage.inputDir(done)), 'inputs of a finished job removed');
  t.notOk(existsSync(storage.inputDir(orphanOld)), 'old orphan removed');
  t.ok(existsSync(storage.inputDir(orphanYoung)), 'young orphan kept (its row may be on its way)');
  t.ok(existsSync(uploading), 'an upload still arriving is kept');
  t.equal(report.removed.length, 6, report.removed.join(', '));

  const expired = await sweep(db, storage, now + 2 * HOUR);
  t.equal(expired.expired, 1);
  t.notOk(existsSync(storage.resultDir(done)), 'expired results removed');
});
