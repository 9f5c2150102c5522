-- pdf-smaller PostgreSQL schema (DATABASE_URL=postgres://…): the same tables, columns and
-- versions as schema.sql, in PostgreSQL's types. Applied at boot by src/db/postgres.ts under
-- an advisory lock (nodes starting together do not race); the applied version is kept in
-- pdf_smaller_schema. A released section is never edited: a change is a new section, added
-- to both files with the same number.
--
-- Times are integer milliseconds since the Unix epoch (BIGINT), as in SQLite.

-- version: 1
CREATE TABLE jobs (
  id               TEXT PRIMARY KEY,
  type             TEXT NOT NULL,
  status           TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled', 'expired')),
  input            TEXT NOT NULL DEFAULT '{}',
  result           TEXT,
  output           TEXT,
  error_code       TEXT,
  error_message    TEXT,
  progress_percent INTEGER NOT NULL DEFAULT 0,
  progress_stage   TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL DEFAULT 3,
  run_at           BIGINT NOT NULL,
  lease_token      TEXT,
  locked_until     BIGINT,
  locked_by        TEXT,
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  started_at       BIGINT,
  finished_at      BIGINT,
  expires_at       BIGINT
);
CREATE INDEX jobs_pending_run_at ON jobs (run_at) WHERE status = 'pending';
CREATE INDEX jobs_processing_locked_until ON jobs (locked_until) WHERE status = 'processing';
CREATE INDEX jobs_expires_at ON jobs (expires_at) WHERE expires_at IS NOT NULL;

-- version: 2
ALTER TABLE jobs ADD COLUMN webhook_url TEXT;
ALTER TABLE jobs ADD COLUMN webhook_status TEXT
  CHECK (webhook_status IS NULL OR webhook_status IN ('pending', 'queued', 'delivered', 'failed'));
ALTER TABLE jobs ADD COLUMN webhook_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN webhook_error TEXT;
CREATE INDEX jobs_webhook_pending ON jobs (finished_at) WHERE webhook_status = 'pending';

-- version: 3
CREATE TABLE rate_limits (
  key          TEXT PRIMARY KEY,
  window_start BIGINT NOT NULL,
  count        INTEGER NOT NULL
);

-- version: 4
ALTER TABLE jobs ADD COLUMN owner TEXT;
ALTER TABLE jobs ADD COLUMN client TEXT;
CREATE INDEX jobs_client_pending ON jobs (client) WHERE status = 'pending';
CREATE TABLE secrets (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
