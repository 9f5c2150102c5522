import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/types.js';
import * as queue from '../queue/index.js';
import type { Active } from './types.js';

/**
 * Renews the lease of every job running here (one statement for all of them). A lease that
 * is no longer held (the job was cancelled, or another node took it over after this one
 * stalled past it) stops its task: the row is no longer ours to finish.
 */
export async function renewLeases(db: Kysely<Database>, active: Map<string, Active>, leaseMs: number, log: Logger): Promise<void> {
  if (active.size === 0) return;
  const leases = [...active.values()].map((a) => a.lease);
  try {
    const held = await queue.heartbeat(db, leases, leaseMs);
    for (const lease of leases) {
      const a = active.get(lease.id);
      // A run that is already writing its outcome lost its lease to that very write.
      if (a && !held.has(lease.id) && !a.reason && !a.settled) {
        log.warn({ jobId: lease.id }, 'lease lost (job cancelled or taken over); stopping its task');
        a.reason = 'lease-lost';
        a.controller.abort(new Error('lease lost'));
      }
    }
  } catch (err) {
    log.error({ err }, 'heartbeat failed');
  }
}

/** Writes the latest progress of each running job that moved since the last flush (at most one write per job per interval). */
export async function flushProgress(db: Kysely<Database>, active: Map<string, Active>): Promise<void> {
  for (const a of active.values()) {
    if (!a.progressDirty || !a.progress || a.reason) continue;
    a.progressDirty = false;
    await queue.setProgress(db, a.lease, a.progress.percent, a.progress.stage).catch(() => {});
  }
}
