import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';

export interface Lease {
  id: string;
  token: string;
}

/**
 * Pushes the lease of every running job forward. Returns the ids whose lease is still held;
 * a job missing from the answer was cancelled, or rescued by another node after this one
 * stalled past its lease, and its task must stop: its result would be discarded anyway.
 */
export async function heartbeat(db: Kysely<Database>, leases: readonly Lease[], leaseMs: number, now = Date.now()): Promise<Set<string>> {
  const byToken = new Map<string, string[]>();
  for (const { id, token } of leases) byToken.set(token, [...(byToken.get(token) ?? []), id]);
  const held = new Set<string>();
  for (const [token, ids] of byToken) {
    const rows = await db
      .updateTable('jobs')
      .set({ locked_until: now + leaseMs })
      .where('status', '=', 'processing')
      .where('lease_token', '=', token)
      .where('id', 'in', ids)
      .returning('id')
      .execute();
    for (const r of rows) held.add(r.id);
  }
  return held;
}
