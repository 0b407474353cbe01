// The listeners: WebSocket (one message per frame, no newline), TLS and WSS with a certificate made
// for the test, and graceful shutdown over real sockets.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ElectrumClient } from '../../src/clients/electrum-client.js';
import { createElectrumServer, type ElectrumHandlers, type ElectrumServer } from '../../src/servers/electrum-server.js';
import { createMiningServer } from '../../src/servers/mining-server.js';
import { deferred, RawClient } from './helpers.js';

const handlers: ElectrumHandlers = {
  'server.banner': () => 'welcome',
};

let servers: { close(): Promise<void> }[] = [];
let closers: (() => void)[] = [];
afterEach(async () => {
  for (const c of closers) c();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  closers = [];
});

function openWs(url: string): Promise<{ ws: WebSocket; messages: unknown[]; next(): Promise<unknown>; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { rejectUnauthorized: false });
    const messages: unknown[] = [];
    const raw: string[] = [];
    let waiter: (() => void) | undefined;
    const closed = new Promise<number>((done) => ws.on('close', (code) => done(code)));
    ws.on('message', (data) => {
      raw.push(String(data));
      messages.push(JSON.parse(String(data)));
      waiter?.();
    });
    ws.on('error', reject);
    closers.push(() => ws.terminate());
    let read = 0;
    const next = async () => {
      while (messages.length <= read) await new Promise<void>((r) => (waiter = r));
      expect(raw[read]!.endsWith('\n')).toBe(false);
      return messages[read++];
    };
    ws.on('open', () => resolve({ ws, messages, next, closed }));
  });
}

describe('WebSocket', () => {
  it('answers one JSON message per WebSocket message, without a newline', async () => {
    const server = await createElectrumServer({ handlers, listen: { ws: {} } });
    servers.push(server);
    const url = server.url('ws')!;
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const { ws, next } = await openWs(url);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server.version', params: ['ws-test', '1.4'] }));
    expect(await next()).toEqual({ jsonrpc: '2.0', id: 1, result: ['stratum-sdk', '1.4'] });
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'server.banner', params: [] }));
    expect(await next()).toEqual({ jsonrpc: '2.0', id: 2, result: 'welcome' });
    ws.send('{not json');
    expect(await next()).toMatchObject({ id: null, error: { code: -32700 } });
    const session = [...server.sessions][0]!;
    expect(session.kind).toBe('ws');
    session.notify('blockchain.headers.subscribe', [{ height: 3, hex: '00'.repeat(80) }]);
    expect(await next()).toMatchObject({ method: 'blockchain.headers.subscribe' });
  });

  it('closes a connection whose message is over the size limit', async () => {
    const server = await createElectrumServer({ handlers, listen: { ws: {} }, limits: { maxMessageSize: 500 } });
    servers.push(server);
    const reason = new Promise<unknown>((resolve) => server.on('disconnect', (_s, e) => resolve(e)));
    const { ws, closed } = await openWs(server.url('ws')!);
    ws.send(JSON.stringify({ id: 1, method: 'server.banner', params: ['x'.repeat(1_000)] }));
    expect(await closed).toBe(1009);
    expect(await reason).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
  });
});

describe('TLS', () => {
  let dir: string;
  let key: string;
  let cert: string;
  const hasOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  beforeAll(() => {
    if (!hasOpenssl) return;
    dir = mkdtempSync(join(tmpdir(), 'stratum-sdk-tls-'));
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasOpenssl)('serves the ElectrumClient over TLS with a certificate it was told to trust', async () => {
    const server = await createElectrumServer({ handlers, listen: { tls: { tls: { key, cert } } } });
    servers.push(server);
    const client = await ElectrumClient.connect(server.url('tls')!, { tls: { ca: cert }, keepAlive: false });
    closers.push(() => client.close());
    expect(await client.server.banner()).toBe('welcome');
    expect([...server.sessions][0]!.kind).toBe('tls');
    // A client that does not trust the certificate never gets a session.
    await expect(ElectrumClient.connect(server.url('tls')!, { keepAlive: false })).rejects.toMatchObject({ code: 'TLS' });
  });

  it.skipIf(!hasOpenssl)('serves a mining client over TLS in the 1.0 dialect', async () => {
    const server = await createMiningServer({
      handlers: { 'mining.authorize': ([user]) => user === 'alice' },
      listen: { tls: { tls: { key, cert } } },
    });
    servers.push(server);
    const c = await RawClient.connect(server.address('tls')!.port, { tls: { ca: cert } });
    closers.push(() => c.close());
    expect(await c.call(2, 'mining.authorize', ['alice', 'x'], false)).toEqual({ id: 2, result: true, error: null });
  });

  it.skipIf(!hasOpenssl)('drops a TLS handshake still in progress when it shuts down', async () => {
    const server = await createMiningServer({ handlers: {}, listen: { tls: { tls: { key, cert } } } });
    const raw = net.connect({ host: '127.0.0.1', port: server.address('tls')!.port });
    closers.push(() => raw.destroy());
    const rawClosed = new Promise<void>((resolve) => raw.on('close', () => resolve()));
    raw.on('error', () => undefined);
    await new Promise<void>((resolve) => raw.on('connect', () => resolve()));
    await server.close();
    await rawClosed;
    expect(server.sessions.size).toBe(0);
  });

  it.skipIf(!hasOpenssl)('serves WebSocket over TLS (wss)', async () => {
    const server = await createElectrumServer({ handlers, listen: { wss: { tls: { key, cert } } } });
    servers.push(server);
    const { ws, next } = await openWs(server.url('wss')!);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server.banner', params: [] }));
    expect(await next()).toEqual({ jsonrpc: '2.0', id: 1, result: 'welcome' });
  });
});

describe('graceful shutdown', () => {
  it('stops accepting, notifies, lets in-flight requests answer, then closes every socket', async () => {
    const slow = deferred<string>();
    const started = deferred();
    const server: ElectrumServer = await createElectrumServer({
      handlers: {
        'server.banner': async () => {
          started.resolve();
          return slow.promise;
        },
      },
      listen: { tcp: {}, ws: {} },
    });
    const port = server.address('tcp')!.port;
    const busy = await RawClient.connect(port);
    const idle = await RawClient.connect(port);
    const wsClient = await openWs(server.url('ws')!);
    closers.push(() => busy.close(), () => idle.close());
    busy.send({ jsonrpc: '2.0', id: 1, method: 'server.banner', params: [] });
    await started.promise;

    const notified: number[] = [];
    let done = false;
    const closing = server
      .close({ notify: (session) => notified.push(session.id) && session.notify('server.ping', ['ff']) })
      .then(() => (done = true));
    await idle.closed();
    expect(await idle.recv()).toEqual({ jsonrpc: '2.0', method: 'server.ping', params: ['ff'] });
    expect(await wsClient.closed).toBe(1000);
    // New connections are refused at once.
    await expect(RawClient.connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(done).toBe(false);
    expect(busy.inbox.closed).toBe(false);

    slow.resolve('last words');
    await closing;
    expect(notified).toHaveLength(3);
    expect(busy.inbox.messages).toEqual([
      { jsonrpc: '2.0', method: 'server.ping', params: ['ff'] },
      { jsonrpc: '2.0', id: 1, result: 'last words' },
    ]);
    await busy.closed();
    expect(server.sessions.size).toBe(0);
    expect(server.close()).toBe(server.close());
  });

  it('closes the connection of a stuck handler after the drain timeout', async () => {
    const server = await createElectrumServer({
      handlers: { 'server.banner': () => new Promise<string>(() => undefined) },
      listen: { tcp: {} },
      limits: { drainTimeout: 30 },
    });
    const c = await RawClient.connect(server.address('tcp')!.port);
    closers.push(() => c.close());
    c.send({ jsonrpc: '2.0', id: 1, method: 'server.banner', params: [] });
    await expect.poll(() => [...server.sessions][0]?.pendingRequests).toBe(1);
    await server.close();
    await c.closed();
    expect(c.inbox.messages).toEqual([]);
  });
});
