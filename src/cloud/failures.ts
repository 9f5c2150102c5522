import { TaskFailure } from '../errors.js';
import { field, stringField, type Answer } from './http.js';
import { PROVIDER_LABELS, type ExportProvider } from './providers.js';

/**
 * Provider answers → the coded failures a client reads (job error.code, or the route's
 * envelope). Each provider words its errors differently; what matters to a client is whether
 * to sign in again (CLOUD_AUTH_FAILED), free space (CLOUD_STORAGE_FULL), or wait
 * (CLOUD_PROVIDER_ERROR, retried here first).
 */
export type CloudCode = 'CLOUD_AUTH_FAILED' | 'CLOUD_STORAGE_FULL' | 'CLOUD_PROVIDER_ERROR';

/** Drive says "slow down" with 403 and one of these reasons, not only with 429. */
const GOOGLE_RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

function googleReason(a: Answer): string | undefined {
  const errors = field(field(a.json, 'error'), 'errors');
  return Array.isArray(errors) ? stringField(errors[0], 'reason', 100) : undefined;
}

export function isRetryable(provider: ExportProvider, a: Answer): boolean {
  if (a.status === 408 || a.status === 429 || a.status >= 500) return a.status !== 507;
  return provider === 'google_drive' && a.status === 403 && GOOGLE_RATE_REASONS.has(googleReason(a) ?? '');
}

export function classify(provider: ExportProvider, a: Answer): { code: CloudCode; retryable: boolean } {
  if (isRetryable(provider, a)) return { code: 'CLOUD_PROVIDER_ERROR', retryable: true };
  if (a.status === 507 || /insufficient_space|quotaExceeded|storageQuota/i.test(summary(provider, a, ''))) {
    return { code: 'CLOUD_STORAGE_FULL', retryable: false };
  }
  if (a.status === 401 || a.status === 403) return { code: 'CLOUD_AUTH_FAILED', retryable: false };
  // Dropbox answers a malformed token with 400 and a plain-text sentence about it.
  if (provider === 'dropbox' && a.status === 400 && /access token|authorization/i.test(a.text)) {
    return { code: 'CLOUD_AUTH_FAILED', retryable: false };
  }
  return { code: 'CLOUD_PROVIDER_ERROR', retryable: false };
}

/** The provider's own short description of an error answer, cleaned for a message. */
export function summary(provider: ExportProvider, a: Answer, secret: string | undefined): string {
  const err = field(a.json, 'error');
  const parts: (string | undefined)[] = [];
  if (provider === 'dropbox') parts.push(stringField(a.json, 'error_summary'));
  if (typeof err === 'string') parts.push(err, stringField(a.json, 'error_description'));
  else parts.push(provider === 'google_drive' ? googleReason(a) : stringField(err, 'code'), stringField(err, 'message'));
  let text = parts.filter(Boolean).join(': ');
  if (!text && a.json === undefined && !/^\s*</.test(a.text)) text = a.text;
  return clean(text, secret) || 'no details';
}

/** Control characters out, length capped, and the token never echoed (whatever the provider put in its answer). */
export function clean(text: string, secret: string | undefined): string {
  let out = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (secret && secret.length >= 4) out = out.split(secret).join('[token]');
  return out.length > 200 ? `${out.slice(0, 199)}…` : out;
}

export function answerFailure(provider: ExportProvider, a: Answer, doing: string, secret: string | undefined): TaskFailure {
  const { code, retryable } = classify(provider, a);
  const label = PROVIDER_LABELS[provider];
  const detail = `HTTP ${a.status}: ${summary(provider, a, secret)}`;
  switch (code) {
    case 'CLOUD_AUTH_FAILED':
      return new TaskFailure(code, `${label} rejected the access token while ${doing} (${detail}). Sign in again and submit the export with the new token.`, false);
    case 'CLOUD_STORAGE_FULL':
      return new TaskFailure(code, `The ${label} account has no room for this file (${detail}).`, false);
    default:
      return retryable
        ? new TaskFailure(code, `${label} kept failing while ${doing} (${detail}).`, true)
        : new TaskFailure(code, `${label} refused ${doing} (${detail}).`, false);
  }
}

/** A provider answer that is not what its API documents (missing id, bad range, no Location). */
export function malformed(provider: ExportProvider, doing: string, what: string): TaskFailure {
  return new TaskFailure('CLOUD_PROVIDER_ERROR', `${PROVIDER_LABELS[provider]} gave an unexpected answer while ${doing} (${what}).`, true);
}
