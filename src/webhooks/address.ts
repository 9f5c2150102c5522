import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The one IPv6 block ipaddr.js 2.5 calls plain unicast that still reaches inside a network:
 * IPv4-compatible addresses (::a.b.c.d, deprecated, routed as the IPv4 address by some
 * stacks; ::7f00:1 is 127.0.0.1). Site-local, NAT64 (also RFC 8215's local-use prefix), 6to4
 * and Teredo have ranges of their own there.
 */
const EXTRA_INTERNAL_V6 = [ipaddr.IPv6.parseCIDR('::/96')];

/**
 * The range an address belongs to, in ipaddr.js's words ('unicast' for a public address,
 * 'private', 'loopback', 'linkLocal', 'carrierGradeNat', 'benchmarking', 'uniqueLocal',
 * 'rfc6052' (NAT64), '6to4', 'teredo', 'reserved', …), IPv4-mapped IPv6 addresses taken as
 * the IPv4 address they carry; undefined when the text is not an IP address.
 */
export function addressRange(address: string): string | undefined {
  const text = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(text)) return undefined;
  const ip = ipaddr.process(text);
  if (ip.kind() === 'ipv6' && EXTRA_INTERNAL_V6.some((cidr) => (ip as ipaddr.IPv6).match(cidr))) return 'internal';
  return ip.range();
}

/**
 * May a webhook not reach this address unless WEBHOOK_ALLOW_PRIVATE is set? Every address that
 * is not public unicast: private, loopback, link-local (cloud metadata at 169.254.169.254),
 * unique-local and site-local, carrier-grade NAT, benchmarking, multicast, reserved, and IPv6
 * forms that embed or map an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo), whatever the
 * spelling. A text that is not an address at all is refused too. Decided by ipaddr.js's
 * maintained range tables, not a hand list.
 */
export function isInternalAddress(address: string): boolean {
  const range = addressRange(address);
  return range === undefined || range !== 'unicast';
}

/**
 * A dns.lookup for http(s).request that refuses internal answers. The check happens on the
 * address the socket will connect to, so a name that resolves to a public address when the
 * URL is accepted and to 127.0.0.1 at delivery (DNS rebinding) is still refused.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as { address: string; family: number }[];
      const usable = allowPrivate ? list : list.filter((a) => !isInternalAddress(a.address));
      if (usable.length === 0) {
        const e = Object.assign(new Error(`${hostname} resolves only to internal addresses`), { code: 'EPRIVATE' });
        return callback(e, '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof usable) => void)(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}
