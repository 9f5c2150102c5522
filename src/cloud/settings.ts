import { ConfigError, type Config } from '../config.js';
import { OAUTH_APP_VARS, OAUTH_PROVIDERS, type OAuthProvider } from './providers.js';

/**
 * Every setting of the cloud area, read in this one place. The OAuth apps and S3_* come from
 * the validated config (config.env); the endpoint and tuning variables below are read from
 * config.env when config.ts declares them and from process.env until it does, so tests and
 * deployments can point each provider at another server today.
 */
export const URL_DEFAULTS = {
  GOOGLE_OAUTH_BASE_URL: 'https://oauth2.googleapis.com',
  GOOGLE_API_BASE_URL: 'https://www.googleapis.com',
  DROPBOX_API_BASE_URL: 'https://api.dropboxapi.com',
  DROPBOX_CONTENT_BASE_URL: 'https://content.dropboxapi.com',
  ONEDRIVE_AUTH_BASE_URL: 'https://login.microsoftonline.com/common/oauth2/v2.0',
  ONEDRIVE_GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0',
} as const;

/** [default, min, max]: the ranges config.ts should declare too. */
export const INT_SETTINGS = {
  CLOUD_CHUNK_KB: [10_240, 1, 61_440],
  CLOUD_TOKEN_TTL_S: [3600, 1, 86_400],
  CLOUD_RETRIES: [4, 0, 20],
  CLOUD_RETRY_BASE_MS: [500, 1, 60_000],
  CLOUD_REQUEST_TIMEOUT_S: [120, 1, 3600],
} as const;

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
}

export interface S3Settings {
  /** S3_BUCKET: job storage (inputs/, results/) and, without S3_EXPORT_BUCKET, exports. */
  bucket: string | undefined;
  /** Where the s3 export target writes: S3_EXPORT_BUCKET, else S3_BUCKET (under exports/ only). */
  exportBucket: string;
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export interface RetrySettings {
  /** Extra tries after the first, per request or per stalled chunk. */
  attempts: number;
  baseMs: number;
  /** A Retry-After longer than this is not waited out in the job: it fails (retryable) instead. */
  maxWaitMs: number;
}

export interface CloudSettings {
  urls: Record<keyof typeof URL_DEFAULTS, string>;
  /** Wanted chunk size of resumable uploads; each provider rounds it to what its API accepts. */
  chunkBytes: number;
  tokenTtlMs: number;
  retry: RetrySettings;
  requestTimeoutMs: number;
  oauth: Record<OAuthProvider, OAuthApp | undefined>;
  s3: S3Settings | undefined;
}

type Source = Record<string, unknown>;

const text = (source: Source, name: string): string | undefined => {
  const v = source[name];
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
};

function baseUrl(source: Source, name: keyof typeof URL_DEFAULTS): string {
  const raw = text(source, name) ?? URL_DEFAULTS[name];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected an http:// or https:// URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected an http:// or https:// URL`);
  }
  return raw.replace(/\/+$/, '');
}

function integer(source: Source, name: keyof typeof INT_SETTINGS): number {
  const [def, min, max] = INT_SETTINGS[name];
  const raw = text(source, name);
  if (raw === undefined) return def;
  const n = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected an integer from ${min} to ${max}`);
  }
  return n;
}

/** Settings from a plain variable map (tests use this directly). Throws ConfigError on a bad value. */
export function readCloudSettings(source: Source): CloudSettings {
  const urls = Object.fromEntries(Object.keys(URL_DEFAULTS).map((k) => [k, baseUrl(source, k as keyof typeof URL_DEFAULTS)]));
  const oauth = Object.fromEntries(
    OAUTH_PROVIDERS.map((p) => {
      const [idVar, secretVar] = OAUTH_APP_VARS[p];
      const clientId = text(source, idVar);
      const clientSecret = text(source, secretVar);
      return [p, clientId && clientSecret ? { clientId, clientSecret } : undefined];
    }),
  ) as Record<OAuthProvider, OAuthApp | undefined>;
  const bucket = text(source, 'S3_BUCKET');
  const exportBucket = text(source, 'S3_EXPORT_BUCKET') ?? bucket;
  const endpoint = text(source, 'S3_ENDPOINT');
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new ConfigError(`S3_ENDPOINT=${JSON.stringify(endpoint)} is not valid: expected an http:// or https:// URL`);
  }
  const keyId = text(source, 'S3_ACCESS_KEY_ID');
  const secret = text(source, 'S3_SECRET_ACCESS_KEY');
  return {
    urls: urls as CloudSettings['urls'],
    chunkBytes: integer(source, 'CLOUD_CHUNK_KB') * 1024,
    tokenTtlMs: integer(source, 'CLOUD_TOKEN_TTL_S') * 1000,
    retry: { attempts: integer(source, 'CLOUD_RETRIES'), baseMs: integer(source, 'CLOUD_RETRY_BASE_MS'), maxWaitMs: 60_000 },
    requestTimeoutMs: integer(source, 'CLOUD_REQUEST_TIMEOUT_S') * 1000,
    oauth,
    s3: exportBucket
      ? {
          bucket,
          exportBucket,
          endpoint,
          region: text(source, 'S3_REGION') ?? 'us-east-1',
          forcePathStyle: /^(1|true|yes|on)$/i.test(text(source, 'S3_FORCE_PATH_STYLE') ?? ''),
          // Without both keys the SDK's default chain applies (env, profile, instance role).
          credentials: keyId && secret ? { accessKeyId: keyId, secretAccessKey: secret } : undefined,
        }
      : undefined,
  };
}

const cache = new WeakMap<Config, CloudSettings>();

/**
 * The settings of one app, read once. A variable config.ts declares comes from config.env
 * only (even when unset there); process.env is consulted just for the ones it does not.
 */
export function cloudSettings(config: Config): CloudSettings {
  let s = cache.get(config);
  if (!s) {
    s = readCloudSettings({ ...process.env, ...config.env });
    cache.set(config, s);
  }
  return s;
}
