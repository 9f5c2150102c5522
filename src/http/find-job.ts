import type { FastifyInstance } from 'fastify';
import type { JobRow } from '../db/types.js';
import { AppError } from '../errors.js';
import { getJob } from '../queue/index.js';
import { isUuid } from '../storage/layout.js';
import type { Principal } from './access.js';

/**
 * May this principal see this job? Its owner may, an admin key (or anyone, without API_KEYS)
 * may, and a signed link may see the one job it was made for. Nobody else learns that the job
 * exists: every route answers them as it answers an unknown id.
 */
export function canSee(p: Principal, row: Pick<JobRow, 'id' | 'owner'>): boolean {
  if (p.link !== undefined && p.link === row.id) return true;
  return p.admin || (p.owner !== null && row.owner === p.owner);
}

/** The job a request names, or 404 JOB_NOT_FOUND: not a UUID, no such row, or not the requester's. */
export async function findJob(app: FastifyInstance, principal: Principal, id: string): Promise<JobRow> {
  const row = isUuid(id) ? await getJob(app.store.db, id.toLowerCase()) : undefined;
  if (!row || !canSee(principal, row)) throw new AppError('JOB_NOT_FOUND');
  return row;
}
