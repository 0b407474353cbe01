// Issue 12: hostile input never takes a process down. Connection caps (in all, and per address)
// refuse new connections while the open ones carry on; a message trickled in is dropped after
// partialMessageTimeout; a reply JSON cannot carry, or a message nested too deep, is answered with an
// error and the connection and the server carry on. Real sockets on loopback, port 0.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { listenWebSocket } from '../../src/runtime/node/ws-server.js';
import type { StratumSdkError } from '../../src/runtime/errors.js';
import { addressGroup } from '../../src/runtime/server/admission.js';
import type { ConnectionRefusal, Listener } from '../../src/runtime/server/connection.js';
import { DEFAULT_SERVER_LIMITS, resolveLimits } from '../../src/runtime/server/limits.js';
import { createElectrumServer, type ElectrumHandlers, type ElectrumServer, type ElectrumServerOptions } from '../../src/servers/electrum-server.js';
import { createMiningServer } from '../../src/servers/mining-server.js';
import { LineClient, RawWebSocket, textFrame, until } from './limit-clients.js';

const handlers: ElectrumHandlers = { 'server.banner': () => 'welcome' };

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  const pending = cleanups;
  cleanups = [];
  await Promise.all(pending.map((c) => c()));
});

async function start(options: Partial<ElectrumServerOptions<undefined>> = {}): Promise<ElectrumServer> {
  const server = await createElectrumServer({ handlers, listen: { tcp: {} }, ...options });
  cleanups.push(() => server.close());
  return server;
}

async function connect(server: ElectrumServer, localAddress?: string): Promise<LineClient> {
  const client = await LineClient.connect(server.address('tcp')!.port, localAddress);
  cleanups.push(() => client.close());
  return client;
}

/** The next disconnect of the server, with its reason. */
function nextDisconnect(server: ElectrumServer): Promise<StratumSdkError | undefined> {
  return new Promise((resolve) => {
    const off = server.on('disconnect', (_session, error) => {
      off();
      resolve(error);
    });
  });
}

function nextRefusal(server: ElectrumServer): Promise<ConnectionRefusal> {
  return new Promise((resolve) => {
    const off = server.on('refused', (refusal) => {
      off();
      resolve(refusal);
    });
  });
}

/** A served connection answers; an `id` per call keeps the replies apart. */
async function expectServed(client: LineClient, id: number): Promise<void> {
  expect(await client.call(id, 'server.banner')).toEqual({ jsonrpc: '2.0', id, result: 'welcome' });
}

describe('limits', () => {
  it('default to ElectrumX and Fulcrum values, and refuse unusable connection caps', () => {
    expect(DEFAULT_SERVER_LIMITS).toMatchObject({ maxConnections: 1_000, maxConnectionsPerAddress: 12, partialMessageTimeout: 120_000, maxMessageDepth: 64 });
    expect(resolveLimits({ maxConnections: Infinity, maxConnectionsPerAddress: Infinity, partialMessageTimeout: 0 })).toMatchObject({ maxConnections: Infinity, partialMessageTimeout: 0 });
    expect(() => resolveLimits({ maxConnections: 0 })).toThrow(RangeError);
    expect(() => resolveLimits({ maxConnectionsPerAddress: 1.5 })).toThrow(RangeError);
    expect(() => resolveLimits({ partialMessageTimeout: -1 })).toThrow(RangeError);
    expect(() => resolveLimits({ maxMessageDepth: 0 })).toThrow(RangeError);
  });

  it('count an IPv4 address as itself and an IPv6 address by its /64', () => {
    expect(addressGroup('127.0.0.1')).toBe('127.0.0.1');
    expect(addressGroup('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(addressGroup('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(addressGroup('2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:1::/64');
    expect(addressGroup('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressGroup('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressGroup(undefined)).toBe('');
  });

  it('leave a mining server without a per-address cap unless one is asked for', async () => {
    const pool = await createMiningServer({ handlers: {} });
    cleanups.push(() => pool.close());
    expect(pool.limits.maxConnectionsPerAddress).toBe(Infinity);
    const capped = await createMiningServer({ handlers: {}, limits: { maxConnectionsPerAddress: 5 } });
    cleanups.push(() => capped.close());
    expect(capped.limits.maxConnectionsPerAddress).toBe(5);
  });
});

describe('maxConnections', () => {
  it('refuses the next connection with a -101 line and a close, serves the open ones, and accepts again after one closes', async () => {
    const server = await start({ limits: { maxConnections: 2 } });
    const a = await connect(server);
    const b = await connect(server);
    await expectServed(a, 1);
    await expectServed(b, 1);
    expect(server.connectionCount).toBe(2);

    const refusal = nextRefusal(server);
    const c = await connect(server);
    expect(await c.next()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -101, message: 'too many connections to this server (limit 2)' } });
    await c.closed;
    expect(await refusal).toMatchObject({ kind: 'tcp', reason: 'max-connections', limit: 2, remoteAddress: '127.0.0.1' });
    expect(server.refusedConnections).toBe(1);
    await expectServed(a, 2);
    await expectServed(b, 2);

    const gone = nextDisconnect(server);
    a.close();
    await gone;
    expect(server.connectionCount).toBe(1);
    const d = await connect(server);
    await expectServed(d, 1);
    expect(server.connectionCount).toBe(2);
  });

  it('is shared by every listener: a WebSocket upgrade past it gets a 503', async () => {
    const server = await start({ listen: { tcp: {}, ws: {} }, limits: { maxConnections: 1 } });
    const a = await connect(server);
    const refusal = nextRefusal(server);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const ws = new WebSocket(server.url('ws')!);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode);
        ws.terminate();
      });
      ws.on('open', () => reject(new Error('the upgrade was accepted')));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(503);
    expect(await refusal).toMatchObject({ kind: 'ws', reason: 'max-connections' });
    await expectServed(a, 1);
  });

  it('counts a TLS socket from the moment it is accepted, before its handshake', async (context) => {
    let dir: string | undefined;
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      dir = mkdtempSync(join(tmpdir(), 'stratum-sdk-limits-'));
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
        { stdio: 'ignore' },
      );
    } catch {
      if (dir) rmSync(dir, { recursive: true, force: true });
      context.skip();
      return;
    }
    const tlsOptions = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    rmSync(dir, { recursive: true, force: true });
    const server = await start({ listen: { tcp: {}, tls: { tls: tlsOptions } }, limits: { maxConnections: 1 } });
    // A socket that never starts its handshake holds the only place...
    const silent = net.connect({ host: '127.0.0.1', port: server.address('tls')!.port });
    silent.on('error', () => undefined);
    cleanups.push(() => silent.destroy());
    await until(() => server.connectionCount === 1, 'the silent TLS socket to be counted');
    const refusal = nextRefusal(server);
    const late = await connect(server);
    // ...so the plain TCP connection after it is the one refused.
    expect(await refusal).toMatchObject({ kind: 'tcp', reason: 'max-connections' });
    await late.closed;
    // And a TLS socket past the cap is closed before any handshake.
    const tlsRefusal = nextRefusal(server);
    const second = net.connect({ host: '127.0.0.1', port: server.address('tls')!.port });
    second.on('error', () => undefined);
    expect(await tlsRefusal).toMatchObject({ kind: 'tls' });
    await new Promise((resolve) => second.once('close', resolve));
  });
});

describe('maxConnectionsPerAddress', () => {
  it('refuses one address past its cap while another address and the open connections are served', async () => {
    const server = await start({ limits: { maxConnectionsPerAddress: 2 } });
    const a1 = await connect(server, '127.0.0.1');
    const a2 = await connect(server, '127.0.0.1');
    await expectServed(a1, 1);
    await expectServed(a2, 1);

    const refusal = nextRefusal(server);
    const a3 = await connect(server, '127.0.0.1');
    expect(await a3.next()).toMatchObject({ id: null, error: { code: -101, message: expect.stringContaining('127.0.0.1') } });
    await a3.closed;
    expect(await refusal).toMatchObject({ reason: 'max-connections-per-address', limit: 2, remoteAddress: '127.0.0.1' });

    const b1 = await connect(server, '127.0.0.2');
    const b2 = await connect(server, '127.0.0.2');
    await expectServed(b1, 1);
    await expectServed(b2, 1);
    expect(server.connectionsFrom('127.0.0.1')).toBe(2);
    expect(server.connectionsFrom('127.0.0.2')).toBe(2);
    await expectServed(a1, 2);

    const gone = nextDisconnect(server);
    a2.close();
    await gone;
    const a4 = await connect(server, '127.0.0.1');
    await expectServed(a4, 1);
  });

  it('uncounts every connection exactly once, however it ended', async () => {
    const server = await start({ listen: { tcp: {}, ws: {} }, limits: { maxConnectionsPerAddress: 3, idleTimeout: 10_000 } });
    const clients = await Promise.all([connect(server), connect(server), connect(server)]);
    const refused = await connect(server);
    await refused.closed;
    // One leaves, one is closed by the server, one breaks the size limit.
    let gone = nextDisconnect(server);
    clients[0]!.close();
    await gone;
    gone = nextDisconnect(server);
    [...server.sessions].find((s) => s.remotePort === clients[1]!.socket.localPort)!.close();
    await gone;
    gone = nextDisconnect(server);
    clients[2]!.write(`${'x'.repeat(DEFAULT_SERVER_LIMITS.maxMessageSize + 10)}`);
    await gone;
    // The count follows the sockets: a connection failed by the server is uncounted when its socket
    // reports 'close', a moment after the session has heard.
    await until(() => server.connectionCount === 0, 'every socket to be uncounted');
    expect(server.connectionsFrom('127.0.0.1')).toBe(0);
    expect(server.refusedConnections).toBe(1);
  });
});

describe('partialMessageTimeout', () => {
  it('drops a TCP client trickling a byte at a time after the bound, not the idle timeout', async () => {
    const server = await start({ limits: { partialMessageTimeout: 200 } });
    const client = await connect(server);
    const reason = nextDisconnect(server);
    const began = Date.now();
    const line = '{"jsonrpc":"2.0","id":1,"method":"server.banner","params":[]}\n';
    let at = 0;
    const trickle = setInterval(() => client.write(line[at++ % line.length]!.replace('\n', ' ')), 20);
    cleanups.push(() => clearInterval(trickle));
    await client.closed;
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(3_000);
    expect((await reason)?.message).toMatch(/unfinished message .* waited \d+ ms/);
  });

  // The bound is 300 ms here and the gaps 100 ms: the connection outlives the bound, each message is
  // well within it, and a loaded machine's timer lag does not eat the margin.
  it('keeps a TCP client that sends complete messages slowly, or one message in two halves within the bound', async () => {
    const server = await start({ limits: { partialMessageTimeout: 300 } });
    const client = await connect(server);
    const gap = () => new Promise((resolve) => setTimeout(resolve, 100));
    for (let id = 1; id <= 4; id++) {
      await expectServed(client, id);
      await gap();
    }
    client.write('{"jsonrpc":"2.0","id":5,');
    await gap();
    client.write('"method":"server.banner","params":[]}\n');
    expect(await client.next()).toMatchObject({ id: 5, result: 'welcome' });
    expect(server.sessions.size).toBe(1);
  });

  it('drops a WebSocket client trickling a frame after the bound', async () => {
    const server = await start({ listen: { ws: {} }, limits: { partialMessageTimeout: 200 } });
    const ws = await RawWebSocket.open(server.address('ws')!.port);
    cleanups.push(() => ws.close());
    const reason = nextDisconnect(server);
    const frame = textFrame('{"jsonrpc":"2.0","id":1,"method":"server.banner","params":[]}');
    const began = Date.now();
    let at = 0;
    const trickle = setInterval(() => at < frame.length - 1 && ws.write(frame.subarray(at, ++at)), 20);
    cleanups.push(() => clearInterval(trickle));
    await ws.closed;
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(3_000);
    expect((await reason)?.message).toMatch(/without completing a message/);
  });

  it('keeps a WebSocket client that sends complete messages (and pings) slowly', async () => {
    const server = await start({ listen: { ws: {} }, limits: { partialMessageTimeout: 300 } });
    const ws = new WebSocket(server.url('ws')!);
    cleanups.push(() => ws.terminate());
    const replies: unknown[] = [];
    let waiter: (() => void) | undefined;
    ws.on('message', (data) => {
      replies.push(JSON.parse(String(data)));
      waiter?.();
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    for (let id = 1; id <= 4; id++) {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'server.banner', params: [] }));
      while (replies.length < id) await new Promise<void>((resolve) => (waiter = resolve));
      ws.ping();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(replies).toHaveLength(4);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(server.sessions.size).toBe(1);
  });
});

describe('the input path never throws into the process', () => {
  it('answers -32603 to a result JSON cannot carry (a BigInt, a cycle, a thenable gone wrong) and keeps serving', async () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const server = await start({
      handlers: {
        'server.banner': () => 'welcome',
        'server.donation_address': () => 10n as never,
        'blockchain.relayfee': () => cycle as never,
        'server.features': () => ({ then: () => { throw 12; } }) as never,
      },
    });
    const errors: unknown[] = [];
    server.on('error', (e) => errors.push(e));
    const client = await connect(server);
    expect(await client.call(1, 'server.donation_address')).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'internal error' } });
    expect(await client.call(2, 'blockchain.relayfee')).toMatchObject({ id: 2, error: { code: -32603 } });
    expect(await client.call(3, 'server.features')).toMatchObject({ id: 3, error: { code: -32603 } });
    await expectServed(client, 4);
    expect(errors[0]).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('BigInt') });
    expect(errors[1]).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/circular/i) });
    expect(errors[2]).toBe(12);

    // In a batch, the bad member is answered -32603 and the others as usual.
    client.write(`${JSON.stringify([
      { jsonrpc: '2.0', id: 5, method: 'server.donation_address', params: [] },
      { jsonrpc: '2.0', id: 6, method: 'server.banner', params: [] },
    ])}\n`);
    expect(await client.next()).toEqual([
      { jsonrpc: '2.0', id: 5, error: { code: -32603, message: 'internal error' } },
      { jsonrpc: '2.0', id: 6, result: 'welcome' },
    ]);
    await expectServed(client, 7);
  });

  it('answers a message nested deeper than maxMessageDepth with an error, and the connection carries on', async () => {
    const server = await start();
    const client = await connect(server);
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    client.write(`{"jsonrpc":"2.0","id":1,"method":"server.banner","params":${deep}}\n`);
    expect(await client.next()).toMatchObject({ id: 1, error: { code: -32600 } });
    await expectServed(client, 2);
  });

  it('closes a WebSocket whose message handling throws with a typed error (1011), not the process', async () => {
    let closedWith: unknown;
    let clientCode: number | undefined;
    let clientClosed!: Promise<void>;
    const closed = new Promise<void>((resolve) => {
      cleanups.push(() => resolve());
      void listenWebSocket({}, () => ({
        message() {
          throw new Error('boom');
        },
        error: () => undefined,
        close(error) {
          closedWith = error;
          resolve();
        },
      })).then((listener: Listener) => {
        cleanups.push(() => listener.close());
        const ws = new WebSocket(`ws://127.0.0.1:${listener.address().port}`);
        cleanups.push(() => ws.terminate());
        clientClosed = new Promise((done) =>
          ws.once('close', (code) => {
            clientCode = code;
            done();
          }),
        );
        ws.on('open', () => ws.send('{}'));
        ws.on('error', () => undefined);
      });
    });
    await closed;
    expect(closedWith).toMatchObject({ code: 'CLOSED', message: expect.stringContaining('boom') });
    await clientClosed;
    expect(clientCode).toBe(1011);
  });
});
