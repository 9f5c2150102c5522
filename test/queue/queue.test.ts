import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import * as q from '../../src/queue/index.js';
import { DIALECTS, storeFor } from '../helpers/db.js';

const LEASE = 30_000;
const TTL = 3_600_000;
const claimOne = async (db: Parameters<typeof q.claim>[0], now?: number) =>
  (await q.claim(db, { limit: 1, types: ['t'], leaseMs: LEASE, node: 'test', ...(now === undefined ? {} : { now }) }))[0];

// Every queue operation, against SQLite and PostgreSQL: the dialect is the only difference.
for (const dialect of DIALECTS) {
t.test(dialect, async (suite: Test) => {
  suite.test('enqueue is idempotent on the id', async (t) => {
    const { db } = await storeFor(t, dialect);
    const id = randomUUID();
    t.same(await q.enqueue(db, { id, type: 't', input: { a: 1 }, maxAttempts: 3 }), { created: true });
    t.same(await q.enqueue(db, { id, type: 't', input: { a: 2 }, maxAttempts: 3 }), { created: false });
    const row = await q.getJob(db, id);
    t.equal(row?.input, '{"a":1}', 'the first submission wins');
    t.equal(row?.status, 'pending');
  });

  suite.test('claim takes due jobs in order, sets a lease and counts the attempt', async (t) => {
    const { db } = await storeFor(t, dialect);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const [i, id] of ids.entries()) await q.enqueue(db, { id, type: 't', input: { i }, maxAttempts: 3 }, 1000 + i);
    await q.enqueue(db, { id: randomUUID(), type: 'other', input: {}, maxAttempts: 3 }, 1);
    const now = 5000;
    const jobs = await q.claim(db, { limit: 2, types: ['t'], leaseMs: LEASE, node: 'n1', now });
    t.same(jobs.map((j) => j.id).sort(), ids.slice(0, 2).sort(), 'oldest two of the claimed type');
    for (const j of jobs) {
      t.equal(j.attempts, 1);
      t.match(j.lease_token, /^[0-9a-f-]{36}$/);
      const row = await q.getJob(db, j.id);
      t.equal(row?.status, 'processing');
      t.equal(row?.locked_until, now + LEASE);
      t.equal(row?.locked_by, 'n1');
    }
    t.same(await q.claim(db, { limit: 5, types: ['t'], leaseMs: LEASE, node: 'n1', now }).then((j) => j.map((x) => x.id)), [ids[2]]);
    t.same(await q.claim(db, { limit: 5, types: ['t'], leaseMs: LEASE, node: 'n1', now }), [], 'nothing left');
    t.same(await q.claim(db, { limit: 0, types: ['t'], leaseMs: LEASE, node: 'n1' }), [], 'limit 0 claims nothing');
  });

  suite.test('only the current lease holder can finish a job', async (t) => {
    const { db } = await storeFor(t, dialect);
    const id = randomUUID();
    await q.enqueue(db, { id, type: 't', input: {}, maxAttempts: 3 }, 0);
    const first = (await claimOne(db, 1000))!;
    // The first holder stalls past its lease; the job is rescued and claimed again.
    const rescued = await q.rescue(db, TTL, 1000 + LEASE + 1);
    t.same(rescued.requeued, [id]);
    const second = (await claimOne(db, 1000 + LEASE + 2))!;
    t.not(second.lease_token, first.lease_token);
    t.equal(second.attempts, 2);

    const stale = { id, token: first.lease_token };
    const current = { id, token: second.lease_token };
    t.equal(await q.complete(db, stale, { result: { who: 'stale' }, output: undefined, ttlMs: TTL }), false, 'stale complete refused');
    t.equal(await q.fail(db, stale, { code: 'X', message: 'x' }, TTL), false, 'stale fail refused');
    t.equal(await q.retry(db, stale, { code: 'X', message: 'x' }, 0), false, 'stale retry refused');
    t.equal(await q.release(db, stale), false, 'stale release refused');
    t.equal(await q.setProgress(db, stale, 50, 'x'), false, 'stale progress refused');
    t.same(await q.heartbeat(db, [stale], LEASE), new Set(), 'stale heartbeat holds nothing');
    t.equal((await q.getJob(db, id))?.status, 'processing');

    t.equal(await q.complete(db, current, { result: { who: 'current' }, output: { f: 1 }, ttlMs: TTL }, 9000), true);
    const row = (await q.getJob(db, id))!;
    t.equal(row.status, 'completed');
    t.equal(row.result, '{"who":"current"}');
    t.equal(row.lease_token, null);
    t.equal(row.expires_at, 9000 + TTL);
    t.equal(await q.complete(db, current, { result: {}, output: undefined, ttlMs: TTL }), false, 'a job completes once');
  });

  suite.test('rescue requeues expired leases and fails jobs out of attempts', async (t) => {
    const { db } = await storeFor(t, dialect);
    const a = randomUUID();
    const b = randomUUID();
    await q.enqueue(db, { id: a, type: 't', input: {}, maxAttempts: 3 }, 0);
    await q.enqueue(db, { id: b, type: 't', input: {}, maxAttempts: 1 }, 1);
    await q.claim(db, { limit: 2, types: ['t'], leaseMs: LEASE, node: 'dead', now: 1000 });
    t.same(await q.rescue(db, TTL, 1000 + LEASE - 1), { requeued: [], failed: [] }, 'live leases are left alone');
    const out = await q.rescue(db, TTL, 1000 + LEASE + 1);
    t.same(out, { requeued: [a], failed: [b] });
    t.equal((await q.getJob(db, a))?.status, 'pending');
    const failed = (await q.getJob(db, b))!;
    t.equal(failed.status, 'failed');
    t.equal(failed.error_code, 'JOB_INTERRUPTED');
    t.same(await q.rescue(db, TTL, 1000 + LEASE + 2), { requeued: [], failed: [] }, 'a second rescue is a no-op');
  });

  suite.test('heartbeat extends the lease and reports lost ones', async (t) => {
    const { db } = await storeFor(t, dialect);
    const a = randomUUID();
    const b = randomUUID();
    await q.enqueue(db, { id: a, type: 't', input: {}, maxAttempts: 3 }, 0);
    await q.enqueue(db, { id: b, type: 't', input: {}, maxAttempts: 3 }, 1);
    const jobs = await q.claim(db, { limit: 2, types: ['t'], leaseMs: LEASE, node: 'n', now: 1000 });
    await q.cancel(db, b, TTL);
    const held = await q.heartbeat(db, jobs.map((j) => ({ id: j.id, token: j.lease_token })), LEASE, 20_000);
    t.same([...held], [a], 'the cancelled job is no longer held');
    t.equal((await q.getJob(db, a))?.locked_until, 20_000 + LEASE);
  });

  suite.test('retry backs off; the job is not claimable before run_at', async (t) => {
    const { db } = await storeFor(t, dialect);
    const id = randomUUID();
    await q.enqueue(db, { id, type: 't', input: {}, maxAttempts: 3 }, 0);
    const job = (await claimOne(db, 1000))!;
    t.equal(await q.retry(db, { id, token: job.lease_token }, { code: 'AI_PROVIDER_ERROR', message: 'boom' }, 2000, 1000), true);
    const row = (await q.getJob(db, id))!;
    t.equal(row.status, 'pending');
    t.equal(row.run_at, 3000);
    t.equal(row.error_code, 'AI_PROVIDER_ERROR', 'the last error stays visible');
    t.equal(await claimOne(db, 2999), undefined, 'not before run_at');
    t.equal((await claimOne(db, 3000))?.attempts, 2);

    const delays = [1, 2, 3, 4, 5, 20].map((n) => q.backoffMs(n, 1000, () => 0.5));
    t.same(delays, [1000, 2000, 4000, 8000, 16000, 300_000], 'doubles, capped at 5 min');
    t.ok(q.backoffMs(3, 1000, () => 0) >= 3200 && q.backoffMs(3, 1000, () => 0.999) <= 4800, 'jitter stays within ±20 %');
  });

  suite.test('release hands a job back without counting the run', async (t) => {
    const { db } = await storeFor(t, dialect);
    const id = randomUUID();
    await q.enqueue(db, { id, type: 't', input: {}, maxAttempts: 3 }, 0);
    const job = (await claimOne(db, 1000))!;
    t.equal(await q.release(db, { id, token: job.lease_token }, 2000), true);
    const row = (await q.getJob(db, id))!;
    t.equal(row.status, 'pending');
    t.equal(row.attempts, 0);
    t.equal(row.lease_token, null);
    t.equal((await claimOne(db, 2000))?.attempts, 1);
  });

  suite.test('cancel only touches unfinished jobs; expire only finished ones past TTL', async (t) => {
    const { db } = await storeFor(t, dialect);
    const pending = randomUUID();
    const done = randomUUID();
    await q.enqueue(db, { id: pending, type: 't', input: {}, maxAttempts: 3 }, 0);
    await q.enqueue(db, { id: done, type: 'u', input: {}, maxAttempts: 3 }, 0);
    const j = (await q.claim(db, { limit: 1, types: ['u'], leaseMs: LEASE, node: 'n', now: 10 }))[0]!;
    await q.complete(db, { id: done, token: j.lease_token }, { result: {}, output: undefined, ttlMs: 100 }, 1000);
    t.equal(await q.cancel(db, done, TTL), false, 'a completed job cannot be cancelled');
    t.equal(await q.cancel(db, pending, 100, 1000), true);
    t.equal(await q.cancel(db, pending, 100, 1000), false, 'twice is a no-op');
    t.same(await q.expire(db, { now: 1099 }), [], 'not before the TTL');
    t.same((await q.expire(db, { now: 1100 })).sort(), [pending, done].sort());
    t.equal((await q.getJob(db, done))?.status, 'expired');
    const counts = await q.countByStatus(db);
    t.equal(counts.expired, 2);
    t.equal(await q.countPending(db), 0);
  });
});
}
