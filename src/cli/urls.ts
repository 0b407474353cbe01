// Server URLs on the command line, checked before anything connects, so that every mistake in one is a
// one-line usage error (exit 2) that says what to write instead.
import { UsageError } from './io.js';

/** Default ports by scheme, as the Electrum client applies them (ElectrumX's and Fulcrum's, and the WebSocket ones). */
export const ELECTRUM_DEFAULT_PORTS: Readonly<Record<string, number>> = { tcp: 50001, tls: 50002, ssl: 50002, ws: 80, wss: 443 };
const MINING_SCHEMES = ['stratum+tcp', 'stratum+ssl', 'stratum+tls'] as const;

export const URL_HELP = `URLs: tcp://host:port, tls://host:port (or ssl://), ws://host:port, wss://host:port[/path] for Electrum
servers; stratum+tcp://host:port, stratum+ssl://host:port (or stratum+tls://) for mining pools.
Without a port, Electrum URLs use tcp 50001, tls/ssl 50002, ws 80, wss 443; pools have no standard port,
so a stratum URL needs one.`;

export interface CheckedUrl {
  readonly url: string;
  readonly protocol: 'electrum' | 'mining';
  readonly scheme: string;
  readonly host: string;
  /** As written, or the scheme's default. */
  readonly port: number;
  readonly secure: boolean;
}

/** Parses and checks a server URL; `want` limits it to one protocol. Throws UsageError. */
export function checkServerUrl(text: string, want?: 'electrum' | 'mining'): CheckedUrl {
  const schemes = want === 'mining' ? 'stratum+tcp:// or stratum+ssl://' : want === 'electrum' ? 'tcp://, tls://, ws:// or wss://' : 'tcp://, tls://, ws://, wss:// or stratum+tcp://';
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (!match) {
    const guess = want === 'mining' ? `stratum+tcp://${text}` : `tcp://${text}`;
    throw new UsageError(`${JSON.stringify(text)} is not a server URL: write it with a scheme, like ${guess} (${schemes})`);
  }
  const scheme = (match[1] as string).toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    const instead = scheme === 'http' ? 'ws' : 'wss';
    throw new UsageError(`${text}: Electrum servers are not spoken to over ${scheme}://; use ${instead}:// for Electrum over WebSocket (${text.replace(/^https?/i, instead)})`);
  }
  const mining = (MINING_SCHEMES as readonly string[]).includes(scheme);
  if (!mining && ELECTRUM_DEFAULT_PORTS[scheme] === undefined) {
    if (scheme === 'stratum+tcps') throw new UsageError(`${text}: write stratum+ssl:// (stratum+tcps:// is cpuminer's spelling of it)`);
    throw new UsageError(`${text}: unknown scheme ${scheme}:// (expected ${schemes})`);
  }
  let parsed: URL;
  try {
    // A custom scheme would keep the host opaque to URL; parse it as http to get host and port checked alike.
    parsed = new URL(`http${text.slice(scheme.length)}`);
  } catch {
    throw new UsageError(`${JSON.stringify(text)} is not a valid URL (expected ${scheme}://host:port)`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new UsageError(`${text}: a host is needed (${scheme}://host:port)`);
  // "http" parsing drops a port of 80; read the port from the text itself.
  const written = /^[^/]*:\/\/(?:\[[^\]]*\]|[^/:?#]*)(?::(\d*))?/.exec(text)?.[1];
  if (written !== undefined && written !== '' && Number(written) > 65535) throw new UsageError(`${text}: port ${written} is out of range (1 to 65535)`);
  const protocol = mining ? 'mining' : 'electrum';
  if (want === 'mining' && !mining) throw new UsageError(`${text} is an Electrum URL; this command needs a pool: ${schemes}`);
  if (want === 'electrum' && mining) throw new UsageError(`${text} is a mining pool URL; this command needs an Electrum server: ${schemes}`);
  let port: number;
  if (written === undefined || written === '') {
    if (mining) throw new UsageError(`${text}: a pool URL needs a port, as pools have no standard one (e.g. ${scheme}://${parsed.host}:3333)`);
    port = ELECTRUM_DEFAULT_PORTS[scheme] as number;
  } else port = Number(written);
  if (port === 0) throw new UsageError(`${text}: port 0 is not a port to connect to`);
  if (!mining && (scheme === 'tcp' || scheme === 'tls' || scheme === 'ssl') && parsed.pathname !== '/' && parsed.pathname !== '') {
    throw new UsageError(`${text}: a ${scheme}:// URL has no path (only ws:// and wss:// do)`);
  }
  return { url: text, protocol, scheme, host, port, secure: scheme === 'tls' || scheme === 'ssl' || scheme === 'wss' || scheme === 'stratum+ssl' || scheme === 'stratum+tls' };
}
