import type { Kysely } from 'kysely';
import type { Database, JobRow, JobStatus } from '../db/types.js';

export async function getJob(db: Kysely<Database>, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Jobs per status, for health, metrics and the QUEUE_FULL bound. */
export async function countByStatus(db: Kysely<Database>): Promise<Record<JobStatus, number>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const counts: Record<JobStatus, number> = { pending: 0, processing: 0, completed: 0, failed: 0, cancelled: 0, expired: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

/** Pending jobs only: the cheap check done before accepting an upload. */
export async function countPending(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Pending jobs of one client (MAX_PENDING_PER_CLIENT); the partial index keeps it to the pending set. */
export async function countPendingOf(db: Kysely<Database>, client: string): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .where('client', '=', client)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
