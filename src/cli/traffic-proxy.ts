// The validating proxy behind `stratum-sdk proxy`: accepts connections (TCP, TLS, WebSocket, secure
// WebSocket), opens one upstream connection for each (the same four), forwards what each side sends
// unchanged, and shows every message to a TrafficChecker (and a transcript recorder) on the way.
//
// Bytes are forwarded as they are: between two byte streams the chunks themselves (whitespace, CRs, and
// invalid JSON included), between a stream and a WebSocket each line's text as one message (the framing
// changes, the message does not), between two WebSockets each message. What waits to be written is
// bounded: a byte-stream source is paused while its destination is behind, and a peer that does not read
// past maxBufferedBytes gets both connections closed. What waits to be read is bounded in time too: a
// side that leaves a message unfinished for longer than partialMessageTimeout gets both connections closed,
// so a peer trickling bytes cannot hold up to maxMessageSize of the proxy's memory for as long as it likes.
import net from 'node:net';
import tls from 'node:tls';
import type { AdmitConnection, Listener, ServerConnection } from '../runtime/server/connection.js';
import { bindListener, TLS_HANDSHAKE_TIMEOUT_MS } from '../runtime/node/listen.js';
import { checkPeerCertificate, checkTlsSettings, tlsConnectOptions, type TlsSettings } from '../runtime/node/tls-trust.js';
import { wsConnector } from '../runtime/node/ws.js';
import { listenWebSocket } from '../runtime/node/ws-server.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../runtime/framing.js';
import { DEFAULT_CONNECT_TIMEOUT, type Transport } from '../runtime/transport.js';
import { PartialMessageClock } from '../runtime/partial-message-clock.js';
import { DEFAULT_SERVER_LIMITS } from '../runtime/server/limits.js';
import type { TranscriptRecorder } from '../conformance/transcript-recorder.js';
import { TrafficChecker } from '../conformance/traffic/checker.js';
import type { TrafficDirection, TrafficFinding, TrafficProtocol } from '../conformance/traffic/findings.js';
import { LineSplitter } from '../conformance/traffic/lines.js';

export type ProxyTransport = 'tcp' | 'tls' | 'ws' | 'wss';

export interface ProxyAddress {
  readonly transport: ProxyTransport;
  readonly host: string;
  readonly port: number;
  /** ws/wss: the path of the upgrade request (upstream), or the only one accepted (listening). */
  readonly path?: string | undefined;
}

export interface TrafficProxyOptions {
  readonly listen: ProxyAddress;
  readonly upstream: ProxyAddress;
  /** Certificate and key (PEM) for a tls or wss listener. */
  readonly listenTls?: { readonly cert: string; readonly key: string } | undefined;
  /** How the upstream's certificate is checked (default: against the system CAs). */
  readonly upstreamTls?: TlsSettings | undefined;
  /** The protocol of every connection; default: told per connection from its first message. */
  readonly protocol?: TrafficProtocol | undefined;
  readonly onFinding?: ((finding: TrafficFinding) => void) | undefined;
  /** Connections opened and closed, upstream failures: one line each, for a person. */
  readonly onEvent?: ((line: string) => void) | undefined;
  readonly record?: TranscriptRecorder | undefined;
  /** Largest message checked and, between a stream and a WebSocket, forwarded (default the SDK's 8,100,000 bytes). */
  readonly maxMessageSize?: number | undefined;
  /** Bytes allowed to wait for a peer that does not read before both connections are closed (default DEFAULT_PROXY_MAX_BUFFERED). */
  readonly maxBufferedBytes?: number | undefined;
  readonly connectTimeout?: number | undefined;
  /** Client connections open at once; more are refused (default DEFAULT_PROXY_MAX_CONNECTIONS). */
  readonly maxConnections?: number | undefined;
  /**
   * Milliseconds either side may leave a message unfinished (bytes without their newline, or a WebSocket
   * message whose last fragment has not come) before both connections are closed (default
   * DEFAULT_PROXY_PARTIAL_MESSAGE_TIMEOUT). 0 or Infinity: no limit.
   */
  readonly partialMessageTimeout?: number | undefined;
}

/** The SDK servers' own default cap: a proxy for development sees a handful, and each pair may hold two buffers. */
export const DEFAULT_PROXY_MAX_CONNECTIONS = 1_000;

/** Two of the largest messages: a peer may be one message behind while another is being written. */
export const DEFAULT_PROXY_MAX_BUFFERED = 2 * DEFAULT_MAX_MESSAGE_SIZE;
/**
 * The SDK servers' own default (120 s): the proxy stands in front of a server, so a client that server would
 * keep, the proxy keeps too, while one trickling a byte a second is dropped after 2 minutes instead of holding
 * its unfinished message (up to maxMessageSize) for as long as it likes.
 */
export const DEFAULT_PROXY_PARTIAL_MESSAGE_TIMEOUT = DEFAULT_SERVER_LIMITS.partialMessageTimeout;
/** A byte stream is paused while its destination holds more than this, and resumed once it drained. */
const HIGH_WATER = 1024 * 1024;

export interface TrafficProxy {
  /** The URL clients connect to (tcp://127.0.0.1:port, ...). */
  readonly url: string;
  readonly port: number;
  readonly checker: TrafficChecker;
  /** Connection pairs open now. */
  readonly open: number;
  close(): Promise<void>;
}

/** One side of a pair, whatever carries it. */
interface Side {
  readonly stream: boolean;
  /** Stream sides only: the chunk exactly as the other stream side read it. */
  writeBytes(chunk: Uint8Array): void;
  /** One whole message (a stream side adds the newline). */
  sendMessage(text: string): void;
  buffered(): number;
  /** Stream sides: whether reading is paused now (then an unfinished message's wait is not the peer's). */
  isPaused(): boolean;
  pause(): void;
  resume(): void;
  /** Fires once when the destination has drained below the high-water mark (stream sides). */
  onDrain(listener: () => void): void;
  close(): void;
}

export async function startTrafficProxy(options: TrafficProxyOptions): Promise<TrafficProxy> {
  const checker = new TrafficChecker({ protocol: options.protocol, onFinding: options.onFinding, maxMessageSize: options.maxMessageSize });
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_PROXY_MAX_BUFFERED;
  const partialTimeout = options.partialMessageTimeout ?? DEFAULT_PROXY_PARTIAL_MESSAGE_TIMEOUT;
  if (typeof partialTimeout !== 'number' || Number.isNaN(partialTimeout) || partialTimeout < 0) {
    throw new RangeError(`partialMessageTimeout must be a number >= 0 (or Infinity), got ${String(partialTimeout)}`);
  }
  const upstreamChecked = options.upstream.transport === 'tls' || options.upstream.transport === 'wss' ? checkTlsSettings(options.upstreamTls ?? {}) : undefined;
  const say = (line: string) => options.onEvent?.(line);
  const pairs = new Set<() => void>();
  let nextConn = 1;

  /** Wires a freshly accepted client side to a new upstream connection. */
  const startPair = (client: Side & { readonly where: string }, deliver: { bytes?: (f: (chunk: Uint8Array) => void) => void; messages?: (f: (text: string) => void) => void; closed: (f: (why?: string) => void) => void }) => {
    const conn = String(nextConn++);
    say(`conn ${conn}: ${client.where} connected`);
    let upstream: Side | undefined;
    let closed = false;
    // What the client sent before the upstream was open: messages only (a stream client is paused).
    const early: (() => void)[] = [];
    let earlyBytes = 0;
    // One per byte-stream direction: stopped when the pair ends, so no timer outlives it.
    const clocks: PartialMessageClock[] = [];

    const observe = (dir: TrafficDirection, text: string) => {
      if (text.trim() === '') return;
      const t = Date.now();
      options.record?.write({ t, conn, dir, line: text });
      checker.feed({ conn, dir, line: text, t });
    };
    const end = (why?: string) => {
      if (closed) return;
      closed = true;
      pairs.delete(closeAll);
      if (why) say(`conn ${conn}: ${why}`);
      for (const clock of clocks) clock.stop();
      client.close();
      upstream?.close();
      checker.end(conn);
      say(`conn ${conn}: closed`);
    };
    const closeAll = () => end();
    pairs.add(closeAll);

    /** From one side to the other, with observation and backpressure. */
    const forwarder = (from: () => Side | undefined, to: () => Side | undefined, dir: TrafficDirection) => {
      const decoder = new TextDecoder('utf-8');
      const sender = dir === 'c2s' ? 'client' : 'server';
      const splitter = new LineSplitter({
        maxLineLength: maxMessageSize,
        onLine: (line) => {
          observe(dir, line);
          const dest = to();
          if (dest && !dest.stream && line.trim() !== '') dest.sendMessage(line);
        },
        onOverlong: () => {
          const dest = to();
          if (dest && !dest.stream) end(`a ${dir === 'c2s' ? 'client' : 'server'} message longer than ${maxMessageSize} bytes cannot be passed on as one WebSocket message`);
          else say(`conn ${conn}: a ${dir === 'c2s' ? 'client' : 'server'} message longer than ${maxMessageSize} bytes was forwarded unchecked`);
        },
      });
      // Byte streams only: the WebSocket listener and connector time their own unfinished messages.
      const clock =
        partialTimeout > 0 && partialTimeout !== Infinity
          ? new PartialMessageClock(
              partialTimeout,
              (waited) => end(`the ${sender} left a message unfinished for ${Math.round(waited)} ms (${splitter.pendingLength} characters kept, no newline yet), more than partialMessageTimeout (${partialTimeout} ms): closing both connections`),
              () => from()?.isPaused() === true,
            )
          : undefined;
      if (clock) clocks.push(clock);
      const backpressure = (dest: Side) => {
        if (dest.buffered() > maxBuffered) {
          end(`the ${dir === 'c2s' ? 'server' : 'client'} does not read: more than ${maxBuffered} bytes wait for it`);
          return;
        }
        const source = from();
        if (source?.stream && dest.stream && dest.buffered() > HIGH_WATER) {
          source.pause();
          dest.onDrain(() => source.resume());
        }
      };
      return {
        bytes(chunk: Uint8Array) {
          const dest = to();
          if (!dest || closed) return;
          if (dest.stream) dest.writeBytes(chunk);
          const text = decoder.decode(chunk, { stream: true });
          splitter.push(text);
          if (clock) {
            // A message left unfinished by this read started in it if an earlier one ended here.
            if (!splitter.midLine) clock.end();
            else if (text.includes('\n')) clock.restart();
            else clock.begin();
          }
          backpressure(dest);
        },
        message(text: string) {
          const dest = to();
          if (!dest || closed) return;
          observe(dir, text);
          dest.sendMessage(text);
          backpressure(dest);
        },
      };
    };

    const c2s = forwarder(() => client, () => upstream, 'c2s');
    const s2c = forwarder(() => upstream, () => client, 's2c');
    if (client.stream) client.pause();
    deliver.bytes?.((chunk) => c2s.bytes(chunk));
    deliver.messages?.((text) => {
      if (upstream) c2s.message(text);
      else if ((earlyBytes += text.length) > maxBuffered) end(`the client sent more than ${maxBuffered} bytes before the upstream connection was open`);
      else early.push(() => c2s.message(text));
    });
    deliver.closed((why) => end(why));

    connectUpstream(options.upstream, upstreamChecked, options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT, maxMessageSize, maxBuffered, partialTimeout, {
      bytes: (chunk) => s2c.bytes(chunk),
      message: (text) => s2c.message(text),
      closed: (why) => end(why),
    }).then(
      (side) => {
        if (closed) {
          side.close();
          return;
        }
        upstream = side;
        say(`conn ${conn}: upstream ${describe(options.upstream)} connected`);
        for (const f of early.splice(0)) f();
        if (client.stream) client.resume();
      },
      (e: unknown) => end(`upstream ${describe(options.upstream)}: ${(e as Error).message}`),
    );
    return conn;
  };

  const listener = await listen(options, maxMessageSize, partialTimeout, startPair);
  const address = listener.address();
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    url: `${options.listen.transport}://${host}:${address.port}${options.listen.path ?? ''}`,
    port: address.port,
    checker,
    get open() {
      return pairs.size;
    },
    async close() {
      const closing = listener.close();
      for (const closeAll of [...pairs]) closeAll();
      await closing;
    },
  };
}

function describe(a: ProxyAddress): string {
  return `${a.transport}://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}${a.path ?? ''}`;
}

type StartPair = (
  client: Side & { readonly where: string },
  deliver: { bytes?: (f: (chunk: Uint8Array) => void) => void; messages?: (f: (text: string) => void) => void; closed: (f: (why?: string) => void) => void },
) => string;

/** The client-facing listener: raw sockets for tcp and tls (bytes kept as they are), the SDK's WebSocket listener for ws and wss. */
async function listen(options: TrafficProxyOptions, maxMessageSize: number, partialMessageTimeout: number, startPair: StartPair): Promise<Listener> {
  const { transport, host, port, path } = options.listen;
  const maxConnections = options.maxConnections ?? DEFAULT_PROXY_MAX_CONNECTIONS;
  if (transport === 'ws' || transport === 'wss') {
    let open = 0;
    const admit: AdmitConnection = (peer) => {
      if (open < maxConnections) {
        open++;
        let released = false;
        return {
          admitted: true,
          release: () => {
            if (!released) open--;
            released = true;
          },
        };
      }
      const message = `the proxy has ${maxConnections} connections open, its limit`;
      return { admitted: false, refusal: { ...peer, reason: 'max-connections', limit: maxConnections, message }, goodbye: JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -101, message } }) };
    };
    return listenWebSocket(
      { host, port, path, maxMessageSize, partialMessageTimeout, admit, ...(transport === 'wss' ? { tls: { cert: options.listenTls?.cert, key: options.listenTls?.key } } : {}) },
      (connection: ServerConnection) => {
        let onMessage: (text: string) => void = () => undefined;
        let onClose: (why?: string) => void = () => undefined;
        startPair(messageSide(connection, `${connection.remoteAddress ?? '?'}:${connection.remotePort ?? '?'} (${transport})`), {
          messages: (f) => (onMessage = f),
          closed: (f) => (onClose = f),
        });
        // Why the listener closed it (the client closed it, or held a message unfinished too long), for the log.
        return { message: (text) => onMessage(text), error: () => undefined, close: (error) => onClose(error ? `the client's WebSocket: ${error.message}` : undefined) };
      },
    );
  }
  const server = transport === 'tls' ? tls.createServer({ cert: options.listenTls?.cert, key: options.listenTls?.key, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS }) : net.createServer();
  // Node drops connections past this cap as they arrive.
  server.maxConnections = maxConnections;
  const sockets = new Set<net.Socket>();
  server.on(transport === 'tls' ? 'secureConnection' : 'connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    startPair(streamSide(socket, `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'} (${transport})`), {
      bytes: (f) => socket.on('data', f),
      closed: (f) => socket.once('close', () => f()),
    });
  });
  if (transport === 'tls') server.on('tlsClientError', () => undefined);
  // Not listenTcp, the SDK's framed listener: the proxy needs the raw bytes, so it only shares the binding.
  return bindListener(server, transport, { host, port }, () => {
    for (const s of sockets) s.destroy();
  });
}

function streamSide(socket: net.Socket, where = ''): Side & { where: string } {
  return {
    where,
    stream: true,
    writeBytes: (chunk) => void socket.write(chunk),
    sendMessage: (text) => void socket.write(`${text}\n`),
    buffered: () => socket.writableLength,
    isPaused: () => socket.isPaused(),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    onDrain: (listener) => void socket.once('drain', listener),
    close: () => {
      if (socket.destroyed) return;
      socket.end();
      setTimeout(() => socket.destroy(), 2_000).unref();
    },
  };
}

function messageSide(connection: ServerConnection, where = ''): Side & { where: string } {
  return {
    where,
    stream: false,
    writeBytes: () => undefined,
    sendMessage: (text) => {
      try {
        connection.send(text);
      } catch {
        // Gone already: its close handler ends the pair.
      }
    },
    buffered: () => connection.bufferedBytes(),
    isPaused: () => false,
    pause: () => connection.pause?.(),
    resume: () => connection.resume?.(),
    onDrain: () => undefined,
    close: () => connection.close(true),
  };
}

/** The upstream connection: a raw socket for tcp and tls, the SDK's WebSocket connector for ws and wss. */
function connectUpstream(
  a: ProxyAddress,
  checked: ReturnType<typeof checkTlsSettings> | undefined,
  connectTimeout: number,
  maxMessageSize: number,
  maxBuffered: number,
  partialMessageTimeout: number,
  deliver: { bytes(chunk: Uint8Array): void; message(text: string): void; closed(why?: string): void },
): Promise<Side> {
  if (a.transport === 'ws' || a.transport === 'wss') {
    const url = describe(a);
    const connect = wsConnector({ url, ...(checked ? { tls: checked.settings } : {}), connectTimeout, maxMessageSize, maxBufferedBytes: maxBuffered, partialMessageTimeout });
    // Why the transport closed (the server closed it, or held a message unfinished too long), for the log.
    return connect({ message: (text) => deliver.message(text), error: () => undefined, close: (error) => deliver.closed(error ? `upstream: ${error.message}` : undefined) }).then((transport: Transport) => ({
      stream: false,
      writeBytes: () => undefined,
      sendMessage: (text) => {
        try {
          transport.send(text);
        } catch {
          deliver.closed();
        }
      },
      buffered: () => 0, // the transport enforces maxBufferedBytes itself
      isPaused: () => false,
      pause: () => undefined,
      resume: () => undefined,
      onDrain: () => undefined,
      close: () => void transport.close(),
    }));
  }
  return new Promise((resolve, reject) => {
    const where = `${a.host}:${a.port}`;
    const socket = checked ? tls.connect({ host: a.host, port: a.port, ...tlsConnectOptions(checked, a.host) }) : net.connect({ host: a.host, port: a.port });
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    const timer = setTimeout(() => fail(new Error(`no connection to ${where} within ${connectTimeout} ms`)), connectTimeout);
    socket.once('error', fail);
    socket.once(checked ? 'secureConnect' : 'connect', () => {
      const ready = checked ? checkPeerCertificate(socket as tls.TLSSocket, checked, where) : Promise.resolve();
      ready.then(() => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('error', fail);
        socket.on('error', () => undefined);
        socket.setNoDelay(true);
        socket.on('data', (chunk: Buffer) => deliver.bytes(chunk));
        socket.once('close', () => deliver.closed());
        resolve(streamSide(socket));
      }, fail);
    });
  });
}
