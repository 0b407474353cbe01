// A scripted Stratum V1 pool on 127.0.0.1 (TCP or TLS) for client tests: JSON-RPC 1.0 as pools speak it
// (no "jsonrpc", "id": null notifications, "error": null on success). The test decides every byte.
import net from 'node:net';
import tls from 'node:tls';

export interface PoolMessage {
  readonly id?: unknown;
  readonly method?: string;
  readonly params?: unknown[];
  readonly result?: unknown;
  readonly error?: unknown;
  readonly [key: string]: unknown;
}

export type Match = string | ((message: PoolMessage) => boolean);

export interface PoolConnection {
  readonly socket: net.Socket;
  /** Parsed messages received so far, in order. */
  readonly received: PoolMessage[];
  /** Writes raw text (no newline added). */
  raw(text: string): void;
  /** Writes one JSON message and a newline. */
  send(message: unknown): void;
  /** A notification: `{"id": null, "method", "params"}`. */
  notify(method: string, params: unknown[]): void;
  /** A success reply `{"id", "result", "error": null}` plus any extra members. */
  reply(request: PoolMessage, result: unknown, extra?: Record<string, unknown>): void;
  /** An error reply `{"id", "result": null, "error"}`; `error` is sent as given (array, string, object, true). */
  fail(request: PoolMessage, error: unknown, extra?: Record<string, unknown>): void;
  /** The first message (received already or still to come) with this method, or matching the predicate. */
  next(match: Match): Promise<PoolMessage>;
}

export interface FakePool {
  readonly port: number;
  /** `stratum+tcp://127.0.0.1:<port>` (or `stratum+ssl://` for a TLS pool). */
  readonly url: string;
  readonly connections: PoolConnection[];
  /** Resolves with the connection number `index` (0 is the first) once it is open. */
  connection(index: number): Promise<PoolConnection>;
  close(): Promise<void>;
}

export type Script = (message: PoolMessage, conn: PoolConnection) => void;

export interface FakePoolOptions {
  /** Serve TLS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export async function startFakePool(script: Script, options: FakePoolOptions = {}): Promise<FakePool> {
  const connections: PoolConnection[] = [];
  const connectionWaiters: (() => void)[] = [];
  const onSocket = (socket: net.Socket) => {
    const waiters: { match: (m: PoolMessage) => boolean; resolve: (m: PoolMessage) => void }[] = [];
    const conn: PoolConnection = {
      socket,
      received: [],
      raw: (text) => {
        if (!socket.destroyed) socket.write(text);
      },
      send: (message) => conn.raw(`${JSON.stringify(message)}\n`),
      notify: (method, params) => conn.send({ id: null, method, params }),
      reply: (request, result, extra = {}) => conn.send({ id: request.id, result, error: null, ...extra }),
      fail: (request, error, extra = {}) => conn.send({ id: request.id, result: null, error, ...extra }),
      next: (match) => {
        const test = typeof match === 'string' ? (m: PoolMessage) => m.method === match : match;
        const found = conn.received.find(test);
        return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ match: test, resolve }));
      },
    };
    connections.push(conn);
    for (const wake of connectionWaiters.splice(0)) wake();
    let buffer = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const message = JSON.parse(line) as PoolMessage;
        conn.received.push(message);
        for (let i = waiters.length - 1; i >= 0; i--) {
          const w = waiters[i]!;
          if (w.match(message)) {
            waiters.splice(i, 1);
            w.resolve(message);
          }
        }
        script(message, conn);
      }
    });
  };
  const server = options.tls ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, onSocket) : net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `${options.tls ? 'stratum+ssl' : 'stratum+tcp'}://127.0.0.1:${port}`,
    connections,
    connection: async (index) => {
      while (connections.length <= index) await new Promise<void>((resolve) => connectionWaiters.push(resolve));
      return connections[index]!;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export const EXTRANONCE1 = '08000002';
export const SESSION_ID = 'ae6812eb4cd7735a302a8a9dd95cf71f';
export const PREVHASH = '4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000';
export const COINB1 = '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff20020862062f503253482f04b8864e5008';
export const COINB2 = '072f736c7573682f000000000100f2052a010000001976a914d23fcdf86f7e756a64a7a9688ef9903327048ed988ac00000000';

/** The params of a mining.notify with this job id (the Slush manual's job, other fields kept). */
export function job(jobId: string, cleanJobs = false): unknown[] {
  return [jobId, PREVHASH, COINB1, COINB2, [], '00000002', '1c2ac4af', '504e86b9', cleanJobs];
}

export interface StandardPoolSettings {
  readonly extranonce1?: string;
  readonly extranonce2Size?: number;
  readonly sessionId?: string;
  readonly difficulty?: number;
  /** The mining.configure answer; undefined: never answer it (node-stratum-pool). */
  readonly configure?: Record<string, unknown>;
}

/**
 * A pool that behaves like ckpool and node-stratum-pool on the happy path: answers subscribe, sends
 * mining.set_difficulty and the first clean mining.notify BEFORE answering authorize, accepts every share,
 * and never answers suggest_difficulty, extranonce.subscribe or unknown methods.
 */
export function standardPool(settings: StandardPoolSettings = {}, override?: (message: PoolMessage, conn: PoolConnection) => boolean | void): Script {
  const sessionId = settings.sessionId ?? SESSION_ID;
  return (m, conn) => {
    // `override` goes first and returns true for a message it answered.
    if (override?.(m, conn) === true) return;
    switch (m.method) {
      case 'mining.configure':
        if (settings.configure) conn.reply(m, settings.configure);
        return;
      case 'mining.subscribe':
        conn.reply(m, [[['mining.notify', sessionId]], settings.extranonce1 ?? EXTRANONCE1, settings.extranonce2Size ?? 4]);
        return;
      case 'mining.authorize':
        conn.notify('mining.set_difficulty', [settings.difficulty ?? 1024]);
        conn.notify('mining.notify', job('bf', true));
        conn.reply(m, true);
        return;
      case 'mining.submit':
        conn.reply(m, true);
        return;
    }
  };
}
