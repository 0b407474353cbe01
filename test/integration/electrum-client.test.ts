// ElectrumClient over real sockets on 127.0.0.1, against a server whose every byte the test chooses.
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ElectrumClient } from '../../src/clients/electrum-client.js';
import {
  AbortedError,
  ClosedError,
  ProtocolError,
  ServerError,
  TimeoutError,
  ValidationError,
  VersionMismatchError,
} from '../../src/runtime/errors.js';
import { streamConnector } from '../../src/runtime/transport.js';
import { reply, startLineServer, type LineServer, type OnMessage } from '../helpers/line-server.js';
import { until } from '../helpers/wait.js';

const SH = '8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161';
const STATUS = '78e96c6562cafa71c115503b9411fdfdc595a45031e2ab76ff75162fe1b0590d';
const GENESIS =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';

let servers: LineServer[] = [];
let clients: ElectrumClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

async function setup(onMessage: OnMessage, options: Parameters<typeof ElectrumClient.connect>[1] = {}, version?: [string, string]) {
  const server = await startLineServer(onMessage, version);
  servers.push(server);
  const client = await ElectrumClient.connect(server.url, { keepAlive: false, ...options });
  clients.push(client);
  return { server, client };
}

describe('version negotiation', () => {
  it('sends server.version first with the name and range, and exposes the answer', async () => {
    const { server, client } = await setup(() => undefined, { clientName: 'test/1' }, ['ElectrumX 1.20.0', '1.6.0']);
    expect(server.connections[0]!.received[0]).toMatchObject({ method: 'server.version', params: ['test/1', ['1.4', '1.6']] });
    expect(client.protocolVersion).toBe('1.6.0');
    expect(client.serverVersion).toBe('ElectrumX 1.20.0');
  });

  it('refuses a version outside the range', async () => {
    const server = await startLineServer(() => undefined, ['Future 9', '2.0']);
    servers.push(server);
    await expect(ElectrumClient.connect(server.url, { keepAlive: false })).rejects.toBeInstanceOf(VersionMismatchError);
  });

  it('refuses a bad timeout before opening a socket', async () => {
    const server = await startLineServer(() => undefined);
    servers.push(server);
    await expect(ElectrumClient.connect(server.url, { timeout: 0 })).rejects.toBeInstanceOf(RangeError);
    // The server accepts connections in the order they were opened: had the client opened one, it
    // would come before this probe.
    const probe = net.connect(server.port, '127.0.0.1');
    try {
      await once(probe, 'connect');
      await until(() => server.connections.length > 0, 'the probe to reach the server');
      expect(server.connections.map((c) => c.socket.remotePort)).toEqual([probe.localPort]);
    } finally {
      probe.destroy();
    }
  });

  it('refuses a malformed server.version answer', async () => {
    const server = await startLineServer(() => undefined, ['x', 'one'] as [string, string]);
    servers.push(server);
    await expect(ElectrumClient.connect(server.url, { keepAlive: false })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('requests and replies', () => {
  it('binds the generated wrappers and the typed request', async () => {
    const { client } = await setup((m, c) => {
      if (m['method'] === 'server.banner') c.send(reply(m, 'Welcome'));
      if (m['method'] === 'blockchain.scripthash.get_history') c.send(reply(m, [{ height: 200, tx_hash: SH }]));
    });
    expect(await client.server.banner()).toBe('Welcome');
    expect(await client.blockchain.scripthash.getHistory(SH)).toEqual([{ height: 200, tx_hash: SH }]);
    expect(await client.request('server.banner', [])).toBe('Welcome');
  });

  it('resolves a null result as null, not as the envelope', async () => {
    const { client } = await setup((m, c) => c.send(reply(m, null)));
    expect(await client.blockchain.scripthash.subscribe(SH)).toBeNull();
  });

  it('matches replies that arrive in any order, split at every byte, padded', async () => {
    const held: Record<string, unknown>[] = [];
    const { client } = await setup((m, c) => {
      held.push(m);
      if (held.length < 3) return;
      for (const msg of held.reverse()) {
        const text = `{"result": "banner ${String(msg['id'])}"${' '.repeat(3000)},"jsonrpc":"2.0","id":${String(msg['id'])}}\r\n`;
        for (const ch of text) c.raw(ch);
      }
    });
    const answers = await Promise.all([client.server.banner(), client.server.banner(), client.server.banner()]);
    expect(answers).toEqual(answers.map((_, i) => `banner ${i + 2}`));
  });

  it('rejects with the server error code and message', async () => {
    const { client } = await setup((m, c) => c.send({ jsonrpc: '2.0', id: m['id'], error: { code: 1, message: 'history too large' } }));
    const error = await client.blockchain.scripthash.getHistory(SH).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ code: 'SERVER', serverCode: 1, serverMessage: 'history too large', method: 'blockchain.scripthash.get_history' });
  });

  it('rejects a result that breaks the spec, naming method and path', async () => {
    const { client } = await setup((m, c) => c.send(reply(m, [{ height: 'tall', tx_hash: SH }])));
    const error = await client.blockchain.scripthash.getHistory(SH).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/blockchain\.scripthash\.get_history: invalid result: result\[0\]\.height/);
  });

  it('validates by the negotiated version', async () => {
    const headers14 = { count: 1, hex: GENESIS, max: 2016 };
    const { client } = await setup((m, c) => c.send(reply(m, headers14)), {}, ['S', '1.6']);
    await expect(client.blockchain.block.headers(0, 1)).rejects.toBeInstanceOf(ValidationError);
    const loose = await setup((m, c) => c.send(reply(m, headers14)), { validate: false }, ['S', '1.6']);
    expect(await loose.client.blockchain.block.headers(0, 1)).toEqual(headers14);
  });

  it('refuses to send params that break the spec', async () => {
    const { server, client } = await setup(() => undefined);
    // @ts-expect-error a script hash is a string
    await expect(client.blockchain.scripthash.getHistory(5)).rejects.toBeInstanceOf(ValidationError);
    expect(server.connections[0]!.received).toHaveLength(1);
  });
});

describe('requests settle', () => {
  it('times out, by the client default or per request', async () => {
    const { client } = await setup(() => undefined, { timeout: 60_000 });
    const error = await client.request('server.banner', [], { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', method: 'server.banner', timeoutMs: 50 });
    const short = await setup(() => undefined, { timeout: 30 });
    await expect(short.client.server.banner()).rejects.toBeInstanceOf(TimeoutError);
    expect(client.pendingRequests).toBe(0);
    expect(short.client.pendingRequests).toBe(0);
  });

  it('waits for ever with an Infinity timeout and refuses a nonsense one', async () => {
    // The server answers only when the test tells it to.
    const held: Record<string, unknown>[] = [];
    const { server, client } = await setup((m) => void held.push(m));
    const forever = client.request('server.banner', [], { timeout: Infinity });
    // Timers fire in the order they fall due: once this 50 ms timeout has fired, so has any shorter timer
    // the first request had (setTimeout turns Infinity into 1 ms).
    await expect(client.request('server.banner', [], { timeout: 50 })).rejects.toBeInstanceOf(TimeoutError);
    expect(client.pendingRequests).toBe(1);
    await until(() => held.length > 0, 'the first request to reach the server');
    server.connections[0]!.send(reply(held[0]!, 'late'));
    expect(await forever).toBe('late');
    await expect(client.request('server.banner', [], { timeout: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(client.request('server.banner', [], { timeout: Number.NaN })).rejects.toBeInstanceOf(RangeError);
    expect(client.pendingRequests).toBe(0);
  });

  it('aborts', async () => {
    const { client } = await setup(() => undefined);
    const controller = new AbortController();
    const pending = client.request('server.banner', [], { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(client.pendingRequests).toBe(0);
  });

  it('rejects every pending request when the server closes mid-line', async () => {
    const { client } = await setup((m, c) => {
      if (m['id'] === 3) {
        c.raw('{"jsonrpc":"2.0","id":2,"res');
        c.socket.end();
      }
    });
    const a = client.server.banner();
    const b = client.server.banner();
    const closed = new Promise((resolve) => client.on('close', resolve));
    await expect(a).rejects.toBeInstanceOf(ClosedError);
    await expect(b).rejects.toBeInstanceOf(ClosedError);
    expect(((await closed) as Error).message).toMatch(/unfinished message/);
    expect(client.pendingRequests).toBe(0);
    await expect(client.server.banner()).rejects.toBeInstanceOf(ClosedError);
  });

  it('fails the connection on an oversize message', async () => {
    const { client } = await setup((m, c) => c.raw(`{"jsonrpc":"2.0","id":${String(m['id'])},"result":"${'a'.repeat(5000)}"}\n`), { maxMessageSize: 1000 });
    const error = await client.server.banner().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClosedError);
    expect((error as ClosedError).cause).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    expect(client.pendingRequests).toBe(0);
  });
});

describe('hostile input is reported, never thrown', () => {
  it('reports garbage, unknown ids and unexpected notifications, and keeps serving', async () => {
    const { client } = await setup((m, c) => {
      if (m['method'] === 'server.ping') return c.send(reply(m, null));
      c.raw('this is not json\n');
      c.send({ jsonrpc: '2.0', id: 999, result: 1 });
      c.send({ jsonrpc: '2.0', method: 'blockchain.relayfee', params: [] });
      c.send(reply(m, 'still here'));
      c.send(reply(m, 'twice'));
    });
    const errors: string[] = [];
    client.on('protocol-error', (e) => errors.push(e instanceof ProtocolError ? e.kind : e.code));
    expect(await client.server.banner()).toBe('still here');
    // A round trip: the ping's answer comes after everything the server sent before it.
    await client.server.ping();
    expect(errors).toEqual(['invalid-json', 'unknown-id', 'unexpected-notification', 'duplicate-id']);
  });
});

describe('notifications', () => {
  it('arrive as typed events, interleaved with replies and padded', async () => {
    const { client } = await setup((m, c) => {
      if (m['method'] === 'server.ping') return c.send(reply(m, null));
      c.raw(`{"jsonrpc":"2.0","method":"blockchain.scripthash.subscribe","params":["${SH}","${STATUS}"]${' '.repeat(2000)}}\n`);
      c.send(reply(m, null));
      c.send({ jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [SH, 'not-a-status'] });
    });
    const seen: [string, string | null][] = [];
    const invalid: string[] = [];
    client.on('blockchain.scripthash.subscribe', (scripthash, status) => seen.push([scripthash, status]));
    client.on('protocol-error', (e) => invalid.push(e.code));
    expect(await client.blockchain.scripthash.subscribe(SH)).toBeNull();
    // A round trip: the ping's answer comes after the notification the server sent before it.
    await client.server.ping();
    expect(seen).toEqual([[SH, STATUS]]);
    expect(invalid).toEqual(['VALIDATION']);
  });
});

describe('bring your own transport', () => {
  it('works over a socket the caller opens (as a SOCKS proxy would hand back)', async () => {
    const server = await startLineServer((m, c) => c.send(reply(m, 'via my socket')));
    servers.push(server);
    const connector = streamConnector(
      () =>
        new Promise((resolve, reject) => {
          const socket = net.connect(server.port, '127.0.0.1', () => resolve(socket));
          socket.once('error', reject);
        }),
    );
    const client = await ElectrumClient.connect('tcp://electrum.example:50001', { connector, keepAlive: false });
    clients.push(client);
    expect(await client.server.banner()).toBe('via my socket');
  });
});
