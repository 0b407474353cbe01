// The `proxy` option against a SOCKS5 server on 127.0.0.1 (test/helpers/socks5-server.ts): Electrum over tcp, tls,
// ws and wss through it, certificates checked as for a direct connection, `.onion` names left to the proxy, RFC 1929
// logins, every kind of proxy failure as a ConnectError that says what happened, the MiningClient, and reconnects
// through the proxy with subscriptions renewed.
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MiningClient } from '../../src/clients/mining-client.js';
import { ElectrumClient, memoryTrustStore } from '../../src/electrum.js';
import { ConnectError, TlsError } from '../../src/runtime/errors.js';
import { createElectrumServer, type ElectrumServer } from '../../src/servers/electrum-server.js';
import { fixture, startFakeElectrum, type FakeServer } from '../helpers/fake-electrum.js';
import { EXTRANONCE1, standardPool, startFakePool, type FakePool } from '../helpers/fake-pool.js';
import { startSocks5Server, type Socks5Server } from '../helpers/socks5-server.js';
import { until } from '../helpers/wait.js';

const ONION = 'electrumxyzabcdefghijklmnopqrstuvwxyz234567abcdefghijklmn.onion';
const GENESIS = '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';
const FAST = { initialDelay: 20, maxDelay: 50, jitter: 0 };
const fingerprint = (name: string) => new X509Certificate(fixture(`${name}.pem`)).fingerprint256;

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  const pending = cleanups.reverse();
  cleanups = [];
  for (const c of pending) await c();
});
const later = <T extends { close(): unknown }>(thing: T): T => {
  cleanups.push(() => thing.close());
  return thing;
};

const banner = () => ({ result: 'through the proxy' });
async function fake(kind: 'tcp' | 'tls' | 'ws' | 'wss' = 'tcp', cert = 'self-signed'): Promise<FakeServer> {
  return later(await startFakeElectrum((method) => (method === 'server.banner' ? banner() : undefined), { kind, cert }));
}
async function socks(options: Parameters<typeof startSocks5Server>[0] = {}): Promise<Socks5Server> {
  return later(await startSocks5Server(options));
}
async function electrum(url: string, options: ConstructorParameters<typeof ElectrumClient>[1] = {}): Promise<ElectrumClient> {
  return later(await ElectrumClient.connect(url, { keepAlive: false, connectTimeout: 5000, ...options }));
}
/** A port nothing listens on: bound, read and closed again. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('Electrum through a SOCKS5 proxy', () => {
  for (const kind of ['tcp', 'tls', 'ws', 'wss'] as const) {
    it(`${kind}:// reaches the server, the proxy given the name to resolve (socks5h)`, async () => {
      const server = await fake(kind);
      const proxy = await socks();
      const client = await electrum(server.url.replace('127.0.0.1', 'localhost'), { proxy: proxy.url, tls: { pin: fingerprint('self-signed') } });
      expect(await client.server.banner()).toBe('through the proxy');
      expect(proxy.requests).toEqual([{ atyp: 3, host: 'localhost', port: server.port }]);
    });
  }

  it('sends an IPv4 address as one, and an IPv6 address as one (a server not listening there is a refusal)', async () => {
    const server = await fake();
    const proxy = await socks();
    await electrum(server.url, { proxy: proxy.url });
    expect(proxy.requests).toEqual([{ atyp: 1, host: '127.0.0.1', port: server.port }]);
    const port = await closedPort();
    const refused = electrum(`tcp://[::1]:${port}`, { proxy: proxy.url });
    await expect(refused).rejects.toBeInstanceOf(ConnectError);
    await expect(refused).rejects.toThrow(/the proxy could not connect to the server: connection refused by the server \(SOCKS5 reply 5\)/);
    expect(proxy.requests[1]).toEqual({ atyp: 4, host: '0:0:0:0:0:0:0:1', port });
  });

  it('socks5:// resolves names locally and gives the proxy an address', async () => {
    const server = await fake();
    const proxy = await socks();
    await electrum(server.url.replace('127.0.0.1', 'localhost'), { proxy: proxy.url.replace('socks5h:', 'socks5:') }).catch(() => undefined);
    expect(proxy.requests).toHaveLength(1);
    expect(proxy.requests[0]?.atyp).not.toBe(3);
    expect(net.isIP(proxy.requests[0]?.host ?? '')).not.toBe(0);
  });

  it('leaves .onion names to the proxy even under socks5://, and reports an unknown onion service', async () => {
    const server = await fake();
    const proxy = await socks();
    proxy.onion(ONION, server.port);
    for (const scheme of ['socks5h', 'socks5']) {
      const client = await electrum(`tcp://${ONION}:50001`, { proxy: proxy.url.replace('socks5h', scheme) });
      expect(await client.server.banner()).toBe('through the proxy');
      client.close();
    }
    expect(proxy.requests).toEqual([
      { atyp: 3, host: ONION, port: 50001 },
      { atyp: 3, host: ONION, port: 50001 },
    ]);
    const missing = electrum('tcp://nosuchserviceaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.onion:50001', { proxy: proxy.url.replace('socks5h', 'socks5') });
    await expect(missing).rejects.toThrow(/onion service descriptor not found .*\(SOCKS5 reply 240\)/);
  });

  it('applies the onion TLS rules of a direct connection: a pin, or trust on first use keyed by the onion host', async () => {
    const server = await fake('tls');
    const proxy = await socks();
    proxy.onion(ONION, server.port);
    const pinned = await electrum(`tls://${ONION}:50002`, { proxy: proxy.url, tls: { pin: fingerprint('self-signed') } });
    pinned.close();
    const store = memoryTrustStore();
    const tofu = await electrum(`tls://${ONION}:50002`, { proxy: proxy.url, tls: { trustOnFirstUse: store } });
    tofu.close();
    expect(Object.keys(store.entries())).toEqual([`${ONION}:50002`]);
  });
});

describe('TLS through the proxy', () => {
  it('refuses a certificate that matches no pin, and one the system does not trust', async () => {
    const server = await fake('tls');
    const proxy = await socks();
    const wrong = electrum(server.url, { proxy: proxy.url, tls: { pin: fingerprint('other-self-signed') } });
    await expect(wrong).rejects.toBeInstanceOf(TlsError);
    await expect(wrong).rejects.toThrow(/matches no pinned fingerprint/);
    await expect(electrum(server.url, { proxy: proxy.url })).rejects.toBeInstanceOf(TlsError);
    expect(proxy.requests).toHaveLength(2);
  });

  it('checks the certificate against the server name, not the proxy', async () => {
    const server = await fake('tls', 'localhost'); // signed by the test CA for "localhost"
    const proxy = await socks();
    const url = server.url.replace('127.0.0.1', 'localhost');
    const client = await electrum(url, { proxy: proxy.url, tls: { ca: fixture('ca.pem') } });
    expect(await client.server.banner()).toBe('through the proxy');
    await expect(electrum(url, { proxy: proxy.url, tls: { ca: fixture('ca.pem'), servername: 'example.org' } })).rejects.toBeInstanceOf(TlsError);
    // Under a name the certificate does not carry: refused, although the proxy's address (127.0.0.1) is in it.
    proxy.onion(ONION, server.port);
    const onion = electrum(`tls://${ONION}:50002`, { proxy: proxy.url, tls: { ca: fixture('ca.pem') } });
    await expect(onion).rejects.toBeInstanceOf(TlsError);
    await expect(onion).rejects.toThrow(/certificate refused: .*altnames/i);
  });

  it('records a trust-on-first-use certificate under the server, as a direct connection does, and refuses a change', async () => {
    const store = memoryTrustStore();
    const proxy = await socks();
    const server = await fake('tls');
    (await electrum(server.url, { proxy: proxy.url, tls: { trustOnFirstUse: store } })).close();
    expect(store.entries()).toEqual({ [`127.0.0.1:${server.port}`]: fingerprint('self-signed').replace(/:/g, '').toLowerCase() });
    await server.close();
    const other = later(await startFakeElectrum(() => undefined, { kind: 'tls', cert: 'other-self-signed', port: server.port }));
    await expect(electrum(other.url, { proxy: proxy.url, tls: { trustOnFirstUse: store } })).rejects.toThrow(/changed since first use/);
  });
});

describe('proxy authentication (RFC 1929)', () => {
  it('logs in with the URL’s username and password, percent-decoded', async () => {
    const server = await fake();
    const proxy = await socks({ auth: { username: 'tor user', password: 'p@ss:word' } });
    const client = await electrum(server.url, { proxy: proxy.url });
    expect(await client.server.banner()).toBe('through the proxy');
    expect(proxy.logins).toEqual([{ username: 'tor user', password: 'p@ss:word' }]);
  });

  it('says when the password is wrong or missing, and never shows the password', async () => {
    const server = await fake();
    const proxy = await socks({ auth: { username: 'alice', password: 'right' } });
    const wrong = electrum(server.url, { proxy: `socks5h://alice:hunter2@127.0.0.1:${proxy.port}` });
    await expect(wrong).rejects.toBeInstanceOf(ConnectError);
    const error = (await wrong.catch((e: unknown) => e)) as ConnectError;
    expect(error.message).toMatch(/the proxy refused the username and password/);
    expect(error.message).toContain('socks5h://alice:***@127.0.0.1');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('hunter2');
    await expect(electrum(server.url, { proxy: `socks5h://127.0.0.1:${proxy.port}` })).rejects.toThrow(/the proxy wants a username and password/);
  });
});

describe('proxy failures', () => {
  it('a proxy that refuses the connection: the reply code and its meaning', async () => {
    const server = await fake();
    const proxy = await socks();
    proxy.refuse = 2;
    const refused = electrum(server.url, { proxy: proxy.url });
    await expect(refused).rejects.toBeInstanceOf(ConnectError);
    await expect(refused).rejects.toThrow(/connection not allowed by the proxy’s rules \(SOCKS5 reply 2\)/);
    proxy.refuse = 4;
    await expect(electrum(server.url, { proxy: proxy.url })).rejects.toThrow(/host unreachable \(SOCKS5 reply 4\)/);
  });

  it('a proxy that is not running', async () => {
    const port = await closedPort();
    const error = electrum('tcp://127.0.0.1:50001', { proxy: `socks5h://127.0.0.1:${port}` });
    await expect(error).rejects.toBeInstanceOf(ConnectError);
    await expect(error).rejects.toThrow(new RegExp(`cannot reach the proxy at 127.0.0.1:${port}: .*ECONNREFUSED`));
  });

  it('a port that is not a SOCKS5 proxy', async () => {
    const proxy = await socks();
    proxy.badGreeting = new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n\r\n');
    await expect(electrum('tcp://127.0.0.1:50001', { proxy: proxy.url })).rejects.toThrow(/did not answer as a SOCKS5 proxy/);
  });

  it('a proxy that never answers: the connect timeout covers its handshake', async () => {
    const proxy = await socks();
    proxy.silent = true;
    const started = Date.now();
    const hung = electrum('tcp://127.0.0.1:50001', { proxy: proxy.url, connectTimeout: 300 });
    await expect(hung).rejects.toBeInstanceOf(ConnectError);
    await expect(hung).rejects.toThrow(/no connection within the connect timeout/);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('a proxy that hangs up during the handshake', async () => {
    const proxy = await socks();
    proxy.hangUp = true;
    const dropped = electrum('tcp://127.0.0.1:50001', { proxy: proxy.url });
    await expect(dropped).rejects.toBeInstanceOf(ConnectError);
    await expect(dropped).rejects.toThrow(/the proxy closed the connection during the SOCKS5 handshake|the connection to the proxy failed during the SOCKS5 handshake/);
  });

  it('a server behind the proxy that never starts TLS: the connect timeout covers the TLS handshake too', async () => {
    // It reads (so it sees the client leave) and never answers.
    const silent = net.createServer((socket) => socket.on('error', () => undefined).resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    const proxy = await socks();
    const port = (silent.address() as net.AddressInfo).port;
    const hung = electrum(`tls://127.0.0.1:${port}`, { proxy: proxy.url, connectTimeout: 300, tls: { pin: fingerprint('self-signed') } });
    await expect(hung).rejects.toThrow(/no connection within the connect timeout \(the TLS handshake did not finish\)/);
    proxy.dropAll();
  });

  it('a silent proxy on ws:// times out too', async () => {
    const proxy = await socks();
    proxy.silent = true;
    await expect(electrum('ws://127.0.0.1:50003', { proxy: proxy.url, connectTimeout: 300 })).rejects.toThrow(ConnectError);
  });
});

describe('the MiningClient through the proxy', () => {
  let pool: FakePool;

  it('mines through the proxy, the pool named by host', async () => {
    pool = later(await startFakePool(standardPool()));
    const proxy = await socks();
    const miner = later(await MiningClient.connect(pool.url.replace('127.0.0.1', 'localhost'), { proxy: proxy.url, optionalReplyTimeout: 50 }));
    const { subscription } = await miner.start({ user: 'w', password: 'p' });
    expect(subscription.extranonce1).toBe(EXTRANONCE1);
    expect(miner.authorizedWorkers).toEqual(['w']);
    expect(proxy.requests).toEqual([{ atyp: 3, host: 'localhost', port: pool.port }]);
  });

  it('stratum+ssl:// through the proxy with a pinned certificate, and a wrong pin refused', async () => {
    pool = later(await startFakePool(standardPool(), { tls: { key: fixture('self-signed.key'), cert: fixture('self-signed.pem') } }));
    const proxy = await socks();
    const miner = later(await MiningClient.connect(pool.url, { proxy: proxy.url, optionalReplyTimeout: 50, tls: { pin: fingerprint('self-signed') } }));
    await miner.start({ user: 'w', password: 'p' });
    expect(miner.authorizedWorkers).toEqual(['w']);
    await expect(MiningClient.connect(pool.url, { proxy: proxy.url, tls: { pin: fingerprint('other-self-signed') } })).rejects.toBeInstanceOf(TlsError);
    expect(proxy.requests).toHaveLength(2);
  });

  it('reconnects through the proxy after the proxy drops the connection, and resumes the session', async () => {
    pool = later(await startFakePool(standardPool()));
    const proxy = await socks();
    const miner = later(await MiningClient.connect(pool.url, { proxy: proxy.url, optionalReplyTimeout: 50, reconnect: FAST }));
    await miner.start({ user: 'w', password: 'p' });
    const reconnected = new Promise<void>((resolve) => miner.once('reconnect', () => resolve()));
    proxy.dropAll();
    await reconnected;
    const second = await pool.connection(1);
    await second.next('mining.authorize');
    expect(proxy.requests).toHaveLength(2);
    expect(proxy.requests.every((r) => r.port === pool.port)).toBe(true);
  });
});

describe('Electrum reconnects through the proxy', () => {
  let server: ElectrumServer;
  async function realServer(): Promise<ElectrumServer> {
    server = await createElectrumServer({
      handlers: {
        'blockchain.headers.subscribe': (_params, session) => {
          session.subscribe('blockchain.headers.subscribe');
          return { height: 0, hex: GENESIS };
        },
      },
      listen: { tcp: {} },
    });
    cleanups.push(() => server.close());
    return server;
  }

  it('after the proxy drops the connection: the subscription renewed, its notifications arriving', async () => {
    await realServer();
    const proxy = await socks();
    const client = await electrum(server.url('tcp') as string, { proxy: proxy.url, reconnect: FAST });
    const heights: number[] = [];
    client.on('blockchain.headers.subscribe', (header) => heights.push(header.height));
    await client.blockchain.headers.subscribe();
    const reconnected = new Promise<void>((resolve) => client.once('reconnect', () => resolve()));
    proxy.dropAll();
    await reconnected;
    expect(proxy.requests).toHaveLength(2);
    // The renewal is sent as the reconnect completes; a notification reaches the client once the server has it.
    await until(() => server.notifySubscribers('blockchain.headers.subscribe', [{ height: 1, hex: GENESIS }]) === 1, 'the renewed subscription');
    await until(() => heights.includes(1), 'the notification through the proxy');
  });

  it('after the server drops the connection and refuses for a while (the proxy reporting the refusals)', async () => {
    const fakeServer = await fake();
    const proxy = await socks();
    const client = await electrum(fakeServer.url, { proxy: proxy.url, reconnect: FAST });
    const failures: string[] = [];
    client.on('reconnecting', ({ error }) => error && failures.push(error.message));
    const reconnected = new Promise<void>((resolve) => client.once('reconnect', () => resolve()));
    await fakeServer.pause();
    await until(() => failures.length > 0, 'a refused attempt through the proxy');
    await fakeServer.resume();
    await reconnected;
    expect(failures[0]).toMatch(/SOCKS5 reply 5/);
    expect(await client.server.banner()).toBe('through the proxy');
    expect(proxy.requests.length).toBeGreaterThanOrEqual(3);
  });
});
