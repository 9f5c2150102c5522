import type { Generated, Insertable, Selectable } from 'kysely';

export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled' | 'expired';
export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled', 'expired'];

/** The jobs table as kysely sees it (schema.sql is the source of truth). JSON columns are text. */
export interface JobsTable {
  id: string;
  type: string;
  status: Generated<JobStatus>;
  input: Generated<string>;
  result: string | null;
  output: string | null;
  error_code: string | null;
  error_message: string | null;
  progress_percent: Generated<number>;
  progress_stage: string | null;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_at: number;
  lease_token: string | null;
  locked_until: number | null;
  locked_by: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  expires_at: number | null;
  webhook_url: string | null;
  webhook_status: 'pending' | 'queued' | 'delivered' | 'failed' | null;
  webhook_attempts: Generated<number>;
  webhook_error: string | null;
  /** The submitting API key's id (keyId), null without API_KEYS. */
  owner: string | null;
  /** Who MAX_PENDING_PER_CLIENT counts this job against: the owner, or a hashed client IP. */
  client: string | null;
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
}

export interface SecretsTable {
  name: string;
  value: string;
}

export interface Database {
  jobs: JobsTable;
  rate_limits: RateLimitsTable;
  secrets: SecretsTable;
}

export type JobRow = Selectable<JobsTable>;
export type NewJobRow = Insertable<JobsTable>;
