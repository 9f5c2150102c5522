import type { JobRow, JobStatus } from '../db/types.js';
import type { LinkSigner } from './links.js';
import type { JobBody } from '../schemas/job.js';

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());
const FINISHED: JobStatus[] = ['completed', 'failed', 'cancelled'];

/** A finished job past its TTL reads expired even before the sweep has deleted its files. */
export function effectiveStatus(row: Pick<JobRow, 'status' | 'expires_at'>, now = Date.now()): JobStatus {
  if (FINISHED.includes(row.status) && row.expires_at !== null && row.expires_at <= now) return 'expired';
  return row.status;
}

/**
 * A job row as GET /api/jobs/:id shows it: no lease, no paths, no owner, no internal output.
 * `download_url` and `events_url` are signed links (http/links.ts) that work without a key
 * until they expire, for browsers' `<a href>` and `EventSource`.
 */
export function toJobBody(row: JobRow, links: LinkSigner, now = Date.now()): JobBody {
  const status = effectiveStatus(row, now);
  const body: JobBody = {
    success: true,
    job_id: row.id,
    status,
    task_type: row.type,
    progress: { percent: row.progress_percent, stage: row.progress_stage },
    attempts: row.attempts,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  };
  if (row.started_at !== null) body.started_at = iso(row.started_at)!;
  if (row.finished_at !== null) body.finished_at = iso(row.finished_at)!;
  if (row.expires_at !== null) body.expires_at = iso(row.expires_at)!;
  if (row.result !== null) body.result = JSON.parse(row.result) as Record<string, unknown>;
  // A pending job that failed before and waits to retry shows its last error too.
  if (row.error_code !== null && row.error_message !== null) body.error = { code: row.error_code, message: row.error_message };
  if (status === 'completed' && row.output !== null) body.download_url = links.sign('GET', `/api/jobs/${row.id}/download`, now);
  body.events_url = links.sign('GET', `/api/jobs/${row.id}/events`, now);
  // The URL itself is not echoed (it may carry a token); its delivery state is.
  if (row.webhook_url !== null) {
    body.webhook = { status: row.webhook_status ?? 'waiting', attempts: row.webhook_attempts };
    if (row.webhook_error) body.webhook.last_error = row.webhook_error;
  }
  return body;
}
