// Opening the listeners a typed server's `listen` option asks for, all or none.
import type tls from 'node:tls';
import { listenTcp, listenTls } from '../runtime/node/listen.js';
import { listenWebSocket } from '../runtime/node/ws-server.js';
import type { AcceptConnection, AdmitConnection, Listener } from '../runtime/server/connection.js';
import type { ServerLimits } from '../runtime/server/limits.js';

export interface ListenSpec {
  /** Address to bind; default 127.0.0.1 (pass '0.0.0.0' or '::' to serve the network). */
  readonly host?: string | undefined;
  /** Port; default 0, any free port (read it back with server.address()). */
  readonly port?: number | undefined;
}

export interface TlsListenSpec extends ListenSpec {
  /** Node's TLS server options: `key` and `cert` (PEM) at least. */
  readonly tls: tls.TlsOptions;
}

export interface WebSocketListenSpec extends ListenSpec {
  /** Only upgrade requests for this path (default: any). */
  readonly path?: string | undefined;
}

export interface SecureWebSocketListenSpec extends WebSocketListenSpec {
  readonly tls: tls.TlsOptions;
}

export interface ListenConfig {
  readonly tcp?: ListenSpec | undefined;
  readonly tls?: TlsListenSpec | undefined;
  readonly ws?: WebSocketListenSpec | undefined;
  readonly wss?: SecureWebSocketListenSpec | undefined;
}

/** Opens every listener of `config` and hands them to the server; if one fails, closes the others and throws. */
export async function startListeners(
  server: {
    readonly accept: AcceptConnection;
    readonly admit: AdmitConnection;
    readonly limits: Pick<ServerLimits, 'maxMessageSize' | 'partialMessageTimeout'>;
    addListener(listener: Listener): void;
  },
  config: ListenConfig,
): Promise<void> {
  const opened: Listener[] = [];
  const accept = server.accept;
  // Every listener counts against the same caps: they are the server's, not each port's.
  const shared = { maxMessageSize: server.limits.maxMessageSize, partialMessageTimeout: server.limits.partialMessageTimeout, admit: server.admit };
  try {
    if (config.tcp) opened.push(await listenTcp({ ...config.tcp, ...shared }, accept));
    if (config.tls) opened.push(await listenTls({ ...config.tls, ...shared }, accept));
    if (config.ws) opened.push(await listenWebSocket({ ...config.ws, tls: undefined, ...shared }, accept));
    if (config.wss) opened.push(await listenWebSocket({ ...config.wss, ...shared }, accept));
  } catch (e) {
    await Promise.all(opened.map((l) => l.close()));
    throw e;
  }
  for (const listener of opened) server.addListener(listener);
}
