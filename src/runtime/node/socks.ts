// A TCP connection through a SOCKS5 proxy (RFC 1928, with RFC 1929 username and password), made by the optional
// `socks` package, which is imported only when a proxy is used: browser and React Native bundles never reach this
// file, and Node users who need no proxy need not install it. Every failure becomes a ConnectError that says which
// step failed and, for a refused CONNECT, what the proxy's reply code means.
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { isOnion, type ProxyTarget } from '../../platform/proxy.js';
import { ConnectError, StratumSdkError } from '../errors.js';

type SocksModule = typeof import('socks');
type SocksClientClass = SocksModule['SocksClient'];

let loading: Promise<SocksClientClass> | undefined;

/** The `socks` package's client, imported on first use and kept; a failed import is tried again next time. */
export function loadSocks(): Promise<SocksClientClass> {
  loading ??= importSocks(() => import('socks')).catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/** Imports the `socks` package's client with `importer`; a missing package is a ConnectError saying how to install it. */
export async function importSocks(importer: () => Promise<unknown>): Promise<SocksClientClass> {
  let mod: Partial<SocksModule> & { default?: Partial<SocksModule> };
  try {
    mod = (await importer()) as typeof mod;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    throw new ConnectError(
      missing
        ? 'the `proxy` option needs the `socks` package, an optional dependency that is not installed: npm install socks'
        : `the \`socks\` package could not be loaded: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const client = mod.SocksClient ?? mod.default?.SocksClient;
  if (typeof client !== 'function') throw new ConnectError('the `socks` package has no SocksClient export (version 2 is expected: npm install socks@2)');
  return client;
}

// RFC 1928 section 6, then the codes Tor adds for onion services (tor's socks-extensions.txt, "ExtendedErrors").
const REPLIES: Readonly<Record<number, string>> = {
  1: 'general SOCKS server failure',
  2: 'connection not allowed by the proxy’s rules',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused by the server',
  6: 'TTL expired',
  7: 'command not supported',
  8: 'address type not supported',
  0xf0: 'onion service descriptor not found (the service is offline or the address is wrong)',
  0xf1: 'onion service descriptor is invalid',
  0xf2: 'onion service introduction failed',
  0xf3: 'onion service rendezvous failed',
  0xf4: 'onion service needs client authorization',
  0xf5: 'onion service client authorization was wrong',
  0xf6: 'invalid onion address',
  0xf7: 'onion service introduction timed out',
};

/** What a SOCKS5 reply code means, for messages. */
export function socksReplyMeaning(code: number): string {
  return REPLIES[code] ?? 'unknown reply code';
}

// The proxy's first bytes kept to read its reply code (the `socks` package names only the RFC's codes): the
// method choice (2), the RFC 1929 status (2) and the CONNECT reply's version and code (2). Nothing else is kept.
const REPLY_BYTES = 6;
// The longest name a SOCKS5 CONNECT can carry: its length is one byte (RFC 1928 section 5).
const MAX_DOMAIN_BYTES = 255;

export interface SocksRoute {
  readonly proxy: ProxyTarget;
  /** The server behind the proxy. */
  readonly host: string;
  readonly port: number;
  /** Date.now() by which the proxy must have connected us (the caller's connect timeout). */
  readonly deadline: number;
  /** The start of every message: the server and the proxy. */
  readonly where: string;
}

/**
 * A socket connected through the proxy to host:port, ready for the protocol (or for TLS on top). The proxy
 * resolves the name under socks5h:// and for `.onion` hosts always; under socks5:// other names are resolved here.
 * Rejects with ConnectError; the socket is destroyed on any failure, and nothing outlives the deadline.
 * What the proxy can make this hold is bounded: the `socks` package reads each reply only up to its length (at most
 * 262 bytes), keeps at most one socket read beyond it for the protocol, and stops reading once connected; the tap
 * keeps 6 bytes; and the deadline ends a proxy that trickles or stalls.
 */
export async function socksConnect(route: SocksRoute): Promise<net.Socket> {
  const SocksClient = await loadSocks();
  const { proxy, port, where } = route;
  const host = await destinationHost(route);
  const socket = net.connect({ host: proxy.host, port: proxy.port });
  const seen: number[] = [];
  const tap = (chunk: Uint8Array) => {
    for (let i = 0; i < chunk.length && seen.length < REPLY_BYTES; i++) seen.push(chunk[i] as number);
    if (seen.length >= REPLY_BYTES) socket.off('data', tap);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await new Promise<net.Socket>((resolve, reject) => {
      let settled = false;
      const fail = (error: ConnectError) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        reject(error);
      };
      timer = setTimeout(() => fail(new ConnectError(`${where}: no connection within the connect timeout (the SOCKS proxy did not finish connecting)`)), remaining(route));
      let connected = false;
      socket.on('error', (e) =>
        fail(
          connected
            ? new ConnectError(`${where}: the connection to the proxy failed during the SOCKS5 handshake: ${e.message}`, { cause: e })
            : new ConnectError(`${where}: cannot reach the proxy at ${proxy.host}:${proxy.port}: ${e.message}`, { cause: e }),
        ),
      );
      socket.once('connect', () => {
        if (settled) return;
        connected = true;
        socket.on('data', tap);
        SocksClient.createConnection({
          proxy: { host: proxy.host, port: proxy.port, type: 5, ...(proxy.username !== undefined ? { userId: proxy.username, password: proxy.password ?? '' } : {}) },
          command: 'connect',
          destination: { host, port },
          existing_socket: socket,
          timeout: remaining(route),
        }).then(
          () => {
            if (settled) return;
            settled = true;
            socket.off('data', tap);
            socket.setNoDelay(true);
            resolve(socket);
          },
          (e: unknown) => fail(handshakeFailure(e, seen, route)),
        );
      });
    });
  } finally {
    clearTimeout(timer);
    // The caller's transport or TLS socket attaches its own listener; until then an error must not be thrown.
    socket.removeAllListeners('error');
    socket.on('error', () => undefined);
  }
}

/** The milliseconds left before the route's deadline (at least 1: a timer of 0 would fire before any I/O). */
export function remaining(route: Pick<SocksRoute, 'deadline'>): number {
  return Math.max(1, route.deadline - Date.now());
}

/** The host to put in the CONNECT request: a name for the proxy to resolve, or an address resolved here. */
async function destinationHost(route: SocksRoute): Promise<string> {
  const { proxy, host, where } = route;
  if (net.isIP(host) !== 0) return host;
  if (!/^[\x21-\x7e]+$/.test(host) || host.length > MAX_DOMAIN_BYTES) {
    throw new ConnectError(`${where}: the host name cannot be sent to a SOCKS5 proxy (printable ASCII up to ${MAX_DOMAIN_BYTES} bytes)`);
  }
  // A .onion name means nothing to DNS; asking would only tell the resolver which service is being visited.
  if (proxy.remoteDns || isOnion(host)) return host;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const found = await Promise.race([
      lookup(host),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ConnectError(`${where}: no connection within the connect timeout (resolving ${host})`)), remaining(route));
      }),
    ]);
    return found.address;
  } catch (e) {
    if (e instanceof StratumSdkError) throw e;
    throw new ConnectError(`${where}: cannot resolve ${host} (socks5:// resolves names here; socks5h:// lets the proxy do it): ${(e as Error).message}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The `socks` package's error turned into what the user can act on. Its error object holds the options,
 * password included, so it is not kept as the cause.
 */
function handshakeFailure(e: unknown, seen: readonly number[], route: SocksRoute): ConnectError {
  const message = e instanceof Error ? e.message : String(e);
  const { where, proxy } = route;
  const say = (text: string) => new ConnectError(`${where}: ${text}`);
  if (/authentication failed/i.test(message)) return say('the proxy refused the username and password');
  if (/no accepted authentication type/i.test(message)) {
    return say(proxy.username === undefined ? 'the proxy wants a username and password (put them in the proxy URL: socks5h://user:password@host:port)' : 'the proxy accepts none of the offered authentication methods');
  }
  if (/invalid socks version/i.test(message)) return say('the proxy did not answer as a SOCKS5 proxy (is this its SOCKS port? Tor’s is 9050)');
  if (/unknown authentication type/i.test(message)) return say('bad reply from the proxy: it chose an authentication method that was not offered');
  if (/rejected connection/i.test(message)) {
    const at = seen[1] === 2 ? 4 : 2; // after the method choice, and the RFC 1929 status when there was one
    const version = seen[at];
    const code = seen[at + 1];
    if (version !== 5 || code === undefined) return say('bad reply from the proxy to CONNECT (not SOCKS5)');
    return say(`the proxy could not connect to the server: ${socksReplyMeaning(code)} (SOCKS5 reply ${code})`);
  }
  if (/socket closed/i.test(message)) return say('the proxy closed the connection during the SOCKS5 handshake');
  if (/timed out/i.test(message)) return say('no connection within the connect timeout (the SOCKS proxy did not finish connecting)');
  return say(`SOCKS5 handshake failed: ${message}`);
}
