import os from 'node:os';
import path from 'node:path';
import { Type, type Static, type TSchema, Kind } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describeAllowed } from './schemas/fields.js';

/**
 * Every setting the process reads from the environment, with its default and a doc line.
 * `.env.example` is generated from this schema (scripts/gen-env-example.ts) and a test
 * keeps the two in step, so the description here is the documentation.
 */
const int = (min: number, max: number, def: number, description: string) =>
  Type.Integer({ minimum: min, maximum: max, default: def, description });
const str = (def: string | undefined, description: string) =>
  Type.Optional(Type.String({ default: def, description }));
const oneOf = <T extends string>(values: readonly T[], def: T, description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { default: def, description });
/** A switch: true/false, yes/no, on/off or 1/0, in any case (as MinIO's and the AWS tools' docs write them). */
const bool = (def: boolean, description: string) => Type.Boolean({ default: def, description });
const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

export const EnvSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'listen address (0.0.0.0 exposes the server on every interface; set API_KEYS then)' }),
  PORT: int(0, 65535, 5000, 'listen port (0 = any free port)'),
  DATA_DIR: Type.String({ default: './data', description: 'the SQLite database lives here (pdf-smaller.db)' }),
  UPLOAD_DIR: Type.String({ default: './uploads', description: 'job files: temp/, processing/, results/ below it' }),
  DATABASE_URL: str(undefined, 'postgres://… switches the store and queue to PostgreSQL (unset = SQLite in DATA_DIR)'),
  DATABASE_SCHEMA: Type.String({ default: 'public', description: 'PostgreSQL schema holding the tables (created if missing)' }),
  WORKER_THREADS: int(0, 256, Math.max(1, os.availableParallelism()), 'worker threads for PDF work (0 = this node only serves the API)'),
  WORKER_RECYCLE_MB: int(0, 1_000_000, 256, 'a worker thread whose MuPDF heap, V8 heap and buffers hold more than this after a task is replaced by a fresh one (0 = never)'),
  MAX_FILE_SIZE_MB: int(1, 10_240, 100, 'per uploaded file; larger uploads are stopped with 413 FILE_TOO_LARGE'),
  MAX_FILES: int(1, 1000, 20, 'files per bulk request'),
  MAX_TOTAL_UPLOAD_MB: int(1, 1_000_000, 500, 'all files of one request together (bulk); larger → 413 FILE_TOO_LARGE'),
  JOB_TTL_HOURS: int(1, 24 * 365, 24, 'finished jobs keep their results this long, then read expired'),
  JOB_TIMEOUT_S: int(1, 86_400, 600, 'a task running longer is aborted and fails JOB_TIMEOUT'),
  JOB_LEASE_S: int(2, 3600, 30, 'a claimed job whose lease is not renewed for this long (crashed process) runs again'),
  JOB_MAX_ATTEMPTS: int(1, 100, 3, 'runs of a job (first run + retries) before it fails for good'),
  SHUTDOWN_GRACE_S: int(0, 3600, 20, 'on SIGTERM/SIGINT running tasks get this long to finish before they are handed back'),
  CLEANUP_INTERVAL_S: int(1, 86_400, 60, 'how often expired results and orphaned files are swept'),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info', 'pino log level'),
  API_KEYS: str(undefined, 'comma list; when set every /api route but health needs X-API-Key, and a job belongs to the key that submitted it'),
  API_ADMIN_KEYS: str(undefined, 'comma list of keys that see, cancel and export every job (they need no entry in API_KEYS)'),
  LINK_SECRET: str(undefined, 'signs the download_url and events_url links in job JSON (unset = generated once and kept in the database)'),
  LINK_TTL_S: int(60, 7 * 86_400, 3600, 'a signed link works without a key for this long'),
  REQUEST_TIMEOUT_S: int(1, 86_400, 300, 'a request not received in full within this (a stalled upload too) is closed and its files removed'),
  MAX_EVENT_STREAMS: int(1, 100_000, 20, 'open event streams per key (or client IP without API_KEYS); more → 429 RATE_LIMITED'),
  MAX_PENDING_PER_CLIENT: int(1, 10_000_000, 200, 'pending jobs per key (or client IP without API_KEYS); more → 503 QUEUE_FULL'),
  METRICS_TOKEN: str(undefined, 'when set, GET /metrics needs Authorization: Bearer <token>'),
  RATE_LIMIT_PER_MINUTE: int(0, 1_000_000, 0, 'submissions per client IP per minute (0 = off); over → 429 RATE_LIMITED'),
  CORS_ORIGINS: str(undefined, 'comma list of allowed origins, * for any (unset = none)'),
  AI_BASE_URL: str(undefined, 'any OpenAI-compatible endpoint (OpenAI, OpenRouter, Ollama, vLLM…)'),
  AI_API_KEY: str(undefined, 'API key for AI_BASE_URL'),
  AI_MODEL: str(undefined, 'model name for AI_BASE_URL'),
  OPENAI_API_KEY: str(undefined, 'shortcut: OpenAI with this key'),
  OPENROUTER_API_KEY: str(undefined, 'shortcut: OpenRouter with this key'),
  STORAGE: oneOf(['auto', 'local', 's3'] as const, 'auto', 'where inputs and results live: local disk, or the S3 bucket (auto = the bucket when S3_BUCKET is set)'),
  S3_ENDPOINT: str(undefined, 'S3-compatible endpoint URL'),
  S3_REGION: str(undefined, 'S3 region'),
  S3_BUCKET: str(undefined, 'S3 bucket for results and the s3 export target'),
  S3_ACCESS_KEY_ID: str(undefined, 'S3 access key id'),
  S3_SECRET_ACCESS_KEY: str(undefined, 'S3 secret access key'),
  S3_FORCE_PATH_STYLE: bool(false, 'path-style bucket URLs (MinIO, s3rver)'),
  S3_EXPORT_BUCKET: str(undefined, 'bucket for the s3 export target (unset = S3_BUCKET, under exports/<job id>/ only)'),
  WEBHOOK_SECRET: str(undefined, 'whsec_<base64>: signs webhooks per the Standard Webhooks spec (and X-Signature, HMAC-SHA256 with the whole value)'),
  WEBHOOK_ALLOW_PRIVATE: bool(false, 'allows webhooks to private, loopback and other internal addresses'),
  WEBHOOK_RETRY_S: int(0, 3600, 5, 'delay before a failed webhook is sent again (x4 for the third try; 3 tries in all)'),
  OCR_ENGINE: oneOf(['auto', 'wasm', 'native'] as const, 'auto', 'wasm (tesseract.js), native (tesseract binary), auto (native when installed)'),
  MAX_PAGES: int(1, 1_000_000, 2000, 'pages per document; more → TOO_MANY_PAGES'),
  MAX_PENDING_JOBS: int(1, 10_000_000, 1000, 'queue bound; more → 503 QUEUE_FULL'),
  MIN_FREE_DISK_MB: int(0, 10_000_000, 512, 'below this free space uploads get 507 INSUFFICIENT_STORAGE'),
  GOOGLE_OAUTH_BASE_URL: Type.String({ default: 'https://oauth2.googleapis.com', description: 'Google OAuth base (token, tokeninfo)' }),
  GOOGLE_API_BASE_URL: Type.String({ default: 'https://www.googleapis.com', description: 'Google API base (Drive v3 and its uploads)' }),
  DROPBOX_API_BASE_URL: Type.String({ default: 'https://api.dropboxapi.com', description: 'Dropbox API base (oauth2/token, users)' }),
  DROPBOX_CONTENT_BASE_URL: Type.String({ default: 'https://content.dropboxapi.com', description: 'Dropbox content base (file uploads)' }),
  ONEDRIVE_AUTH_BASE_URL: Type.String({ default: 'https://login.microsoftonline.com/common/oauth2/v2.0', description: 'Microsoft identity base (…/token)' }),
  ONEDRIVE_GRAPH_BASE_URL: Type.String({ default: 'https://graph.microsoft.com/v1.0', description: 'Microsoft Graph base' }),
  CLOUD_CHUNK_KB: int(1, 61_440, 10_240, 'chunk size of resumable cloud uploads (Drive rounds to 256 KiB, OneDrive to 320 KiB; S3 parts are at least 5 MiB)'),
  CLOUD_TOKEN_TTL_S: int(1, 86_400, 3600, 'an export token is held in memory at most this long; a later run fails CLOUD_TOKEN_UNAVAILABLE'),
  CLOUD_RETRIES: int(0, 20, 4, 'retries of one cloud request or stalled chunk on 429/5xx/network errors (Retry-After honoured up to 60 s)'),
  CLOUD_RETRY_BASE_MS: int(1, 60_000, 500, 'first backoff of those retries; doubles each time (±20 %)'),
  CLOUD_REQUEST_TIMEOUT_S: int(1, 3600, 120, 'one cloud HTTP request (one chunk) must finish within this'),
  GOOGLE_CLIENT_ID: str(undefined, 'OAuth app for Google Drive export'),
  GOOGLE_CLIENT_SECRET: str(undefined, 'OAuth app secret for Google Drive export'),
  DROPBOX_APP_KEY: str(undefined, 'OAuth app for Dropbox export'),
  DROPBOX_APP_SECRET: str(undefined, 'OAuth app secret for Dropbox export'),
  ONEDRIVE_CLIENT_ID: str(undefined, 'OAuth app for OneDrive export'),
  ONEDRIVE_CLIENT_SECRET: str(undefined, 'OAuth app secret for OneDrive export'),
});
export type Env = Static<typeof EnvSchema>;

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  uploadDir: string;
  databaseUrl: string | undefined;
  databaseSchema: string;
  workerThreads: number;
  /** 0 = never recycle. */
  workerRecycleBytes: number;
  maxFileSizeBytes: number;
  maxFiles: number;
  maxTotalUploadBytes: number;
  jobTtlMs: number;
  jobTimeoutMs: number;
  jobLeaseMs: number;
  jobMaxAttempts: number;
  shutdownGraceMs: number;
  cleanupIntervalMs: number;
  logLevel: Env['LOG_LEVEL'];
  apiKeys: string[];
  adminKeys: string[];
  /** From LINK_SECRET; undefined = generated and kept in the database (http/links.ts). */
  linkSecret: string | undefined;
  linkTtlMs: number;
  requestTimeoutMs: number;
  maxEventStreams: number;
  maxPendingPerClient: number;
  metricsToken: string | undefined;
  rateLimitPerMinute: number;
  corsOrigins: string[];
  ocrEngine: Env['OCR_ENGINE'];
  maxPages: number;
  maxPendingJobs: number;
  minFreeDiskBytes: number;
  webhookSecret: string | undefined;
  webhookAllowPrivate: boolean;
  webhookRetryMs: number;
  /** The raw, validated environment, for areas that read their own group of variables. */
  env: Env;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Turns one raw env string into the schema's type, or says exactly what is wrong. */
function parseValue(name: string, raw: string, schema: TSchema): unknown {
  const value = raw.trim();
  let converted: unknown = value;
  if (schema[Kind] === 'Integer' && /^[+-]?\d+$/.test(value)) converted = Number(value);
  if (schema[Kind] === 'Boolean') {
    const word = value.toLowerCase();
    if (TRUE_WORDS.has(word)) converted = true;
    else if (FALSE_WORDS.has(word)) converted = false;
    else throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected true or false (also yes/no, on/off, 1/0)`);
  }
  if (!Value.Check(schema, converted)) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected ${describeAllowed(schema)}`);
  }
  return converted;
}

/** Reads and validates the environment. Throws ConfigError naming the variable, the value and what is allowed. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(EnvSchema.properties) as [string, TSchema][]) {
    const raw = source[name];
    env[name] = raw === undefined || raw.trim() === '' ? schema.default : parseValue(name, raw, schema);
  }
  const e = env as Env;
  const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

  if (e.WEBHOOK_SECRET?.startsWith('whsec_') && !/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/.test(e.WEBHOOK_SECRET)) {
    throw new ConfigError('WEBHOOK_SECRET is not valid: after "whsec_" expected the base64 of at least 16 random bytes (the Standard Webhooks form)');
  }
  if (e.DATABASE_URL && !/^postgres(ql)?:\/\//.test(e.DATABASE_URL)) {
    throw new ConfigError(`DATABASE_URL=${JSON.stringify(e.DATABASE_URL)} is not valid: expected a postgres:// or postgresql:// URL`);
  }
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    uploadDir: path.resolve(e.UPLOAD_DIR),
    databaseUrl: e.DATABASE_URL,
    databaseSchema: e.DATABASE_SCHEMA,
    workerThreads: e.WORKER_THREADS,
    workerRecycleBytes: e.WORKER_RECYCLE_MB * 1024 * 1024,
    maxFileSizeBytes: e.MAX_FILE_SIZE_MB * 1024 * 1024,
    maxFiles: e.MAX_FILES,
    maxTotalUploadBytes: e.MAX_TOTAL_UPLOAD_MB * 1024 * 1024,
    jobTtlMs: e.JOB_TTL_HOURS * 3_600_000,
    jobTimeoutMs: e.JOB_TIMEOUT_S * 1000,
    jobLeaseMs: e.JOB_LEASE_S * 1000,
    jobMaxAttempts: e.JOB_MAX_ATTEMPTS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_S * 1000,
    cleanupIntervalMs: e.CLEANUP_INTERVAL_S * 1000,
    logLevel: e.LOG_LEVEL,
    apiKeys: list(e.API_KEYS),
    adminKeys: list(e.API_ADMIN_KEYS),
    linkSecret: e.LINK_SECRET,
    linkTtlMs: e.LINK_TTL_S * 1000,
    requestTimeoutMs: e.REQUEST_TIMEOUT_S * 1000,
    maxEventStreams: e.MAX_EVENT_STREAMS,
    maxPendingPerClient: e.MAX_PENDING_PER_CLIENT,
    metricsToken: e.METRICS_TOKEN,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    corsOrigins: list(e.CORS_ORIGINS),
    ocrEngine: e.OCR_ENGINE,
    maxPages: e.MAX_PAGES,
    maxPendingJobs: e.MAX_PENDING_JOBS,
    minFreeDiskBytes: e.MIN_FREE_DISK_MB * 1024 * 1024,
    webhookSecret: e.WEBHOOK_SECRET,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
    webhookRetryMs: e.WEBHOOK_RETRY_S * 1000,
    env: e,
  };
}
