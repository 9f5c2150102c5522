import { createHmac } from 'node:crypto';

/**
 * Webhook signatures. Two schemes side by side, both from WEBHOOK_SECRET:
 * - Standard Webhooks (standardwebhooks.com), which receivers verify with any of its
 *   libraries (`standardwebhooks` on npm): `webhook-signature: v1,<base64 HMAC-SHA256 of
 *   "<webhook-id>.<webhook-timestamp>.<body>">`, keyed with the secret's bytes: the base64
 *   after `whsec_`, or, for a secret not in that form, its UTF-8 bytes (a receiver then uses
 *   `whsec_` + base64 of the secret).
 * - `x-signature: sha256=<hex HMAC-SHA256 of the body>` keyed with the whole string, as sent
 *   before, so existing receivers keep working.
 */
export function standardKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

export function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', standardKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>` as sent in X-Signature. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The headers that sign one try of a delivery: the id is the same on every try, the timestamp is now. */
export function signingHeaders(secret: string | undefined, id: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  const headers: Record<string, string> = { 'webhook-id': id, 'webhook-timestamp': String(timestamp) };
  if (secret) {
    headers['webhook-signature'] = standardSignature(secret, id, timestamp, body);
    headers['x-signature'] = signature(secret, body);
  }
  return headers;
}
