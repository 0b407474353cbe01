// WebSocket (ws:// and wss://) on Node with the `ws` package, under the same TLS rules as TCP.
import type { ClientRequestArgs } from 'node:http';
import type tls from 'node:tls';
import WebSocket from 'ws';
import { parseProxyUrl, type ProxyTarget } from '../../platform/proxy.js';
import { ConnectError, StratumSdkError, TlsError } from '../errors.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../framing.js';
import { PartialMessageClock } from '../partial-message-clock.js';
import { messageSocketTransport, type Connector, type MessageSocket } from '../transport.js';
import { socksWebSocketConnection } from './socks-connector.js';
import { DEFAULT_CONNECT_TIMEOUT, isCertificateError } from './tcp.js';
import { checkPeerCertificate, checkTlsSettings, tlsConnectOptions, type TlsSettings } from './tls-trust.js';

export interface WsOptions {
  /** ws://host:port/path or wss://host:port/path. */
  readonly url: string;
  readonly tls?: TlsSettings | undefined;
  readonly connectTimeout?: number | undefined;
  readonly maxMessageSize?: number | undefined;
  /** Most bytes that may wait to be sent to a server that does not read (default DEFAULT_MAX_BUFFERED_BYTES). */
  readonly maxBufferedBytes?: number | undefined;
  /** Extra HTTP headers for the upgrade request (an Origin, an auth token). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** A SOCKS5 proxy (socks5h://host:port or socks5://host:port) to connect through; needs the `socks` package. */
  readonly proxy?: string | ProxyTarget | undefined;
  /**
   * How long the frames of an unfinished message may wait for its last one before the connection fails, in
   * ms; as for byte streams (ByteStreamOptions), off by default (0 or Infinity: no limit).
   */
  readonly partialMessageTimeout?: number | undefined;
}

export function wsConnector(options: WsOptions): Connector {
  const url = new URL(options.url);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new ConnectError(`${options.url}: not a ws:// or wss:// URL`);
  const secure = url.protocol === 'wss:';
  const checked = secure ? checkTlsSettings(options.tls ?? {}) : undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const where = url.host;
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
  const proxy = typeof options.proxy === 'string' ? parseProxyUrl(options.proxy) : options.proxy;
  const partialTimeout = options.partialMessageTimeout ?? 0;
  if (typeof partialTimeout !== 'number' || Number.isNaN(partialTimeout) || partialTimeout < 0) {
    throw new RangeError(`partialMessageTimeout must be a number >= 0 (or Infinity), got ${String(partialTimeout)}`);
  }
  return (handlers) =>
    new Promise((resolve, reject) => {
      // Through a proxy, `ws` gets the socket from it. ws's handshakeTimeout only starts once it has a socket,
      // so this connector's own timer covers the proxy's part as well.
      // Node's request calls it with a callback and waits for the socket (the `ws` types only know the sync form).
      const createConnection = proxy ? (socksWebSocketConnection(proxy, secure, Date.now() + connectTimeout) as ClientRequestArgs['createConnection']) : undefined;
      const socket = new WebSocket(url, {
        ...(checked ? tlsConnectOptions(checked, host) : {}),
        maxPayload: maxMessageSize,
        handshakeTimeout: connectTimeout,
        perMessageDeflate: false,
        headers: { ...options.headers },
        createConnection,
      });
      // The connection under the WebSocket (a TLSSocket for wss://): what a partial-message clock watches.
      let tlsSocket: tls.TLSSocket | undefined;
      let settled = false;
      const timer = proxy ? setTimeout(() => fail(new ConnectError(`${where} via ${proxy.url}: no connection within ${connectTimeout} ms`)), connectTimeout) : undefined;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.terminate();
        if (e instanceof StratumSdkError) reject(e);
        else if (checked && isCertificateError(e)) reject(new TlsError(`${where}: certificate refused: ${(e as Error).message}`, { cause: e }));
        else reject(new ConnectError(`${where}: ${(e as Error).message}`, { cause: e }));
      };
      socket.once('upgrade', (response) => {
        tlsSocket = response.socket as tls.TLSSocket;
      });
      socket.once('unexpected-response', (_request, response) => fail(new ConnectError(`${where}: the server answered the WebSocket upgrade with HTTP ${response.statusCode}`)));
      socket.once('error', fail);
      socket.once('open', () => {
        // The transport is wired at once so that nothing the server sends during the certificate check is lost.
        const transport = messageSocketTransport(socket as unknown as MessageSocket, handlers, { maxMessageSize, maxBufferedBytes: options.maxBufferedBytes });
        if (tlsSocket && partialTimeout > 0 && partialTimeout !== Infinity) timePartialMessages(socket, tlsSocket, partialTimeout);
        const ready = checked && tlsSocket ? checkPeerCertificate(tlsSocket, checked, where) : Promise.resolve();
        ready.then(() => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          socket.off('error', fail);
          // Errors after the handshake reach the transport's own listener; this keeps `ws` from throwing them.
          socket.on('error', () => undefined);
          resolve(transport);
        }, fail);
      });
    });
}

/**
 * Fails the connection when bytes of a message (frames without its last one) wait longer than `limitMs`
 * for the rest, as the WebSocket listener does (ws-server.ts): the transport learns why from the error.
 */
function timePartialMessages(socket: WebSocket, raw: Pick<tls.TLSSocket, 'prependListener' | 'isPaused'>, limitMs: number): void {
  const clock = new PartialMessageClock(
    limitMs,
    (waited) => {
      socket.emit('error', new Error(`bytes arrived for ${Math.round(waited)} ms without completing a message, more than the limit of ${limitMs} ms`));
      socket.terminate();
    },
    () => raw.isPaused(),
  );
  // Ahead of ws's own listener, so that the clock has started before the messages this read completes stop it.
  raw.prependListener('data', () => clock.begin());
  // Control frames are complete messages too: a server that only pings is idle, not slow.
  for (const event of ['message', 'ping', 'pong'] as const) socket.on(event, () => clock.end());
  socket.once('close', () => clock.stop());
}
