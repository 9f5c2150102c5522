import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/types.js';

/** Final jobs whose webhook is due and not yet handed to the sender (oldest first). */
export async function pendingWebhooks(db: Kysely<Database>, limit = 100): Promise<string[]> {
  const rows = await db.selectFrom('jobs').select('id').where('webhook_status', '=', 'pending').orderBy('finished_at').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** pending → queued, once: the caller that gets true owns the hand-over. */
export async function markWebhookQueued(db: Kysely<Database>, id: string): Promise<boolean> {
  const res = await db.updateTable('jobs').set({ webhook_status: 'queued' }).where('id', '=', id).where('webhook_status', '=', 'pending').executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

/** Records one delivery try on the job it reports: its outcome, and the error if any. */
export async function recordWebhookAttempt(
  db: Kysely<Database>,
  id: string,
  outcome: { status: 'queued' | 'delivered' | 'failed'; error?: string },
): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ webhook_status: outcome.status, webhook_attempts: sql`webhook_attempts + 1`, webhook_error: outcome.error?.slice(0, 500) ?? null })
    .where('id', '=', id)
    .execute();
}
