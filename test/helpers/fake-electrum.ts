// A scriptable Electrum-like server for client tests, over TCP, TLS, WebSocket or secure WebSocket on
// 127.0.0.1. The test supplies one function that answers each request (or stays silent).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';

export type Kind = 'tcp' | 'tls' | 'ws' | 'wss';

export interface FakeConnection {
  readonly received: Record<string, unknown>[];
  /** Sends one message (a notification, a stray reply). */
  send(message: unknown): void;
  /** Drops the connection abruptly. */
  kill(): void;
}

/** The answer to one request: a result, an error, or nothing at all (undefined). */
export type Answer = { result: unknown } | { error: { code: number; message: string } } | undefined;
export type Handler = (method: string, params: unknown[], conn: FakeConnection) => Answer | Promise<Answer>;

export interface FakeServer {
  readonly url: string;
  readonly port: number;
  readonly connections: FakeConnection[];
  /** Sends a message to every open connection. */
  broadcast(message: unknown): void;
  /** Stops accepting: new connections are refused until `resume()`. Existing ones are dropped. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tls');
export const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

export interface FakeOptions {
  readonly kind?: Kind;
  /** Certificate fixture base name for tls/wss: 'self-signed', 'other-self-signed' or 'localhost' (CA-signed). */
  readonly cert?: string;
  /** Port to listen on (0: any free one). */
  readonly port?: number;
}

/** server.version answers `version` unless the handler answers it itself. */
export async function startFakeElectrum(handler: Handler, options: FakeOptions = {}, version: [string, string] = ['FakeX 1.0', '1.4']): Promise<FakeServer> {
  const kind = options.kind ?? 'tcp';
  const connections: FakeConnection[] = [];
  const live = new Set<FakeConnection>();

  const serve = (write: (text: string) => void, kill: () => void) => {
    const conn: FakeConnection = {
      received: [],
      send: (message) => write(JSON.stringify(message)),
      kill,
    };
    connections.push(conn);
    live.add(conn);
    const answerOne = async (m: Record<string, unknown>): Promise<unknown> => {
      conn.received.push(m);
      const method = String(m['method']);
      const params = (m['params'] ?? []) as unknown[];
      const answer = (await handler(method, params, conn)) ?? (method === 'server.version' ? { result: version } : undefined);
      if (answer === undefined) return undefined;
      return { jsonrpc: '2.0', id: m['id'], ...answer };
    };
    const onText = async (text: string) => {
      const value = JSON.parse(text) as Record<string, unknown> | Record<string, unknown>[];
      if (Array.isArray(value)) {
        const replies = (await Promise.all(value.map(answerOne))).filter((r) => r !== undefined);
        // Batch replies in reverse order: clients must match them by id.
        if (replies.length) write(JSON.stringify(replies.reverse()));
      } else {
        const r = await answerOne(value);
        if (r !== undefined) write(JSON.stringify(r));
      }
    };
    return { conn, onText, gone: () => live.delete(conn) };
  };

  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    const { onText, gone } = serve(
      (text) => void (!socket.destroyed && socket.write(`${text}\n`)),
      () => socket.destroy(),
    );
    let buffer = '';
    socket.on('error', () => undefined);
    socket.on('close', () => (sockets.delete(socket), gone()));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        void onText(line);
      }
    });
  };
  const onWebSocket = (ws: WebSocket) => {
    const { onText, gone } = serve(
      (text) => ws.readyState === ws.OPEN && ws.send(text),
      () => ws.terminate(),
    );
    ws.on('close', gone);
    ws.on('message', (data) => void onText(data.toString()));
  };

  const certName = options.cert ?? 'self-signed';
  const secure = kind === 'tls' || kind === 'wss';
  const tlsOptions = secure ? { cert: fixture(`${certName}.pem`), key: fixture(`${certName}.key`) } : {};
  let server: net.Server;
  let wss: WebSocketServer | undefined;
  if (kind === 'tcp') server = net.createServer(onSocket);
  else if (kind === 'tls') server = tls.createServer(tlsOptions, onSocket);
  else {
    const httpServer = kind === 'wss' ? https.createServer(tlsOptions) : http.createServer();
    server = httpServer;
    wss = new WebSocketServer({ server: httpServer });
    wss.on('connection', onWebSocket);
    server.on('connection', (s: net.Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  }

  let port = options.port ?? 0;
  const listen = () => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      port = (server.address() as net.AddressInfo).port;
      resolve();
    });
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const c of wss?.clients ?? []) c.terminate();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  await listen();
  const scheme = kind;
  return {
    get url() {
      return `${scheme}://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    connections,
    broadcast: (message) => {
      for (const c of live) c.send(message);
    },
    pause: stop,
    resume: listen,
    close: async () => {
      await stop();
      wss?.close();
    },
  };
}
