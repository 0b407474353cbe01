// WebSocket listener on Node (the `ws` package): one JSON message per WebSocket message, no newline.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ClosedError, MessageTooLargeError, ProtocolError, type StratumSdkError } from '../errors.js';
import type { AcceptConnection, AdmitConnection, ConnectionRefusal, Listener, ServerConnection, TransportKind } from '../server/connection.js';
import { DEFAULT_SERVER_LIMITS } from '../server/limits.js';
import { PartialMessageClock } from '../partial-message-clock.js';
import { bindListener, END_GRACE_MS, REFUSAL_GRACE_MS } from './listen.js';

export interface WebSocketListenOptions {
  /** Address to bind; default 127.0.0.1. */
  readonly host?: string | undefined;
  /** Port; default 0, any free port. */
  readonly port?: number | undefined;
  /** Only upgrade requests for this path (default: any path). */
  readonly path?: string | undefined;
  /** Largest message payload in bytes; a bigger one closes that connection (WebSocket code 1009). */
  readonly maxMessageSize?: number | undefined;
  /**
   * Milliseconds bytes may arrive without completing a message (a frame trickled in, or a fragmented
   * message never finished) before the connection is dropped; 0 or Infinity: no limit.
   */
  readonly partialMessageTimeout?: number | undefined;
  /**
   * Counts each accepted socket against the server's connection caps (RpcServer.admit), before the
   * TLS handshake and the HTTP upgrade. A refused ws:// peer has its upgrade request answered 503 and
   * is closed; a refused wss:// one is closed before its handshake. Without it every socket is taken.
   */
  readonly admit?: AdmitConnection | undefined;
  /** Serve wss:// with these TLS options (`key` and `cert` at least). */
  readonly tls?: tls.TlsOptions | undefined;
  /** Called with errors of the listening socket after it is up. */
  readonly onError?: ((error: Error) => void) | undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');
// RFC 6455: the endpoint met a condition it could not handle.
const WS_INTERNAL_ERROR = 1011;

export function listenWebSocket(options: WebSocketListenOptions, accept: AcceptConnection): Promise<Listener> {
  const kind: TransportKind = options.tls ? 'wss' : 'ws';
  const maxPayload = options.maxMessageSize ?? DEFAULT_SERVER_LIMITS.maxMessageSize;
  const partialTimeout = options.partialMessageTimeout ?? DEFAULT_SERVER_LIMITS.partialMessageTimeout;
  if (typeof partialTimeout !== 'number' || Number.isNaN(partialTimeout) || partialTimeout < 0) {
    throw new RangeError(`partialMessageTimeout must be a number >= 0 (or Infinity), got ${String(partialTimeout)}`);
  }
  const server = options.tls ? https.createServer(options.tls) : http.createServer();
  // Refused ws:// sockets waiting for their request, to be answered 503 (raw socket -> why).
  const refused = new Map<net.Socket, ConnectionRefusal>();
  server.on('connection', (raw: net.Socket) => {
    const admission = options.admit?.({ kind, remoteAddress: raw.remoteAddress, remotePort: raw.remotePort });
    if (!admission) return;
    if (admission.admitted) {
      // The raw socket reports 'close' once, also under TLS and after an upgrade.
      raw.once('close', admission.release);
      return;
    }
    if (options.tls) {
      // Nothing can be said before the handshake, and finishing one for a refusal costs what the cap saves.
      raw.destroy();
      return;
    }
    refused.set(raw, admission.refusal);
    const timer = setTimeout(() => raw.destroy(), REFUSAL_GRACE_MS);
    timer.unref();
    raw.once('close', () => {
      clearTimeout(timer);
      refused.delete(raw);
    });
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const refusal = refused.get(req.socket);
    if (refusal) {
      res.writeHead(503, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end(`${refusal.message}\n`);
      return;
    }
    // Plain HTTP requests get a short refusal rather than hanging until the client gives up.
    res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' });
    res.end('WebSocket connections only\n');
  });
  // Compression is off: it costs memory per connection, and ElectrumX and Fulcrum do not offer it.
  // noServer: upgrades come through the handler below, which answers refused sockets itself.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = refused.get(socket as net.Socket);
    if (refusal) {
      refuseUpgrade(socket, refusal);
      return;
    }
    // handleUpgrade checks the path (options.path) and the handshake headers, and answers a bad one 400.
    wss.handleUpgrade(request, socket, head, (ws) => serveWebSocket(ws, request.socket, kind, maxPayload, partialTimeout, accept));
  });

  return bindListener(server, kind, { host: options.host, port: options.port, onError: options.onError }, () => {
    wss.close();
    for (const raw of refused.keys()) raw.destroy();
    server.closeIdleConnections();
  });
}

/** A 503 for a refused upgrade, written as `ws` writes its own handshake refusals. */
function refuseUpgrade(socket: Duplex, refusal: ConnectionRefusal): void {
  // The HTTP server let go of the socket for the upgrade, its error handler too.
  socket.on('error', () => socket.destroy());
  const body = `${refusal.message}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function serveWebSocket(ws: WebSocket, socket: net.Socket, kind: TransportKind, maxPayload: number, partialTimeout: number, accept: AcceptConnection): void {
  socket.setNoDelay(true);
  let failure: StratumSdkError | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const closeWith = (code: number) => {
    // The closing handshake flushes what is queued; a peer that does not answer it is cut off.
    graceTimer ??= setTimeout(() => ws.terminate(), END_GRACE_MS);
    graceTimer.unref();
    ws.close(code);
  };
  const partial =
    partialTimeout > 0 && partialTimeout !== Infinity
      ? new PartialMessageClock(partialTimeout, (waited) => {
          failure ??= new ClosedError(`bytes arrived for ${Math.round(waited)} ms without completing a message, more than the limit of ${partialTimeout} ms`);
          ws.terminate();
        })
      : undefined;
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
      closeWith(1000);
    },
    bufferedBytes: () => ws.bufferedAmount,
    // While the server does not read, a message cannot complete: that wait is not the peer's.
    pause: () => {
      partial?.hold();
      ws.pause();
    },
    resume: () => {
      partial?.release();
      ws.resume();
    },
  };
  const handlers = accept(connection);
  if (partial) {
    // Ahead of ws's own listener, so that the clock has started before the messages this read
    // completes are emitted and stop it.
    socket.prependListener('data', () => partial.begin());
    // Control frames are complete messages too: a client that only pings is idle, not slow.
    ws.on('ping', () => partial.end());
    ws.on('pong', () => partial.end());
  }
  ws.on('message', (data: RawData) => {
    partial?.end();
    // The last guard: whatever a handler throws ends this connection, never the process.
    try {
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
    } catch (e) {
      const reason = e instanceof Error ? e.message : 'a non-Error value was thrown';
      failure ??= new ClosedError(`the connection was closed: handling its input failed: ${reason.slice(0, 200)}`, { cause: e });
      closeWith(WS_INTERNAL_ERROR);
    }
  });
  ws.on('error', (e: Error & { code?: string }) => {
    failure ??=
      e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
        ? new MessageTooLargeError(maxPayload)
        : new ClosedError(`the WebSocket failed: ${e.message}`, { cause: e });
  });
  ws.on('close', (code: number) => {
    clearTimeout(graceTimer);
    partial?.stop();
    handlers.close(failure ?? new ClosedError(`the peer closed the WebSocket (code ${code})`));
  });
}


function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
