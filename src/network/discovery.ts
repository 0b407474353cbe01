// Servers a server announces (server.peers.subscribe) as URLs the network can try. An entry is [ip, host, features]:
// features 'v1.4' (the highest protocol version it serves), 't50001' and 's50002' (its TCP and TLS ports; a bare
// 't' or 's' means the default port), 'p10000' (pruning), as ElectrumX's peers.py writes them. Everything in it is
// the server's word: hosts and ports are checked for shape, and what connects is verified like any other server.
import { compareVersions } from '../runtime/versions.js';

/** Most servers discovered through peers that the network keeps as candidates (ElectrumX announces up to ~50). */
export const DEFAULT_MAX_DISCOVERED = 20;
/** Entries of one announcement looked at: a server cannot make the network parse a million. */
export const MAX_PEER_ENTRIES = 1_000;

const DEFAULT_PORTS = { t: 50001, s: 50002 } as const;
/** A DNS name or an IPv4 or IPv6 address, bounded. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*\.?|[0-9A-Fa-f:.]{2,45})$/;

/**
 * The URLs of the announced servers, one per server: on the transport `prefer` (that of the servers configured)
 * when it offers it, else on the other one. Onion hosts are left out (they need a Tor proxy the network does not
 * know of), as are servers whose highest version is below `minVersion` and malformed entries.
 */
export function peerUrls(entries: unknown, prefer: 'tcp' | 'tls', minVersion: string): string[] {
  if (!Array.isArray(entries)) return [];
  const out: string[] = [];
  for (const entry of entries.slice(0, MAX_PEER_ENTRIES)) {
    if (!Array.isArray(entry) || entry.length < 3) continue;
    const [ip, host, features] = entry as unknown[];
    const name = typeof host === 'string' && host !== '' ? host : ip;
    if (typeof name !== 'string' || name.length > 255 || !HOST.test(name) || name.toLowerCase().endsWith('.onion')) continue;
    if (!Array.isArray(features)) continue;
    const ports: { t?: number; s?: number } = {};
    let version: string | undefined;
    for (const feature of features.slice(0, 32)) {
      if (typeof feature !== 'string' || feature.length > 16) continue;
      const kind = feature[0];
      const rest = feature.slice(1);
      if (kind === 'v' && /^\d+(\.\d+){1,2}$/.test(rest)) version = rest;
      else if ((kind === 't' || kind === 's') && /^\d{0,5}$/.test(rest)) {
        const port = rest === '' ? DEFAULT_PORTS[kind] : Number(rest);
        if (port >= 1 && port <= 65535) ports[kind] = port;
      }
    }
    if (version !== undefined && compareVersions(version, minVersion) < 0) continue;
    const order = prefer === 'tls' ? (['s', 't'] as const) : (['t', 's'] as const);
    const kind = order.find((k) => ports[k] !== undefined);
    if (kind === undefined) continue;
    const address = name.includes(':') ? `[${name}]` : name;
    out.push(`${kind === 's' ? 'tls' : 'tcp'}://${address}:${ports[kind]}`);
  }
  return [...new Set(out)];
}
