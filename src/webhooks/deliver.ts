import http from 'node:http';
import https from 'node:https';
import { addressRange, guardedLookup, isInternalAddress } from './address.js';
import { signingHeaders } from './sign.js';

export interface Delivery {
  /** The message id (webhook-id): the same on every try of one delivery. */
  id: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  secret: string | undefined;
  allowPrivate: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * POSTs one webhook and resolves with the receiver's status code. Redirects are not
 * followed (a 3xx could point anywhere, including inside the network); the response body
 * is read and discarded, at most 64 KB of it.
 */
export function deliver(d: Delivery): Promise<number> {
  const url = new URL(d.url);
  const client = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(d.body)),
    ...d.headers,
    ...signingHeaders(d.secret, d.id, d.body),
  };
  // An address literal is connected to without a lookup, so guardedLookup never sees it.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!d.allowPrivate && addressRange(literal) !== undefined && isInternalAddress(literal)) {
    return Promise.reject(new Error(`${url.hostname} is an internal address`));
  }
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      { method: 'POST', headers, timeout: d.timeoutMs, lookup: guardedLookup(d.allowPrivate), ...(d.signal ? { signal: d.signal } : {}) },
      (res) => {
        let read = 0;
        res.on('data', (c: Buffer) => {
          read += c.length;
          if (read > 65_536) res.destroy();
        });
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('close', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${d.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(d.body);
  });
}
