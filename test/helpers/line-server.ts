// A scriptable newline-JSON server on 127.0.0.1 for client tests: the test decides what bytes go back.
import net from 'node:net';

export interface ScriptedConnection {
  readonly socket: net.Socket;
  /** Parsed messages received so far. */
  readonly received: Record<string, unknown>[];
  /** Writes raw text (no newline added). */
  raw(text: string): void;
  /** Writes one JSON message and a newline. */
  send(message: unknown): void;
}

export interface LineServer {
  readonly port: number;
  readonly url: string;
  readonly connections: ScriptedConnection[];
  close(): Promise<void>;
}

export type OnMessage = (message: Record<string, unknown>, conn: ScriptedConnection) => void;

/** Answers server.version with `version` unless `onMessage` handles it; everything else goes to `onMessage`. */
export async function startLineServer(onMessage: OnMessage, version: [string, string] = ['TestServer 1.0', '1.4']): Promise<LineServer> {
  const connections: ScriptedConnection[] = [];
  const server = net.createServer((socket) => {
    const conn: ScriptedConnection = {
      socket,
      received: [],
      raw: (text) => {
        if (!socket.destroyed) socket.write(text);
      },
      send: (message) => conn.raw(`${JSON.stringify(message)}\n`),
    };
    connections.push(conn);
    let buffer = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const message = JSON.parse(line) as Record<string, unknown>;
        conn.received.push(message);
        if (message['method'] === 'server.version' && version) conn.send({ jsonrpc: '2.0', id: message['id'], result: version });
        else onMessage(message, conn);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function reply(message: Record<string, unknown>, result: unknown) {
  return { jsonrpc: '2.0', id: message['id'], result };
}
