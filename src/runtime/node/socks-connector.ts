// tcp://, tls:// and stratum URLs, and ws:// and wss://, through a SOCKS5 proxy. TLS runs over the socket the proxy
// hands back, under the same rules as a direct connection: SNI and the certificate's name are the server's (never
// the proxy's), and pinning and trust-on-first-use are decided before any request is written, keyed by the
// server's host:port as for a direct connection. The connect timeout covers the proxy, its handshake and TLS.
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { ProxyTarget } from '../../platform/proxy.js';
import { ConnectError, StratumSdkError, TlsError } from '../errors.js';
import { byteStreamTransport, DEFAULT_CONNECT_TIMEOUT, type Connector } from '../transport.js';
import { remaining, socksConnect, type SocksRoute } from './socks.js';
import { isCertificateError, nodeFraming, type TcpOptions } from './tcp.js';
import { checkPeerCertificate, checkTlsSettings, tlsConnectOptions, type CheckedSettings } from './tls-trust.js';

export interface SocksStreamOptions extends TcpOptions {
  readonly proxy: ProxyTarget;
}

/** Like tcpConnector, through the proxy. */
export function socksStreamConnector(options: SocksStreamOptions): Connector {
  const checked = options.tls ? checkTlsSettings(options.tls) : undefined;
  const connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
  const { host, port, proxy } = options;
  const server = `${host}:${port}`;
  return async (handlers) => {
    const route: SocksRoute = { proxy, host, port, deadline: Date.now() + connectTimeout, where: `${server} via ${proxy.url}` };
    const raw = await socksConnect(route);
    if (!checked) {
      return byteStreamTransport(raw, handlers, nodeFraming(options.framing), {
        coalesce: true,
        writeText: (text) => raw.write(text),
        maxBufferedBytes: options.maxBufferedBytes,
      });
    }
    const socket = await secure(raw, route, tlsConnectOptions(checked, host), checked);
    return byteStreamTransport(socket, handlers, nodeFraming(options.framing), {
      coalesce: true,
      writeText: (text) => socket.write(text),
      maxBufferedBytes: options.maxBufferedBytes,
    });
  };
}

/**
 * TLS over the proxied socket with the rest of the deadline. With `checked`, pins and trust-on-first-use are
 * decided here; without (the `ws` case), the caller decides them on the socket it gets.
 */
function secure(raw: Duplex, route: SocksRoute, settings: tls.ConnectionOptions, checked?: CheckedSettings): Promise<tls.TLSSocket> {
  const server = `${route.host}:${route.port}`;
  return new Promise((resolve, reject) => {
    // `host` is given although the socket is already connected: Node checks the certificate against it when no
    // servername is sent (an IP address), and would otherwise take the proxy's host from the socket.
    const socket = tls.connect({ ...settings, socket: raw, host: route.host });
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      raw.destroy();
      if (e instanceof StratumSdkError) reject(e);
      else if (isCertificateError(e)) reject(new TlsError(`${server}: certificate refused: ${(e as Error).message}`, { cause: e }));
      else reject(new ConnectError(`${route.where}: TLS failed: ${(e as Error).message}`, { cause: e }));
    };
    const timer = setTimeout(() => fail(new ConnectError(`${route.where}: no connection within the connect timeout (the TLS handshake did not finish)`)), remaining(route));
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      (checked ? checkPeerCertificate(socket, checked, server) : Promise.resolve()).then(() => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(socket);
      }, fail);
    });
  });
}

/** What the `ws` package passes to its createConnection (Node's request options, TLS ones included for wss://). */
export type WsConnectionOptions = tls.ConnectionOptions & { readonly host?: string | null | undefined; readonly port?: number | string | null | undefined };
/** Node's callback form of createConnection: the socket arrives later, or an error. */
export type WsCreateConnection = (options: WsConnectionOptions, done: (error: Error | null, socket?: Duplex) => void) => undefined;

/**
 * The createConnection a `ws` client uses to reach its server through the proxy: the proxied socket for ws://,
 * TLS over it for wss:// (the `ws` connector then checks pins and trust-on-first-use on that TLS socket, as it
 * does for a direct one), all by `deadline` (a Date.now() value).
 */
export function socksWebSocketConnection(proxy: ProxyTarget, secureUrl: boolean, deadline: number): WsCreateConnection {
  return (options, done) => {
    const host = String(options.host ?? '');
    const port = Number(options.port);
    const route: SocksRoute = { proxy, host, port, deadline, where: `${host.includes(':') ? `[${host}]` : host}:${port} via ${proxy.url}` };
    socksConnect(route)
      .then((raw) => {
        if (!secureUrl) return raw;
        // The servername, CA and the choice to check the certificate later come in the `ws` options, made by
        // tlsConnectOptions as for a direct wss://; pins and trust-on-first-use are then checked by the ws connector.
        // `path` goes, as in ws's own tlsConnect: to tls.connect it would name a local socket file.
        const { path: _path, ...settings } = options as WsConnectionOptions & { path?: unknown };
        return secure(raw, route, settings);
      })
      .then((socket) => done(null, socket), (e: unknown) => done(e instanceof Error ? e : new Error(String(e))));
    return undefined;
  };
}
