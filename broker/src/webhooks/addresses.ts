import { isIP } from 'node:net';

/** An IP address as its bytes (4 for IPv4, 16 for IPv6). */
type Bytes = number[];

/** Parses an IPv4 or IPv6 address (no brackets, no zone) into bytes; undefined for anything else. */
function parseIp(text: string): Bytes | undefined {
  const family = isIP(text);
  if (family === 4) return text.split('.').map(Number);
  if (family !== 6) return undefined;
  let rest = text.toLowerCase();
  const tail: number[] = [];
  // A trailing dotted IPv4 (::ffff:10.0.0.1) is the last 32 bits.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(rest);
  if (dotted?.[1] !== undefined) {
    tail.push(...dotted[1].split('.').map(Number));
    rest = `${rest.slice(0, -dotted[1].length)}0:0`;
  }
  const [head = '', after] = rest.split('::');
  const groups = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16));
  const left = groups(head);
  const right = after === undefined ? [] : groups(after);
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** The IPv4 address an IPv6 one carries (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16). */
function embeddedIpv4(b: Bytes): Bytes | undefined {
  const zero = (from: number, to: number): boolean => b.slice(from, to).every((x) => x === 0);
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12, 16);
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return b.slice(12, 16);
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6);
  return undefined;
}

/** A range: its first bytes and how many leading bits count. */
interface Cidr {
  bytes: Bytes;
  bits: number;
}

function inRange(address: Bytes, range: Cidr): boolean {
  if (address.length !== range.bytes.length) return false;
  for (let bit = 0; bit < range.bits; bit++) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((address[i] ?? 0) & mask) !== ((range.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** Parses `10.0.0.0/8`, `fc00::/7` or a single address (all its bits); undefined for anything else. */
function parseCidr(text: string): Cidr | undefined {
  const [ip = '', bits, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const bytes = parseIp(ip.replace(/^\[(.*)\]$/, '$1'));
  if (bytes === undefined) return undefined;
  const max = bytes.length * 8;
  const n = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  return n >= 0 && n <= max ? { bytes, bits: n } : undefined;
}

const range = (cidr: string, why: string): { range: Cidr; why: string } => ({
  range: parseCidr(cidr) as Cidr,
  why,
});

/** Addresses a webhook may not reach unless its host is allow-listed, with what each is. */
const REFUSED = [
  range('0.0.0.0/8', 'an unspecified ("this network") address'),
  range('10.0.0.0/8', 'a private address'),
  range('100.64.0.0/10', 'a shared (CGNAT) address'),
  range('127.0.0.0/8', 'a loopback address'),
  range('169.254.0.0/16', 'a link-local address (cloud metadata services live here)'),
  range('172.16.0.0/12', 'a private address'),
  range('192.0.0.0/24', 'an IETF protocol address'),
  range('192.0.2.0/24', 'a documentation address'),
  range('192.168.0.0/16', 'a private address'),
  range('198.18.0.0/15', 'a benchmarking address'),
  range('198.51.100.0/24', 'a documentation address'),
  range('203.0.113.0/24', 'a documentation address'),
  range('224.0.0.0/4', 'a multicast address'),
  range('240.0.0.0/4', 'a reserved address'),
  range('::/128', 'an unspecified address'),
  range('::1/128', 'a loopback address'),
  range('::/96', 'an IPv4-compatible address'),
  range('100::/64', 'a discard address'),
  range('2001:db8::/32', 'a documentation address'),
  range('fc00::/7', 'a unique-local (private) address'),
  range('fe80::/10', 'a link-local address'),
  range('fec0::/10', 'a site-local address'),
  range('ff00::/8', 'a multicast address'),
];

/**
 * Why a webhook may not reach an address (private, loopback, link-local, unique-local, CGNAT, unspecified,
 * multicast, reserved; an IPv6 address carrying an IPv4 one is judged by that), or undefined when it is a
 * public address. Anything that is not an IP address is refused too.
 * @example refusedAddress('169.254.169.254') // 'a link-local address (cloud metadata services live here)'
 */
export function refusedAddress(address: string): string | undefined {
  const bytes = parseIp(address);
  if (bytes === undefined) return 'not an IP address';
  const v4 = bytes.length === 16 ? embeddedIpv4(bytes) : undefined;
  if (v4 !== undefined) {
    const why = refusedAddress(v4.join('.'));
    return why === undefined ? undefined : `${why}, inside an IPv6 address`;
  }
  return REFUSED.find((r) => inRange(bytes, r.range))?.why;
}

/** One entry of the host allow-list. */
type HostRule =
  | { kind: 'name'; name: string }
  | { kind: 'wildcard'; suffix: string }
  | { kind: 'regex'; regex: RegExp }
  | { kind: 'range'; range: Cidr };

/** The host allow-list, parsed; `entries` as given, for messages. */
export interface HostAllowList {
  entries: readonly string[];
  rules: readonly HostRule[];
}

/**
 * Parses host allow-list entries as the Pact Broker reads them: a host name (exact, any case),
 * `*.example.com` (one label in place of the star), `/regex/` (matched against host names), an IP address
 * or a CIDR range (matched against IP hosts). Returns the entries it cannot read as the second item.
 * @example parseHostAllowList(['127.0.0.1', '10.0.0.0/8', '*.example.com', '/^ci-\\d+\\.corp$/'])
 */
export function parseHostAllowList(entries: readonly string[]): [HostAllowList, string[]] {
  const rules: HostRule[] = [];
  const bad: string[] = [];
  for (const entry of entries) {
    if (entry.length > 2 && entry.startsWith('/') && entry.endsWith('/')) {
      try {
        rules.push({ kind: 'regex', regex: new RegExp(entry.slice(1, -1)) });
      } catch {
        bad.push(entry);
      }
      continue;
    }
    const cidr = parseCidr(entry);
    if (cidr !== undefined) rules.push({ kind: 'range', range: cidr });
    else if (/^\*\.[a-z0-9.-]+$/i.test(entry))
      rules.push({ kind: 'wildcard', suffix: entry.slice(1).toLowerCase() });
    else if (/^[a-z0-9.-]+$/i.test(entry) && !entry.includes('/'))
      rules.push({ kind: 'name', name: entry.toLowerCase() });
    else bad.push(entry);
  }
  return [{ entries, rules }, bad];
}

/** A URL's host without the brackets of an IPv6 literal, lower-case. */
export function bareHost(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/**
 * Whether a URL's host is on the allow-list: an IP host by an IP or range entry (an IPv4-mapped IPv6 host
 * also by its IPv4 entry), a host name by a name, wildcard or regex entry.
 */
export function hostAllowed(hostname: string, list: HostAllowList): boolean {
  const host = bareHost(hostname);
  const ip = parseIp(host);
  const v4 = ip !== undefined && ip.length === 16 ? embeddedIpv4(ip) : undefined;
  return list.rules.some((rule) => {
    if (ip !== undefined)
      return (
        rule.kind === 'range' && (inRange(ip, rule.range) || (v4 !== undefined && inRange(v4, rule.range)))
      );
    switch (rule.kind) {
      case 'name':
        return host === rule.name;
      case 'wildcard':
        return (
          host.endsWith(rule.suffix) &&
          !host.slice(0, -rule.suffix.length).includes('.') &&
          host.length > rule.suffix.length
        );
      case 'regex':
        return rule.regex.test(host);
      default:
        return false;
    }
  });
}

/** Host names that are loopback by definition (RFC 6761), refused at creation without asking DNS. */
export function loopbackName(hostname: string): boolean {
  const host = bareHost(hostname).replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost');
}
