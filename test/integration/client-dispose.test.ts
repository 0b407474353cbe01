// `await using` and close(): both clients are async disposables, and close() resolves once the socket
// itself has closed (a TCP socket's 'close', a WebSocket's closing handshake), yet never hangs on a socket
// that does not report its close.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ElectrumClient } from '../../src/electrum.js';
import { MiningClient } from '../../src/mining.js';
import { CLOSE_WAIT_MS } from '../../src/runtime/connection.js';
import { ClosedError } from '../../src/runtime/errors.js';
import { streamConnector, type ByteStream } from '../../src/runtime/transport.js';
import { webSocketConnector, type WebSocketConstructor } from '../../src/runtime/websocket.js';
import { startFakeElectrum, type FakeServer, type Handler } from '../helpers/fake-electrum.js';
import { standardPool, startFakePool, type FakePool } from '../helpers/fake-pool.js';
import { until } from '../helpers/wait.js';

let servers: (FakeServer | FakePool)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const banner: Handler = (method) => (method === 'server.banner' ? { result: 'hi' } : undefined);

async function electrum(kind: 'tcp' | 'ws' = 'tcp'): Promise<FakeServer> {
  const s = await startFakeElectrum(banner, { kind });
  servers.push(s);
  return s;
}

/** A TCP connector that hands the test the socket it opened. */
function tcpTo(port: number, sockets: net.Socket[]) {
  return streamConnector(async () => {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    sockets.push(socket);
    return socket;
  });
}

describe('await using', () => {
  it('closes an ElectrumClient when its scope ends', async () => {
    const server = await electrum();
    const sockets: net.Socket[] = [];
    let outside: ElectrumClient | undefined;
    {
      await using client = await ElectrumClient.connect(server.url, { keepAlive: false, connector: tcpTo(server.port, sockets) });
      outside = client;
      expect(await client.server.banner()).toBe('hi');
      expect(client.closed).toBe(false);
    }
    expect(outside.closed).toBe(true);
    // The disposer waited for the socket's own close event, not just for destroy() to be called.
    expect(sockets[0]?.closed).toBe(true);
    await expect(outside.server.banner()).rejects.toBeInstanceOf(ClosedError);
  });

  it('closes a MiningClient when its scope ends', async () => {
    const pool = await startFakePool(standardPool());
    servers.push(pool);
    const sockets: net.Socket[] = [];
    let outside: MiningClient | undefined;
    {
      await using miner = await MiningClient.connect(pool.url, { connector: tcpTo(pool.port, sockets), optionalReplyTimeout: 50 });
      outside = miner;
      await miner.start({ user: 'w', password: 'x' });
      expect(miner.currentJob?.jobId).toBe('bf');
    }
    expect(outside.closed).toBe(true);
    expect(sockets[0]?.closed).toBe(true);
  });

  it('uses the engine’s Symbol.asyncDispose on Node', async () => {
    const server = await electrum();
    const client = await ElectrumClient.connect(server.url, { keepAlive: false });
    expect(typeof Symbol.asyncDispose).toBe('symbol');
    await client[Symbol.asyncDispose]();
    expect(client.closed).toBe(true);
  });
});

describe('close()', () => {
  it('resolves once a WebSocket has finished its closing handshake', async () => {
    const server = await electrum('ws');
    const opened: WebSocket[] = [];
    class Recorded extends WebSocket {
      constructor(url: string) {
        super(url);
        opened.push(this);
      }
    }
    const connector = webSocketConnector(server.url, { WebSocket: Recorded as unknown as WebSocketConstructor });
    const client = await ElectrumClient.connect(server.url, { keepAlive: false, connector });
    expect(await client.server.banner()).toBe('hi');
    await client.close();
    expect(opened[0]?.readyState).toBe(WebSocket.CLOSED);
  });

  it('can be called without awaiting, and again: every call settles with the first', async () => {
    const server = await electrum();
    const client = await ElectrumClient.connect(server.url, { keepAlive: false });
    const closes: unknown[] = [];
    client.on('close', (error) => closes.push(error));
    const first = client.close();
    const second = client.close();
    expect(second).toBe(first);
    await expect(first).resolves.toBeUndefined();
    expect(closes).toEqual([undefined]);
  });

  it('does not wait for ever on a socket that never reports its close', async () => {
    // A stream brought by the caller that ignores destroy(): only the wait's bound ends close().
    const silent: ByteStream = { write: () => true, destroy: () => undefined, on: () => undefined };
    const miner = await MiningClient.connect('stratum+tcp://pool.invalid:3333', { connector: streamConnector(async () => silent) });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let settled = false;
    const closing = miner.close().then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(CLOSE_WAIT_MS - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await closing;
    expect(settled).toBe(true);
    expect(miner.closed).toBe(true);
  });

  it('stops a client that is still connecting and settles', async () => {
    // A server that accepts and never answers server.version: the client is in its handshake.
    const silent = net.createServer((socket) => socket.resume());
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const sockets: net.Socket[] = [];
      const client = new ElectrumClient(`tcp://127.0.0.1:${port}`, { keepAlive: false, connector: tcpTo(port, sockets) });
      const connecting = client.connect().catch((e: unknown) => e);
      await until(() => sockets.length === 1);
      await client.close();
      expect(await connecting).toBeInstanceOf(ClosedError);
      expect(sockets[0]?.closed).toBe(true);
      expect(client.state).toBe('closed');
    } finally {
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
