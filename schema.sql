-- pdf-smaller SQLite schema.
--
-- Applied at boot by src/db/migrate.ts. Each "-- version: N" section runs once, in order,
-- inside one transaction, on a database whose PRAGMA user_version is below N; user_version
-- is then set to N. A released section is never edited: a schema change is a new section,
-- so an existing database upgrades in place.
--
-- Times are integer milliseconds since the Unix epoch (comparable and dialect-neutral).

-- version: 1
CREATE TABLE jobs (
  id               TEXT PRIMARY KEY,            -- UUID v4, unguessable; also names the job's directories
  type             TEXT NOT NULL,               -- compress, bulk_compress, convert, ocr, ai_summarize, …
  status           TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled', 'expired')),
  input            TEXT NOT NULL DEFAULT '{}',  -- JSON: options and input files (stored name, client name, size)
  result           TEXT,                        -- JSON shown to the client as `result`
  output           TEXT,                        -- JSON, internal: result files on disk; never shown
  error_code       TEXT,
  error_message    TEXT,
  progress_percent INTEGER NOT NULL DEFAULT 0,
  progress_stage   TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0,  -- claims so far (a run handed back at shutdown is not counted)
  max_attempts     INTEGER NOT NULL DEFAULT 3,
  run_at           INTEGER NOT NULL,            -- not claimable before this (retry backoff)
  lease_token      TEXT,                        -- set by each claim; only its holder may finish the job
  locked_until     INTEGER,                     -- lease expiry; renewed by heartbeats while the task runs
  locked_by        TEXT,                        -- which node holds the lease (for logs and operators)
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  expires_at       INTEGER                      -- set when the job finishes: finished_at + JOB_TTL_HOURS
) STRICT;

-- Claim scans pending jobs in run_at order; the partial index keeps that scan to the pending set.
CREATE INDEX jobs_pending_run_at ON jobs (run_at) WHERE status = 'pending';
-- Rescue looks for processing jobs whose lease ran out.
CREATE INDEX jobs_processing_locked_until ON jobs (locked_until) WHERE status = 'processing';
-- Expiry looks for finished jobs past their TTL.
CREATE INDEX jobs_expires_at ON jobs (expires_at) WHERE expires_at IS NOT NULL;

-- version: 2
-- Webhooks: a job submitted with webhook_url is POSTed its final JSON. webhook_status is set
-- to 'pending' by the same statement that makes the job final (complete, fail, cancel,
-- rescue), so a crash cannot lose a delivery; the sender then moves it to 'queued',
-- 'delivered' or 'failed', counting tries in webhook_attempts.
ALTER TABLE jobs ADD COLUMN webhook_url TEXT;
ALTER TABLE jobs ADD COLUMN webhook_status TEXT
  CHECK (webhook_status IS NULL OR webhook_status IN ('pending', 'queued', 'delivered', 'failed'));
ALTER TABLE jobs ADD COLUMN webhook_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN webhook_error TEXT;
CREATE INDEX jobs_webhook_pending ON jobs (finished_at) WHERE webhook_status = 'pending';

-- version: 3
-- Fixed-window counters for RATE_LIMIT_PER_MINUTE, shared by every process on this database
-- (an in-memory limiter would let N nodes take N times the limit).
CREATE TABLE rate_limits (
  key          TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  count        INTEGER NOT NULL
) STRICT;

-- version: 4
-- Ownership: a job belongs to the API key that submitted it. `owner` is the key's id (a
-- SHA-256 prefix of the key, never the key), NULL when the server runs without API_KEYS.
-- `client` is what MAX_PENDING_PER_CLIENT counts: the owner, or a hash of the client IP.
ALTER TABLE jobs ADD COLUMN owner TEXT;
ALTER TABLE jobs ADD COLUMN client TEXT;
CREATE INDEX jobs_client_pending ON jobs (client) WHERE status = 'pending';
-- Server secrets generated at first start (the LINK_SECRET that signs download and event
-- links when the variable is unset), shared by every process on this database.
CREATE TABLE secrets (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
