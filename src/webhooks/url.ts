import { lookup } from 'node:dns/promises';
import { AppError } from '../errors.js';
import { addressRange, isInternalAddress } from './address.js';

/**
 * A submission's webhook_url, checked before the job exists: http or https only, no
 * credentials in it, at most 2,000 characters, and (unless WEBHOOK_ALLOW_PRIVATE is set) a host
 * that resolves to public addresses only. Delivery checks the address again (guardedLookup).
 */
export async function checkWebhookUrl(raw: string | undefined, allowPrivate: boolean): Promise<string | undefined> {
  if (raw === undefined || raw.trim() === '') return undefined;
  const bad = (why: string) => new AppError('INVALID_OPTIONS', `webhook_url is not allowed: ${why}.`, { fields: [{ field: 'webhook_url' }] });
  if (raw.length > 2000) throw bad('longer than 2000 characters');
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw bad('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('only http and https are allowed');
  if (url.username || url.password) throw bad('credentials in the URL are not allowed');
  if (!allowPrivate) {
    // The URL parser has already normalised the spellings of an address (0x7f.1, 2130706433,
    // 0177.0.0.1 → 127.0.0.1; IPv6 compressed), and addressRange reads what is left.
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = addressRange(host) !== undefined ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      throw bad(`the host ${url.hostname} does not resolve`);
    }
    if (addresses.length === 0 || addresses.some(isInternalAddress)) {
      throw bad(`${url.hostname} is an internal address (private, loopback, link-local or another non-public range; set WEBHOOK_ALLOW_PRIVATE=true to allow it)`);
    }
  }
  return url.toString();
}
