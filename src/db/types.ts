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
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
}

export interface Database {
  jobs: JobsTable;
  rate_limits: RateLimitsTable;
}

export type JobRow = Selectable<JobsTable>;
export type NewJobRow = Insertable<JobsTable>;
