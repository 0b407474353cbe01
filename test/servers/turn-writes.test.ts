// The TCP listener writes what a session sends in one turn of the event loop as one socket write
// (TurnWriter): order kept, a graceful close flushes first, the server's write cap counts what waits,
// and a fan-out to many connections reaches every one of them.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TurnWriter } from '../../src/runtime/node/listen.js';
import { createElectrumServer, type ElectrumHandlers, type ElectrumServer, type ElectrumServerOptions } from '../../src/servers/electrum-server.js';
import { RawClient } from './helpers.js';

const GENESIS =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';
const hash = (n: number) => n.toString(16).padStart(64, '0');

const handlers: ElectrumHandlers = {
  'server.banner': () => 'hello',
  'blockchain.scripthash.subscribe': ([scripthash], session) => {
    session.subscribe('blockchain.scripthash.subscribe', scripthash);
    return null;
  },
  'blockchain.headers.subscribe': (_params, session) => {
    session.subscribe('blockchain.headers.subscribe');
    return { height: 0, hex: GENESIS };
  },
};

let servers: ElectrumServer[] = [];
let cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups) c();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  cleanups = [];
});

async function start(options: Partial<ElectrumServerOptions<undefined>> = {}) {
  const server = await createElectrumServer({ handlers, listen: { tcp: {} }, ...options });
  servers.push(server);
  return { server, port: server.address('tcp')!.port };
}

async function connect(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port);
  cleanups.push(() => client.close());
  return client;
}

/** A connected pair of plain sockets: the server side, with its write calls counted, and the peer's received text. */
async function socketPair() {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const peer = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  const socket = await accepted;
  cleanups.push(() => {
    peer.destroy();
    socket.destroy();
    listener.close();
  });
  const writes: string[] = [];
  const write = socket.write.bind(socket);
  socket.write = ((chunk: string) => {
    writes.push(chunk);
    return write(chunk);
  }) as typeof socket.write;
  let received = '';
  peer.setEncoding('utf8');
  peer.on('data', (chunk: string) => (received += chunk));
  const ended = new Promise<void>((resolve) => peer.once('end', resolve));
  return { socket, peer, writes, received: () => received, ended };
}

describe('TurnWriter', () => {
  it('writes the texts of one turn as one socket write, in order, and counts them until then', async () => {
    const { socket, writes, received, ended } = await socketPair();
    const writer = new TurnWriter(socket);
    writer.write('a\n');
    writer.write('bb\n');
    writer.write('ccc\n');
    expect(writes).toEqual([]);
    expect(writer.bufferedBytes).toBe(9);
    await Promise.resolve();
    expect(writes).toEqual(['a\nbb\nccc\n']);
    writer.write('d\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['a\nbb\nccc\n', 'd\n']);
    socket.end();
    await ended;
    expect(received()).toBe('a\nbb\nccc\nd\n');
  });

  it('flush() writes at once (what a graceful close does before end), and drops what waits on a destroyed socket', async () => {
    const { socket, writes, received, ended } = await socketPair();
    const writer = new TurnWriter(socket);
    writer.write('first\n');
    writer.write('second\n');
    writer.flush();
    expect(writes).toEqual(['first\nsecond\n']);
    socket.end();
    await ended;
    expect(received()).toBe('first\nsecond\n');
    writer.write('late\n');
    socket.destroy();
    writer.flush();
    expect(writes).toHaveLength(1);
    expect(writer.bufferedBytes).toBe(0);
  });
});

describe('server writes over TCP', () => {
  it('keeps each connection\'s messages in order when a turn writes a header and statuses to many connections', async () => {
    // 40 connections from one address: over the default per-address cap.
    const { server, port } = await start({ limits: { maxConnectionsPerAddress: 100 } });
    const clients = await Promise.all(Array.from({ length: 40 }, () => connect(port)));
    await Promise.all(
      clients.map(async (c, i) => {
        c.send({ jsonrpc: '2.0', id: 1, method: 'blockchain.headers.subscribe', params: [] });
        c.send({ jsonrpc: '2.0', id: 2, method: 'blockchain.scripthash.subscribe', params: [hash(i)] });
        c.send({ jsonrpc: '2.0', id: 3, method: 'blockchain.scripthash.subscribe', params: [hash(1000 + i)] });
        await c.inbox.take(3);
      }),
    );
    // One block's fan-out, all in one turn: the header to everyone, then each script hash's status.
    for (let block = 1; block <= 3; block++) {
      expect(server.notifySubscribers('blockchain.headers.subscribe', [{ height: block, hex: GENESIS }])).toBe(40);
      for (let i = 0; i < 40; i++) {
        server.notifySubscribers('blockchain.scripthash.subscribe', hash(i), [hash(i), hash(block)]);
        server.notifySubscribers('blockchain.scripthash.subscribe', hash(1000 + i), [hash(1000 + i), null]);
      }
    }
    await Promise.all(
      clients.map(async (c, i) => {
        const messages = (await c.inbox.take(12)).slice(3) as { method: string; params: unknown[] }[];
        expect(messages.map((m) => m.params)).toEqual(
          [1, 2, 3].flatMap((block) => [[{ height: block, hex: GENESIS }], [hash(i), hash(block)], [hash(1000 + i), null]]),
        );
      }),
    );
  });

  it('a notification sent in the same turn as a graceful close still reaches the client before the end', async () => {
    const { server, port } = await start();
    const c = await connect(port);
    expect(await c.call(1, 'blockchain.headers.subscribe', [])).toMatchObject({ result: { height: 0 } });
    const session = [...server.sessions][0]!;
    session.notify('blockchain.headers.subscribe', [{ height: 7, hex: GENESIS }]);
    session.close();
    await c.closed();
    expect(c.inbox.messages.at(-1)).toMatchObject({ method: 'blockchain.headers.subscribe', params: [{ height: 7 }] });
  });

  it('the write cap counts what waits for the end of the turn: a turn that queues more than maxBufferedBytes drops the client', async () => {
    const { server, port } = await start({ limits: { maxBufferedBytes: 16 * 1024 } });
    const c = await connect(port);
    const other = await connect(port);
    await c.call(1, 'server.banner', []);
    const session = [...server.sessions][0]!;
    const closed = new Promise<unknown>((resolve) => session.on('close', resolve));
    // About 10 kB each, all in one turn: nothing reached the socket yet, so only the queued bytes can trip the cap.
    const header = { height: 1, hex: GENESIS.repeat(60) };
    const accepted = [0, 1, 2, 3].map(() => session.notify('blockchain.headers.subscribe', [header]));
    expect(accepted).toEqual([true, true, false, false]);
    expect(String(await closed)).toMatch(/not reading: more than 16384 bytes/);
    expect(await other.call(1, 'server.banner', [])).toMatchObject({ result: 'hello' });
  });
});
