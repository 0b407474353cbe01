// Counting a server's connections against maxConnections and maxConnectionsPerAddress. Listeners ask
// at accept time, before any handshake: a TLS handshake or an HTTP upgrade costs memory too, and a cap
// checked only once a session starts would let a flood of unfinished handshakes past it.
import type { ConnectionRefusal, PeerAddress } from './connection.js';
import type { ServerLimits } from './limits.js';

export type CountResult = { readonly admitted: true; release(): void } | { readonly admitted: false; readonly refusal: ConnectionRefusal };

export class ConnectionCounter {
  readonly #limits: Pick<ServerLimits, 'maxConnections' | 'maxConnectionsPerAddress'>;
  readonly #byGroup = new Map<string, number>();
  #total = 0;
  #refused = 0;

  constructor(limits: Pick<ServerLimits, 'maxConnections' | 'maxConnectionsPerAddress'>) {
    this.#limits = limits;
  }

  /** Connections counted now. */
  get count(): number {
    return this.#total;
  }

  /** Connections refused since the server started. */
  get refused(): number {
    return this.#refused;
  }

  /** Connections counted now for an address (its /64 for IPv6). */
  countOf(address: string | undefined): number {
    return this.#byGroup.get(addressGroup(address)) ?? 0;
  }

  admit(peer: PeerAddress): CountResult {
    const group = addressGroup(peer.remoteAddress);
    const ofGroup = this.#byGroup.get(group) ?? 0;
    const { maxConnections, maxConnectionsPerAddress } = this.#limits;
    if (this.#total >= maxConnections) {
      return this.#refuse(peer, 'max-connections', maxConnections, `too many connections to this server (limit ${maxConnections})`);
    }
    if (ofGroup >= maxConnectionsPerAddress) {
      return this.#refuse(peer, 'max-connections-per-address', maxConnectionsPerAddress, `too many connections from ${peer.remoteAddress ?? 'an unknown address'} (limit ${maxConnectionsPerAddress} per address)`);
    }
    this.#total++;
    this.#byGroup.set(group, ofGroup + 1);
    let released = false;
    return {
      admitted: true,
      release: () => {
        // A socket can report its end more than once (error, then close): it is uncounted once.
        if (released) return;
        released = true;
        this.#total--;
        const left = (this.#byGroup.get(group) ?? 1) - 1;
        if (left > 0) this.#byGroup.set(group, left);
        else this.#byGroup.delete(group);
      },
    };
  }

  #refuse(peer: PeerAddress, reason: ConnectionRefusal['reason'], limit: number, message: string): CountResult {
    this.#refused++;
    return { admitted: false, refusal: { kind: peer.kind, remoteAddress: peer.remoteAddress, remotePort: peer.remotePort, reason, limit, message } };
  }
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The key an address is counted under: an IPv4 address as it is (also when written IPv4-mapped,
 * `::ffff:1.2.3.4`, as a dual-stack socket reports it), an IPv6 address by its /64 prefix. Anything
 * else (a custom transport's label, no address at all) is its own key.
 */
export function addressGroup(address: string | undefined): string {
  if (address === undefined) return '';
  const bare = address.split('%')[0]!.toLowerCase();
  const mapped = bare.startsWith('::ffff:') ? bare.slice(7) : undefined;
  if (mapped !== undefined && IPV4.test(mapped)) return mapped;
  if (!bare.includes(':')) return bare;
  const prefix = ipv6Prefix(bare);
  return prefix === undefined ? bare : `${prefix}::/64`;
}

/** The first four groups of an IPv6 address, normalised (`2001:db8:0:1`); undefined when it is not one. */
function ipv6Prefix(address: string): string | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string | undefined) => (part ? part.split(':') : []);
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) stands for two groups.
  const width = (groups: string[]) => groups.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const missing = 8 - width(head) - width(tail);
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const first = groups.slice(0, 4);
  if (!first.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return first.map((g) => Number.parseInt(g, 16).toString(16)).join(':');
}
