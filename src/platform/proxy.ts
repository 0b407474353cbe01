// The `proxy` option of both clients: a SOCKS5 proxy URL, read once when the client is made so a mistake in it is
// reported there (proxy-option.ts). Platform-free (only URL parsing), but only the Node platform module imports it
// (as its parseProxy) and does the connecting (runtime/node/socks.ts): the browser platform refuses any proxy, so a
// browser bundle carries none of this.
import { ConnectError } from '../runtime/errors.js';

/** A parsed `socks5://` or `socks5h://` proxy. */
export interface ProxyTarget {
  /** The URL for messages, with any password replaced by `***` (messages end up in logs). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /**
   * socks5h:// (true): the proxy resolves host names, so no DNS query leaves this machine (what Tor needs).
   * socks5:// (false): names are resolved here and the proxy is given an address, except `.onion` names,
   * which only the proxy can resolve and which local DNS must never see.
   */
  readonly remoteDns: boolean;
  /** RFC 1929 username and password, when the URL carries them. */
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

// 1080 is the port IANA registered for SOCKS (RFC 1928); Tor's own default is 9050, so say it when using Tor.
export const DEFAULT_SOCKS_PORT = 1080;
// RFC 1929 sends each of the username and the password with a one-byte length.
const MAX_CREDENTIAL_BYTES = 255;

/** Parses a proxy URL; throws ConnectError on anything that is not a complete socks5:// or socks5h:// address. */
export function parseProxyUrl(text: string): ProxyTarget {
  if (typeof text !== 'string') throw new ConnectError(`proxy: expected a URL string like socks5h://127.0.0.1:9050, got ${typeof text}`);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new ConnectError(`proxy: not a URL (expected socks5h://host:port or socks5://host:port)`);
  }
  const scheme = parsed.protocol.replace(/:$/, '').toLowerCase();
  const shown = redact(parsed);
  if (scheme !== 'socks5' && scheme !== 'socks5h') {
    throw new ConnectError(`proxy ${shown}: unsupported scheme "${scheme}" (only SOCKS5 is supported: socks5h://host:port, or socks5://host:port to resolve names locally)`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new ConnectError(`proxy ${shown}: a host is needed`);
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search || parsed.hash) {
    throw new ConnectError(`proxy ${shown}: a SOCKS proxy URL has no path, query or fragment`);
  }
  const username = decode(parsed.username, shown, 'username');
  const password = decode(parsed.password, shown, 'password');
  return {
    url: shown,
    host,
    port: parsed.port ? Number(parsed.port) : DEFAULT_SOCKS_PORT,
    remoteDns: scheme === 'socks5h',
    ...(username !== undefined || password !== undefined ? { username: username ?? '', password: password ?? '' } : {}),
  };
}

/** Whether a host is a Tor onion service, which only the proxy can resolve. */
export function isOnion(host: string): boolean {
  return /\.onion\.?$/i.test(host);
}

function decode(value: string, shown: string, what: string): string | undefined {
  if (value === '') return undefined;
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    throw new ConnectError(`proxy ${shown}: the ${what} is not valid percent-encoding`);
  }
  if (new TextEncoder().encode(text).length > MAX_CREDENTIAL_BYTES) throw new ConnectError(`proxy ${shown}: the ${what} is longer than ${MAX_CREDENTIAL_BYTES} bytes (RFC 1929)`);
  return text;
}

function redact(parsed: URL): string {
  const user = parsed.username ? `${parsed.username}${parsed.password ? ':***' : ''}@` : parsed.password ? ':***@' : '';
  return `${parsed.protocol}//${user}${parsed.host}`;
}
