// TCP and TLS listeners on Node: each accepted socket becomes a newline-framed connection handed to
// the server's accept function.
import net from 'node:net';
import tls from 'node:tls';
import { ClosedError } from '../errors.js';
import { DEFAULT_SERVER_LIMITS } from '../server/limits.js';
import type { AcceptConnection, AdmitConnection, Listener, ServerConnection, TransportKind } from '../server/connection.js';
import { byteStreamTransport, type Transport } from '../transport.js';
import { nodeFraming } from './tcp.js';

export interface TcpListenOptions {
  /** Address to bind; default 127.0.0.1 (pass '0.0.0.0' or '::' to serve the network). */
  readonly host?: string | undefined;
  /** Port; default 0, any free port (read it back with address()). */
  readonly port?: number | undefined;
  /** Largest incoming message in bytes; a bigger one closes that connection. */
  readonly maxMessageSize?: number | undefined;
  /** Milliseconds an unfinished message may wait for its newline before the connection is closed; 0 or Infinity: no limit. */
  readonly partialMessageTimeout?: number | undefined;
  /**
   * Counts each accepted socket against the server's connection caps before anything else is done with
   * it (RpcServer.admit). A refused TCP socket is sent the refusal's goodbye line and closed; a refused
   * TLS socket is closed before its handshake. Without it every socket is taken.
   */
  readonly admit?: AdmitConnection | undefined;
  /** Called with errors of the listening socket after it is up (e.g. EMFILE on accept); ignored otherwise. */
  readonly onError?: ((error: Error) => void) | undefined;
}

export interface TlsListenOptions extends TcpListenOptions {
  /** Node's TLS server options: `key` and `cert` (PEM) at least. */
  readonly tls: tls.TlsOptions;
}

export const DEFAULT_LISTEN_HOST = '127.0.0.1';

// How long a gracefully closed socket may take to flush and see the peer's FIN before it is destroyed:
// a peer that stopped reading must not hold shutdown open.
export const END_GRACE_MS = 2_000;
// A TLS handshake not done by then is a dead or hostile peer (Node's own default is 120 s).
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
// TCP keepalive probes find peers that vanished without a FIN sooner than the idle timeout would.
const KEEPALIVE_DELAY_MS = 60_000;
// How long a refused socket may take to read its goodbye and hang up before it is destroyed. It is no
// longer counted, so this is short: a peer that ignores the goodbye cannot make refused sockets pile up.
export const REFUSAL_GRACE_MS = 1_000;

export function listenTcp(options: TcpListenOptions, accept: AcceptConnection): Promise<Listener> {
  const server = net.createServer();
  const refused = new Set<net.Socket>();
  server.on('connection', (socket) => {
    const admission = options.admit?.({ kind: 'tcp', remoteAddress: socket.remoteAddress, remotePort: socket.remotePort });
    if (admission?.admitted === false) {
      sayGoodbye(socket, `${admission.goodbye}\n`, refused);
      return;
    }
    // 'close' comes once per socket, whoever ends it.
    if (admission) socket.once('close', admission.release);
    serveGuarded(socket, 'tcp', options, accept);
  });
  return bindListener(server, 'tcp', options, () => {
    for (const socket of refused) socket.destroy();
  });
}

/**
 * Tells a refused peer why (a JSON-RPC error line, or an HTTP response) and closes: what it sends is
 * read and dropped so that its hang-up is seen, and it is destroyed after REFUSAL_GRACE_MS either way.
 */
export function sayGoodbye(socket: net.Socket, farewell: string, lingering: Set<net.Socket>): void {
  socket.on('error', () => undefined);
  lingering.add(socket);
  const timer = setTimeout(() => socket.destroy(), REFUSAL_GRACE_MS);
  timer.unref();
  socket.once('close', () => {
    clearTimeout(timer);
    lingering.delete(socket);
  });
  socket.end(farewell);
  socket.resume();
}

export function listenTls(options: TlsListenOptions, accept: AcceptConnection): Promise<Listener> {
  const server = tls.createServer({ handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS, ...options.tls });
  // Raw sockets still in their handshake, by peer address: the TLS socket a handshake produces is a
  // different object, and the peer's address and port are what the two share.
  const handshaking = new Map<string, net.Socket>();
  server.on('connection', (raw: net.Socket) => {
    // Counted before the handshake: handshakes cost memory, and a flood of them is the cheap attack.
    const admission = options.admit?.({ kind: 'tls', remoteAddress: raw.remoteAddress, remotePort: raw.remotePort });
    if (admission?.admitted === false) {
      // Nothing can be said before the handshake, and finishing one for a refusal costs what the cap saves.
      raw.destroy();
      return;
    }
    // The raw socket reports 'close' once, also when its TLS socket was the one destroyed.
    if (admission) raw.once('close', admission.release);
    const key = peerKey(raw);
    handshaking.set(key, raw);
    raw.once('close', () => {
      if (handshaking.get(key) === raw) handshaking.delete(key);
    });
  });
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    handshaking.delete(peerKey(socket));
    serveGuarded(socket, 'tls', options, accept);
  });
  // A failed handshake destroys its socket; there is no session to tell.
  server.on('tlsClientError', () => undefined);
  return bindListener(server, 'tls', options, () => {
    for (const raw of handshaking.values()) raw.destroy();
    handshaking.clear();
  });
}

/** A throw while setting a connection up (a bad option, a hook) loses that connection, not the process. */
function serveGuarded(socket: net.Socket, kind: TransportKind, options: TcpListenOptions, accept: AcceptConnection): void {
  try {
    serveSocket(socket, kind, options, accept);
  } catch (e) {
    socket.destroy();
    options.onError?.(e instanceof Error ? e : new Error(String(e)));
  }
}

/**
 * What the server writes to one socket in one turn of the event loop, sent as one write when the turn
 * ends (a microtask). A block's fan-out gives every connection a header and its script hash statuses in
 * the same turn, and each socket write is a system call (most of a 10,000-connection fan-out's time, see
 * README Benchmarks): one write per connection per turn instead of one per message. Order is kept: every
 * message to the socket goes through here.
 */
export class TurnWriter {
  readonly #socket: net.Socket;
  #queued: string[] = [];
  #queuedBytes = 0;
  readonly #flush = () => this.flush();

  constructor(socket: net.Socket) {
    this.#socket = socket;
  }

  /** Bytes waiting for the end of the turn plus those the socket holds: what the server's write cap counts. */
  get bufferedBytes(): number {
    // Text length stands in for the queued part's bytes: exact for ASCII, under by at most 3x otherwise, and only
    // for what one turn queued; once flushed, the socket counts the bytes themselves.
    return this.#queuedBytes + this.#socket.writableLength;
  }

  write(text: string): void {
    this.#queuedBytes += text.length;
    if (this.#queued.push(text) === 1) queueMicrotask(this.#flush);
  }

  /** Writes what waits now (before socket.end(), which would otherwise overtake it); nothing once destroyed. */
  flush(): void {
    const texts = this.#queued;
    if (texts.length === 0) return;
    this.#queued = [];
    this.#queuedBytes = 0;
    if (this.#socket.destroyed) return;
    this.#socket.write(texts.length === 1 ? (texts[0] as string) : texts.join(''));
  }
}

function serveSocket(socket: net.Socket, kind: TransportKind, options: TcpListenOptions, accept: AcceptConnection): void {
  socket.setNoDelay(true);
  socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
  let transport: Transport | undefined;
  const writer = new TurnWriter(socket);
  const connection: ServerConnection = {
    kind,
    remoteAddress: socket.remoteAddress,
    remotePort: socket.remotePort,
    send(text) {
      if (!transport) throw new ClosedError('the connection is not ready');
      transport.send(text);
    },
    close(graceful) {
      if (!graceful || socket.destroyed) {
        socket.destroy();
        return;
      }
      const timer = setTimeout(() => socket.destroy(), END_GRACE_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      writer.flush(); // what was sent before close() goes out before the FIN
      socket.end();
    },
    bufferedBytes: () => writer.bufferedBytes,
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  };
  const handlers = accept(connection);
  // 'fail': an oversize message closes this connection; the framer never buffers more than the limit.
  // Accepted sockets, like client ones, give a fresh Buffer per 'data' event: see nodeFraming.
  try {
    transport = byteStreamTransport(
      socket,
      handlers,
      nodeFraming({ maxMessageSize: options.maxMessageSize ?? DEFAULT_SERVER_LIMITS.maxMessageSize, onOversize: 'fail' }),
      {
        writeText: (text) => writer.write(text),
        partialMessageTimeout: options.partialMessageTimeout ?? DEFAULT_SERVER_LIMITS.partialMessageTimeout,
        // The session holds its own limit (limits.maxBufferedBytes) and drops a client that does not read.
        maxBufferedBytes: Infinity,
      },
    );
  } catch (e) {
    // An unusable option: the session that was just opened must still hear that its connection is gone.
    socket.destroy();
    handlers.close(new ClosedError('the connection could not be set up', { cause: e }));
    throw e;
  }
}

/**
 * Listens and resolves with the Listener: its address, and a close that resolves once every accepted
 * socket has closed (`dropPending` ends what the server itself does not track). Shared by every listener.
 */
export function bindListener(server: net.Server, kind: TransportKind, options: Pick<TcpListenOptions, 'host' | 'port' | 'onError'>, dropPending: () => void): Promise<Listener> {
  const host = options.host ?? DEFAULT_LISTEN_HOST;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      server.on('error', (e) => options.onError?.(e));
      let closed: Promise<void> | undefined;
      resolve({
        kind,
        address() {
          const info = server.address() as net.AddressInfo | null;
          return { kind, host: info?.address ?? host, port: info?.port ?? 0 };
        },
        close() {
          closed ??= new Promise<void>((done) => {
            // Resolves once every accepted socket has closed; the server closes its sessions' sockets.
            server.close(() => done());
            dropPending();
          });
          return closed;
        },
      });
    });
  });
}

function peerKey(socket: net.Socket): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`;
}
