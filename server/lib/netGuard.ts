// Outbound connections to hosts named by someone else (a media URL from an API answer, a
// redirect) must not reach this machine or its private network. The check runs on the address
// the connection will actually use: the lookup below resolves, refuses, and hands undici exactly
// the addresses it checked, so a second DNS answer (rebinding) cannot slip in between.
import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent } from 'undici';

/** The 4 or 16 bytes of an IP address in text form, or null when it is not one. */
export function ipBytes(address: string): number[] | null {
  const kind = isIP(address);
  if (kind === 4) {
    return address.split('.').map(Number);
  }
  if (kind !== 6) {
    return null;
  }
  let text = address.split('%')[0]!.toLowerCase();
  let tail: number[] = [];
  // An embedded dotted IPv4 (::ffff:127.0.0.1) is the last 32 bits.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, -dotted[1]!.length)}0:0`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') as [string, string] : [text, null];
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === null ? [] : groups(rest);
  const all = rest === null ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) {
    bytes.splice(12, 4, ...tail);
  }
  return bytes;
}

type Range = [prefix: number[], bits: number];

// Not reachable from the internet, or this host itself (RFC 6890 special-purpose registries).
const V4_BLOCKED: Range[] = [
  [[0], 8], // "this network"
  [[10], 8], // RFC 1918
  [[100, 64], 10], // CGNAT (RFC 6598)
  [[127], 8], // loopback
  [[169, 254], 16], // link-local (and cloud metadata at 169.254.169.254)
  [[172, 16], 12], // RFC 1918
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2], 24], // documentation
  [[192, 168], 16], // RFC 1918
  [[198, 18], 15], // benchmarking
  [[198, 51, 100], 24], // documentation
  [[203, 0, 113], 24], // documentation
  [[224], 4], // multicast
  [[240], 4], // reserved, and the broadcast address
];

const V6_BLOCKED: Range[] = [
  [new Array<number>(16).fill(0), 127], // :: (unspecified) and ::1 (loopback)
  [[0xfe, 0x80], 10], // link-local
  [[0xfc], 7], // unique local (ULA)
  [[0xff], 8], // multicast
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64], // discard-only
];

function inRange(bytes: number[], [prefix, bits]: Range): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) {
      return false;
    }
  }
  return true;
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedV4(b: number[]): number[] | null {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) {
    return b.slice(12); // ::ffff:a.b.c.d (IPv4-mapped)
  }
  if (zeros(0, 12)) {
    return b.slice(12); // ::a.b.c.d (IPv4-compatible, deprecated)
  }
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) {
    return b.slice(12); // 64:ff9b::a.b.c.d (NAT64)
  }
  if (b[0] === 0x20 && b[1] === 0x02) {
    return b.slice(2, 6); // 2002:aabb:ccdd:: (6to4)
  }
  return null;
}

/**
 * True when an address may be reached from a server fetching on someone else's say-so: not
 * loopback, private (RFC 1918, CGNAT, ULA), link-local, multicast or reserved, in IPv4 or IPv6,
 * including IPv4 addresses wrapped in IPv6. Anything that is not an IP address is refused.
 */
export function isPublicAddress(address: string): boolean {
  const bytes = ipBytes(address);
  if (!bytes) {
    return false;
  }
  if (bytes.length === 4) {
    return !V4_BLOCKED.some((r) => inRange(bytes, r));
  }
  const v4 = embeddedV4(bytes);
  if (v4) {
    return isPublicAddress(v4.join('.'));
  }
  return !V6_BLOCKED.some((r) => inRange(bytes, r));
}

/** Raised (as a connection error) when a host resolves to an address that may not be reached. */
export class BlockedAddressError extends Error {
  readonly code = 'EADDRBLOCKED';
  /** Trying again gives the same answer. */
  readonly permanent = true;

  constructor(readonly host: string, readonly address: string) {
    super(`${host} resolves to ${address}, which is not a public address`);
  }
}

/** A resolver with dns.lookup's `all: true` shape (tests pass their own to map names). */
export type Resolver = (hostname: string, callback: (err: Error | null, addresses: Array<{ address: string; family: number }>) => void) => void;

const systemResolver: Resolver = (hostname, callback) => dns.lookup(hostname, { all: true, verbatim: true }, callback);

/**
 * A `lookup` for net.connect that resolves with `resolve`, refuses the host when any of its
 * addresses is not public, and otherwise answers with the checked addresses only.
 */
export function publicOnlyLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (err, addresses) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      const blocked = addresses.find((a) => !isPublicAddress(a.address));
      const wanted = addresses.filter((a) => !options.family || a.family === options.family);
      if (blocked || wanted.length === 0) {
        const error = blocked ? new BlockedAddressError(hostname, blocked.address) : Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
        callback(error as NodeJS.ErrnoException, '', 0);
        return;
      }
      if (options.all) {
        (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, wanted);
        return;
      }
      callback(null, wanted[0]!.address, wanted[0]!.family);
    });
  };
}

/** A connection pool that only ever connects to public addresses (the address is pinned by the lookup). */
export function publicOnlyAgent(options: { resolve?: Resolver; connections?: number } = {}): Agent {
  return new Agent({
    connections: options.connections ?? 16,
    keepAliveTimeout: 30_000,
    connect: { lookup: publicOnlyLookup(options.resolve) },
  });
}
