// Shared by the fuzz and fault suite (test/fuzz): seeds that can be replayed, byte helpers, a watch on
// process-level failures, hostile peers (a server whose every byte the test chooses, over TCP or
// WebSocket) and raw clients for attacking the servers.
import net from 'node:net';
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { random } from '../helpers/random.js';

// ---------------------------------------------------------------------------------------------------
// Seeds

/**
 * The seeds a fuzz test runs with: `defaults`, or only the one in STRATUM_FUZZ_SEED (a failing test's
 * name says its seed: `STRATUM_FUZZ_SEED=7 npx vitest run test/fuzz/framing.test.ts` replays it).
 */
export function fuzzSeeds(defaults: readonly number[]): number[] {
  const env = process.env['STRATUM_FUZZ_SEED'];
  if (env === undefined || env === '') return [...defaults];
  const seed = Number(env);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`STRATUM_FUZZ_SEED must be an integer, got ${env}`);
  return [seed];
}

/** A seeded generator with the helpers the fuzzers use. */
export class Rng {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = random(seed);
  }
  /** [0, 1) */
  float(): number {
    return this.#next();
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from nothing');
    return items[Math.floor(this.#next() * items.length)] as T;
  }
  /** One of `choices` by weight. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    const total = choices.reduce((n, [w]) => n + w, 0);
    let at = this.#next() * total;
    for (const [w, value] of choices) {
      if (at < w) return value;
      at -= w;
    }
    return (choices.at(-1) as readonly [number, T])[1];
  }
}

// ---------------------------------------------------------------------------------------------------
// Bytes

const encoder = new TextEncoder();
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

/** Joins strings (as UTF-8) and byte arrays into one array. */
export function bytes(...parts: (string | Uint8Array | readonly number[])[]): Uint8Array {
  const arrays = parts.map((p) => (typeof p === 'string' ? utf8(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** Cuts data into chunks of random lengths: single bytes, small pieces, large pieces and the rest. */
export function randomChunks(data: Uint8Array, rng: Rng): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    const length = rng.weighted<() => number>([
      [2, () => rng.int(1, 3)],
      [4, () => rng.int(1, 100)],
      [3, () => rng.int(100, 9000)],
      [1, () => data.length - at],
    ])();
    chunks.push(data.subarray(at, Math.min(data.length, at + length)));
    at += length;
  }
  return chunks;
}

// ---------------------------------------------------------------------------------------------------
// Process-level failures

/**
 * Records every uncaught exception and unhandled rejection while it is on. vitest reports those too,
 * but as a failure of the whole run; this makes the test that caused one fail, saying what it was.
 */
export function watchProcess(): { readonly seen: unknown[]; stop(): void } {
  const seen: unknown[] = [];
  const onError = (e: unknown) => void seen.push(e);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    seen,
    stop() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// A hostile peer: a server on 127.0.0.1 that hands each parsed message to the test, and lets it write
// anything back (text lines, raw bytes, half a line and a close).

export type PeerKind = 'tcp' | 'ws';

export interface PeerConnection {
  readonly kind: PeerKind;
  /** Parsed messages received (what did not parse is kept as `{ unparsed: text }`). */
  readonly received: unknown[];
  /** One message: TCP adds the newline, WebSocket sends it as one text frame. */
  send(text: string): void;
  /** TCP: the text with its newline, written in pieces cut at the given byte offsets. WebSocket: as send(). */
  sendSplit(text: string, cuts: readonly number[]): void;
  /** Bytes as one message: TCP adds the newline, WebSocket sends a binary frame. */
  sendBytes(data: Uint8Array): void;
  /** WebSocket only: bytes in a text frame, whatever they are (TCP: as sendBytes). */
  sendTextFrame(data: Uint8Array): void;
  /** The start of a message and then an abrupt close. */
  cutAndClose(text: string): void;
  /** Closes once what was written is out (TCP end, WebSocket close handshake). */
  end(): void;
  /** Drops the connection now. */
  close(): void;
  readonly closed: boolean;
}

export type PeerScript = (message: unknown, conn: PeerConnection) => void;

export interface Peer {
  readonly url: string;
  readonly connections: PeerConnection[];
  close(): Promise<void>;
}

/** `url` is `tcp://` or `ws://` for Electrum clients; mining clients want `stratum+tcp://` (see poolUrl). */
export async function startPeer(kind: PeerKind, script: PeerScript, onConnection?: (conn: PeerConnection) => void): Promise<Peer> {
  const connections: PeerConnection[] = [];
  const sockets = new Set<net.Socket>();
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return { unparsed: text };
    }
  };
  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    let closed = false;
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      sockets.delete(socket);
    });
    const write = (data: string | Uint8Array) => {
      if (!socket.destroyed) socket.write(data);
    };
    const conn: PeerConnection = {
      kind: 'tcp',
      received: [],
      send: (text) => write(`${text}\n`),
      sendSplit: (text, cuts) => {
        const data = utf8(`${text}\n`);
        let from = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          if (cut <= from || cut >= data.length) continue;
          write(data.subarray(from, cut));
          from = cut;
        }
        write(data.subarray(from));
      },
      sendBytes: (data) => write(bytes(data, '\n')),
      sendTextFrame: (data) => write(bytes(data, '\n')),
      cutAndClose: (text) => {
        const data = utf8(text);
        write(data.subarray(0, Math.max(1, data.length >> 1)));
        socket.end(() => socket.destroy());
        closed = true;
      },
      end: () => {
        closed = true;
        socket.end();
      },
      close: () => {
        closed = true;
        socket.destroy();
      },
      get closed() {
        return closed || socket.destroyed;
      },
    };
    connections.push(conn);
    onConnection?.(conn);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (conn.closed) return;
        const message = parse(line);
        conn.received.push(message);
        script(message, conn);
      }
    });
  };
  let server: net.Server;
  let wss: WebSocketServer | undefined;
  if (kind === 'tcp') server = net.createServer(onSocket);
  else {
    const httpServer = http.createServer();
    server = httpServer;
    httpServer.on('connection', (s: net.Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    wss = new WebSocketServer({ server: httpServer, perMessageDeflate: false });
    wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
      let closed = false;
      ws.on('error', () => undefined);
      ws.on('close', () => void (closed = true));
      const open = () => !closed && ws.readyState === WebSocket.OPEN;
      // A drop without a closing handshake, after what was sent: the TCP connection is ended (FIN) once the
      // frames handed to ws are written. terminate() would destroy the socket, discarding frames still
      // queued on a loaded machine, and a socket destroyed with unread requests in its buffer sends a
      // reset, on which the client's kernel drops answers it has not read yet: answers sent before the
      // drop would be lost, which no peer intends.
      let unflushed = 0;
      let dropWhenFlushed = false;
      const drop = () => req.socket.end();
      const flushed = () => {
        unflushed--;
        if (dropWhenFlushed && unflushed === 0) drop();
      };
      const frame = (data: string | Uint8Array, options: { binary: boolean }) => {
        if (!open()) return;
        unflushed++;
        ws.send(data, options, flushed);
      };
      const conn: PeerConnection = {
        kind: 'ws',
        received: [],
        send: (text) => frame(text, { binary: false }),
        sendSplit: (text) => frame(text, { binary: false }),
        sendBytes: (data) => frame(data, { binary: true }),
        sendTextFrame: (data) => frame(data, { binary: false }),
        cutAndClose: (text) => {
          frame(text.slice(0, Math.max(1, text.length >> 1)), { binary: false });
          closed = true;
          // Dropped once the half message is out: a WebSocket drop without a closing handshake.
          if (unflushed === 0) drop();
          else dropWhenFlushed = true;
        },
        end: () => {
          closed = true;
          ws.close(1000);
        },
        close: () => {
          closed = true;
          if (unflushed === 0) drop();
          else dropWhenFlushed = true;
        },
        get closed() {
          return closed;
        },
      };
      connections.push(conn);
      onConnection?.(conn);
      ws.on('message', (data, isBinary) => {
        if (conn.closed) return;
        const message = parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data));
        conn.received.push(message);
        script(message, conn);
      });
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${kind}://127.0.0.1:${port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss?.clients ?? []) c.terminate();
        for (const s of sockets) s.destroy();
        wss?.close();
        server.close(() => resolve());
      }),
  };
}

/** A TCP peer's URL for a mining client. */
export const poolUrl = (peer: Peer): string => peer.url.replace(/^tcp:/, 'stratum+tcp:');

// ---------------------------------------------------------------------------------------------------
// Raw clients for attacking servers: newline JSON over TCP, or WebSocket messages.

export interface RawConnection {
  /** Every message received, parsed (what did not parse: `{ unparsed: text }`). */
  readonly received: unknown[];
  /** The length of each received message's text, in the order of `received`. */
  readonly sizes: number[];
  /** One message: TCP adds the newline; WebSocket sends text as a text frame and bytes as a binary frame. */
  send(data: string | Uint8Array): void;
  /** Bytes as one message (as send). */
  sendBytes(data: Uint8Array): void;
  /** WebSocket: bytes in a text frame (TCP: as send). */
  sendTextFrame(data: Uint8Array): void;
  /** Resolves with the first received message (from the start) that `match` accepts; rejects when the connection closes first. */
  next(match: (message: unknown) => boolean): Promise<unknown>;
  /** Resolves once the connection has closed, with the WebSocket close code (TCP: 0). */
  readonly whenClosed: Promise<number>;
  readonly closed: boolean;
  close(): void;
}

function rawConnection(
  write: (data: string | Uint8Array) => void,
  writeTextFrame: (data: Uint8Array) => void,
  end: () => void,
): { conn: RawConnection; receive(text: string): void; closed(code: number): void } {
  const received: unknown[] = [];
  const sizes: number[] = [];
  const waiters = new Set<{ match: (m: unknown) => boolean; resolve: (m: unknown) => void; reject: (e: Error) => void }>();
  let isClosed = false;
  let resolveClosed!: (code: number) => void;
  const whenClosed = new Promise<number>((resolve) => (resolveClosed = resolve));
  const conn: RawConnection = {
    received,
    sizes,
    send: (data) => void (!isClosed && write(data)),
    sendBytes: (data) => void (!isClosed && write(data)),
    sendTextFrame: (data) => void (!isClosed && writeTextFrame(data)),
    next: (match) => {
      const found = received.find(match);
      if (found !== undefined) return Promise.resolve(found);
      if (isClosed) return Promise.reject(new Error(`closed before an awaited message; got ${received.length} messages`));
      return new Promise((resolve, reject) => waiters.add({ match, resolve, reject }));
    },
    whenClosed,
    get closed() {
      return isClosed;
    },
    close: end,
  };
  return {
    conn,
    receive(text) {
      let message: unknown;
      try {
        message = JSON.parse(text) as unknown;
      } catch {
        message = { unparsed: text.slice(0, 200) };
      }
      received.push(message);
      sizes.push(text.length);
      for (const w of [...waiters]) {
        if (w.match(message)) {
          waiters.delete(w);
          w.resolve(message);
        }
      }
    },
    closed(code) {
      if (isClosed) return;
      isClosed = true;
      for (const w of waiters) w.reject(new Error(`closed before an awaited message; got ${received.length} messages`));
      waiters.clear();
      resolveClosed(code);
    },
  };
}

export function rawTcp(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const write = (data: string | Uint8Array) => {
      if (!socket.destroyed) socket.write(typeof data === 'string' ? `${data}\n` : bytes(data, '\n'));
    };
    const raw = rawConnection(write, write, () => socket.destroy());
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        raw.receive(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => raw.closed(0));
    socket.once('connect', () => resolve(raw.conn));
    socket.once('error', reject);
  });
}

export function rawWs(url: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const open = () => ws.readyState === WebSocket.OPEN;
    const raw = rawConnection(
      (data) => void (open() && ws.send(data, { binary: typeof data !== 'string' })),
      (data) => void (open() && ws.send(data, { binary: false })),
      () => ws.terminate(),
    );
    ws.on('message', (data, isBinary) => raw.receive(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data)));
    ws.on('error', () => undefined);
    ws.on('close', (code) => raw.closed(code));
    ws.once('open', () => resolve(raw.conn));
    ws.once('error', reject);
  });
}

/** A member of a parsed message, when it is an object. */
export function field(message: unknown, key: string): unknown {
  return typeof message === 'object' && message !== null && !Array.isArray(message) && Object.hasOwn(message, key)
    ? (message as Record<string, unknown>)[key]
    : undefined;
}

/** The error code of a reply, in either encoding: `{code, message}` or Stratum's `[code, message, data]`. */
export function errorCode(message: unknown): unknown {
  const error = field(message, 'error');
  if (Array.isArray(error)) return error[0];
  return field(error, 'code');
}

/** Resolves or rejects as `promise` does, or rejects naming `what` after `ms` milliseconds. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`gave up after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** How a promise settled, as a value. */
export function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** A promise and its settlers. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
