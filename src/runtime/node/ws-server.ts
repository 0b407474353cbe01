// WebSocket listener on Node (the `ws` package): one JSON message per WebSocket message, no newline.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type tls from 'node:tls';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ClosedError, MessageTooLargeError, ProtocolError, type StratumSdkError } from '../errors.js';
import type { AcceptConnection, Listener, ServerConnection, TransportKind } from '../server/connection.js';
import { DEFAULT_SERVER_LIMITS } from '../server/limits.js';
import { bindListener, END_GRACE_MS } from './listen.js';

export interface WebSocketListenOptions {
  /** Address to bind; default 127.0.0.1. */
  readonly host?: string | undefined;
  /** Port; default 0, any free port. */
  readonly port?: number | undefined;
  /** Only upgrade requests for this path (default: any path). */
  readonly path?: string | undefined;
  /** Largest message payload in bytes; a bigger one closes that connection (WebSocket code 1009). */
  readonly maxMessageSize?: number | undefined;
  /** Serve wss:// with these TLS options (`key` and `cert` at least). */
  readonly tls?: tls.TlsOptions | undefined;
  /** Called with errors of the listening socket after it is up. */
  readonly onError?: ((error: Error) => void) | undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

export function listenWebSocket(options: WebSocketListenOptions, accept: AcceptConnection): Promise<Listener> {
  const kind: TransportKind = options.tls ? 'wss' : 'ws';
  const maxPayload = options.maxMessageSize ?? DEFAULT_SERVER_LIMITS.maxMessageSize;
  const server = options.tls ? https.createServer(options.tls) : http.createServer();
  // Plain HTTP requests get a short refusal rather than hanging until the client gives up.
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' });
    res.end('WebSocket connections only\n');
  });
  // Compression is off: it costs memory per connection, and ElectrumX and Fulcrum do not offer it.
  const wss = new WebSocketServer({
    server,
    maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  // The HTTP server's errors are re-emitted here; after listening they go to onError.
  wss.on('error', (e) => options.onError?.(e));
  wss.on('connection', (ws: WebSocket, request: http.IncomingMessage) => serveWebSocket(ws, request.socket, kind, maxPayload, accept));

  // onError is left out: the WebSocketServer already forwards the HTTP server's errors to it.
  return bindListener(server, kind, { host: options.host, port: options.port }, () => {
    wss.close();
    server.closeIdleConnections();
  });
}

function serveWebSocket(ws: WebSocket, socket: net.Socket, kind: TransportKind, maxPayload: number, accept: AcceptConnection): void {
  socket.setNoDelay(true);
  let failure: StratumSdkError | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const connection: ServerConnection = {
    kind,
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    send(text) {
      if (ws.readyState !== WebSocket.OPEN) throw new ClosedError('the WebSocket is not open');
      ws.send(text);
    },
    close(graceful) {
      if (!graceful) {
        ws.terminate();
        return;
      }
      // The closing handshake flushes what is queued; a peer that does not answer it is cut off.
      graceTimer = setTimeout(() => ws.terminate(), END_GRACE_MS);
      graceTimer.unref();
      ws.close(1000);
    },
    bufferedBytes: () => ws.bufferedAmount,
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
  const handlers = accept(connection);
  ws.on('message', (data: RawData) => {
    const bytes = toBytes(data);
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch (cause) {
      const excerpt = lossy.decode(bytes.subarray(0, 200));
      handlers.error(new ProtocolError('invalid-utf8', `a message of ${bytes.length} bytes is not valid UTF-8`, excerpt, { cause }));
      return;
    }
    handlers.message(text);
  });
  ws.on('error', (e: Error & { code?: string }) => {
    failure ??=
      e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
        ? new MessageTooLargeError(maxPayload)
        : new ClosedError(`the WebSocket failed: ${e.message}`, { cause: e });
  });
  ws.on('close', (code: number) => {
    clearTimeout(graceTimer);
    handlers.close(failure ?? new ClosedError(`the peer closed the WebSocket (code ${code})`));
  });
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
