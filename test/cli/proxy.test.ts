// The validating proxy between the SDK's clients and the world's servers (Electrum over TCP and WebSocket,
// Stratum over TCP), against a deliberately wrong server, forwarding bytes unchanged, and as the command.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ElectrumClient } from '../../src/clients/electrum-client.js';
import { MiningClient } from '../../src/clients/mining-client.js';
import type { TrafficFinding } from '../../src/conformance/traffic/findings.js';
import { startTrafficProxy, type ProxyAddress } from '../../src/cli/traffic-proxy.js';
import { selfSignedCertificate } from '../../src/regtest/certificate.js';
import { startWorld, type World } from '../../src/regtest/world.js';
import { createElectrumServer, type ElectrumHandlers } from '../../src/servers/electrum-server.js';
import type { TrafficReport } from '../../src/conformance/traffic/report.js';
import { runCli } from '../helpers/cli.js';
import { startLineServer } from '../helpers/line-server.js';
import { junitCounts } from '../conformance/junit-xml.js';
import { until } from '../helpers/wait.js';

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function world(): Promise<World> {
  const w = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 }, tls: false });
  cleanup.push(() => w.close());
  return w;
}

function address(url: string): ProxyAddress {
  const u = new URL(url.replace(/^stratum\+tcp:/, 'tcp:').replace(/^(tcp|tls):/, 'http:'));
  const transport = url.startsWith('ws:') ? 'ws' : url.startsWith('wss:') ? 'wss' : 'tcp';
  return { transport, host: u.hostname, port: Number(u.port) };
}

async function proxyTo(upstream: string, listen: ProxyAddress['transport'] = 'tcp', extra: { protocol?: 'electrum' | 'stratum' } = {}) {
  const findings: TrafficFinding[] = [];
  const p = await startTrafficProxy({ listen: { transport: listen, host: '127.0.0.1', port: 0 }, upstream: address(upstream), onFinding: (f) => findings.push(f), ...extra });
  cleanup.push(() => p.close());
  return { proxy: p, findings };
}

async function electrumSession(url: string, w: World) {
  const client = await ElectrumClient.connect(url, { keepAlive: false });
  await client.server.banner();
  await client.blockchain.headers.subscribe();
  await client.blockchain.scripthash.getBalance(w.payoutScripthash);
  await client.batch([
    ['server.ping', []],
    ['blockchain.block.header', [0]],
  ]);
  await client.close();
}

describe('the validating proxy', () => {
  it('Electrum over TCP: the SDK client through the proxy to the world, every message checked, no findings', async () => {
    const w = await world();
    const { proxy, findings } = await proxyTo(w.urls.electrumTcp);
    await electrumSession(proxy.url, w);
    await until(() => proxy.open === 0, 'the pair closed');
    const summary = proxy.checker.summary();
    expect(findings).toEqual([]);
    expect(summary.connections).toEqual([expect.objectContaining({ protocol: 'electrum', version: '1.6' })]);
    expect(summary.methods['blockchain.block.header']?.messages).toBe(2);
    expect(summary.messages).toBe(10);
  });

  it('Electrum over WebSocket on both sides, and a TCP client through a WebSocket upstream', async () => {
    const w = await world();
    const ws = await proxyTo(w.urls.electrumWs, 'ws');
    expect(ws.proxy.url).toMatch(/^ws:\/\//);
    await electrumSession(ws.proxy.url, w);
    const mixed = await proxyTo(w.urls.electrumWs, 'tcp');
    await electrumSession(mixed.proxy.url, w);
    for (const { proxy, findings } of [ws, mixed]) {
      expect(findings).toEqual([]);
      expect(proxy.checker.summary().messages).toBe(10);
    }
  });

  it('TLS to the clients and secure WebSocket to the world, each certificate checked', async () => {
    const w = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0, electrumTls: 0, electrumWss: 0, stratumTls: 0 } });
    cleanup.push(() => w.close());
    const own = selfSignedCertificate();
    const wss = new URL(w.urls.electrumWss ?? '');
    const findings: TrafficFinding[] = [];
    const proxy = await startTrafficProxy({
      listen: { transport: 'tls', host: '127.0.0.1', port: 0 },
      listenTls: { cert: own.cert, key: own.key },
      upstream: { transport: 'wss', host: wss.hostname, port: Number(wss.port) },
      upstreamTls: { pin: [w.tls?.fingerprint ?? ''] },
      onFinding: (f) => findings.push(f),
    });
    cleanup.push(() => proxy.close());
    expect(proxy.url).toMatch(/^tls:\/\//);
    const client = await ElectrumClient.connect(proxy.url, { keepAlive: false, tls: { pin: [own.fingerprint] } });
    await client.server.banner();
    await client.close();
    expect(findings).toEqual([]);
    expect(proxy.checker.summary().messages).toBe(4);
  });

  it('Stratum over TCP: the SDK miner through the proxy to the pool', async () => {
    const w = await world();
    const { proxy, findings } = await proxyTo(w.urls.stratum, 'tcp', { protocol: 'stratum' });
    const miner = await MiningClient.connect(proxy.url.replace(/^tcp:/, 'stratum+tcp:'), { agent: 'proxied-miner/1.0' });
    await miner.start({ user: 'proxied.worker', password: 'x', configure: [['version-rolling'], { 'version-rolling.mask': '1fffe000' }] });
    await until(() => (proxy.checker.summary().methods['mining.notify']?.messages ?? 0) > 0, 'a job through the proxy');
    await miner.close();
    const summary = proxy.checker.summary();
    expect(findings).toEqual([]);
    expect(summary.connections).toEqual([expect.objectContaining({ protocol: 'stratum' })]);
    expect(Object.keys(summary.methods)).toEqual(expect.arrayContaining(['mining.configure', 'mining.subscribe', 'mining.authorize', 'mining.notify', 'mining.set_difficulty']));
  });

  it('reports a server whose result breaks the spec, as it happens', async () => {
    const wrong = await createElectrumServer({
      // Deliberately wrong: a banner must be a string, and a header a hex string.
      handlers: { 'server.banner': () => 42, 'blockchain.block.header': () => ({ hex: 'zz' }) } as unknown as ElectrumHandlers,
      listen: { tcp: { port: 0 } },
    });
    cleanup.push(() => wrong.close());
    const { proxy, findings } = await proxyTo(wrong.url('tcp') ?? '');
    const client = await ElectrumClient.connect(proxy.url, { keepAlive: false, validate: false });
    await client.server.banner();
    await client.blockchain.block.header(1);
    await client.close();
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'violation', side: 'server', dir: 's2c', method: 'server.banner', path: 'result', message: 'must be string', conn: '1' }),
      expect.objectContaining({ kind: 'violation', side: 'server', method: 'blockchain.block.header', path: 'result' }),
    ]);
    expect(findings[0]?.excerpt).toContain('"result":42');
  });

  it('forwards bytes unchanged in both directions: whitespace, CRs, split chunks and invalid JSON included', async () => {
    const toServer: Buffer[] = [];
    const serverSockets: net.Socket[] = [];
    const upstream = net.createServer((s) => {
      serverSockets.push(s);
      s.on('data', (d: Buffer) => toServer.push(d));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => upstream.close(r)), () => serverSockets.forEach((s) => s.destroy()));
    const port = (upstream.address() as net.AddressInfo).port;
    const { proxy, findings } = await proxyTo(`tcp://127.0.0.1:${port}`);

    const client = net.connect(proxy.port, '127.0.0.1');
    const toClient: Buffer[] = [];
    client.on('data', (d: Buffer) => toClient.push(d));
    await new Promise<void>((r) => client.once('connect', r));
    cleanup.push(() => client.destroy());
    const sent = ['  {"jsonrpc":"2.0", "id":1,"method":"server.version","params":["x","1.4"]}\r\n', '\n', '{"id":2,"meth', 'od":"server.banner","params":[]}\n', '{not json}\n', 'é€\n'];
    for (const part of sent) {
      client.write(part);
      await until(() => Buffer.concat(toServer).length >= Buffer.byteLength(sent.slice(0, sent.indexOf(part) + 1).join('')), 'the bytes upstream');
    }
    await until(() => serverSockets.length === 1, 'the upstream connection');
    const answer = Buffer.from('{"jsonrpc":"2.0","id":1,"result":["srv","1.4"]}\n{"jsonrpc":"2.0" ,"id":2,"result":"hi"}\r\n\n\u00ff\n', 'utf8');
    serverSockets[0]?.write(answer.subarray(0, 10));
    serverSockets[0]?.write(answer.subarray(10));
    await until(() => Buffer.concat(toClient).length >= answer.length, 'the bytes downstream');

    expect(Buffer.concat(toServer).equals(Buffer.from(sent.join(''), 'utf8'))).toBe(true);
    expect(Buffer.concat(toClient).equals(answer)).toBe(true);
    // And every message was checked on the way: the malformed ones are findings.
    expect(findings.filter((f) => f.message.includes('malformed JSON')).map((f) => f.dir)).toEqual(['c2s', 'c2s', 's2c']);
    expect(proxy.checker.summary().connections[0]?.version).toBe('1.4');
  });

  it('as the command: --record writes a transcript that check passes, and Ctrl-C prints the summary', async () => {
    const w = await world();
    const dir = await mkdtemp(join(tmpdir(), 'stratum-sdk-proxy-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'session.jsonl');
    const stop = new AbortController();
    let url = '';
    const running = runCli(['proxy', '--listen', 'tcp://127.0.0.1:0', '--upstream', w.urls.electrumTcp, '--record', file], stop.signal, (line) => {
      url = /proxy (tcp:\/\/\S+)/.exec(line)?.[1] ?? url;
    });
    await until(() => url !== '', 'the proxy to listen');
    await electrumSession(url, w);
    stop.abort();
    const run = await running;
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/PASS: 10 messages on 1 connection, 0 violations/);
    expect(run.stderr).toMatch(/conn 1: .* connected/);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ transcript: 'stratum-sdk', version: 1 });
    expect(lines).toHaveLength(11);
    const check = await runCli(['check', file]);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/PASS: 10 messages/);
  });

  it('as the command: --json, --junit and --fail-on at exit, with a violation, a documented deviation and a request left unanswered', async () => {
    // A ckpool-like pool: a bare error string for a bad worker (documented), a wrong difficulty (not), and no
    // answer to mining.extranonce.subscribe.
    const pool = await startLineServer((m, conn) => {
      if (m['method'] === 'mining.subscribe') conn.send({ id: m['id'], result: [[], '00000001', 4], error: null });
      if (m['method'] === 'mining.authorize') {
        conn.send({ id: m['id'], result: false, error: 'Invalid workername parameter' });
        conn.send({ id: null, method: 'mining.set_difficulty', params: ['high'] });
      }
    });
    cleanup.push(() => pool.close());
    const dir = await mkdtemp(join(tmpdir(), 'stratum-sdk-proxy-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const session = async (failOn: string) => {
      const xmlFile = join(dir, `${failOn}.xml`);
      const stop = new AbortController();
      let url = '';
      const running = runCli(['proxy', '--listen', 'stratum+tcp://127.0.0.1:0', '--upstream', `stratum+tcp://127.0.0.1:${pool.port}`, '--json', '--junit', xmlFile, '--fail-on', failOn], stop.signal, undefined, (line) => {
        url = /proxy tcp:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[1] ?? url;
      });
      await until(() => url !== '', 'the proxy to listen');
      const socket = net.connect(Number(url), '127.0.0.1');
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (t: string) => (received += t));
      socket.write('{"id":1,"method":"mining.subscribe","params":[]}\n{"id":2,"method":"mining.extranonce.subscribe","params":[]}\n{"id":3,"method":"mining.authorize","params":["w","x"]}\n');
      await until(() => received.split('\n').length > 3, 'the answers');
      const upstreamSide = pool.connections[pool.connections.length - 1]?.socket;
      const upstreamClosed = new Promise((r) => upstreamSide?.once('close', r));
      socket.destroy();
      // The proxy closes the upstream side when the client goes, after it checked the connection's end.
      await upstreamClosed;
      stop.abort();
      return { run: await running, junit: junitCounts(await readFile(xmlFile, 'utf8')) };
    };
    const { run, junit } = await session('error');
    expect(run.code).toBe(1); // the difficulty violation
    expect(run.stderr).toMatch(/deviation conn 1 server->client mining\.authorize error/);
    const report = JSON.parse(run.stdout) as TrafficReport;
    expect(report).toMatchObject({ kind: 'proxy', ok: false });
    expect(Object.fromEntries(report.checks.map((c) => [c.title, c.status]))).toEqual({
      'mining.subscribe': 'pass',
      'mining.extranonce.subscribe': 'pass',
      'mining.authorize': 'deviation',
      'mining.set_difficulty': 'fail',
    });
    expect(report.traffic[0]?.summary.findings).toContainEqual(expect.objectContaining({ kind: 'unanswered', method: 'mining.extranonce.subscribe' }));
    expect(junit).toMatchObject({ tests: 4, failures: 1, failing: ['mining.set_difficulty'] });
    const strict = await session('deviation');
    expect(strict.run.code).toBe(1);
    expect(strict.junit).toMatchObject({ tests: 4, failures: 2, failing: ['mining.authorize', 'mining.set_difficulty'] });
  });

  it('closes a client whose upstream cannot be reached, saying why, and refuses clients past maxConnections', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const events: string[] = [];
    const p = await startTrafficProxy({ listen: { transport: 'tcp', host: '127.0.0.1', port: 0 }, upstream: { transport: 'tcp', host: '127.0.0.1', port: deadPort }, onEvent: (e) => events.push(e), maxConnections: 1 });
    cleanup.push(() => p.close());
    const client = net.connect(p.port, '127.0.0.1');
    client.on('error', () => undefined);
    await new Promise<void>((r) => client.once('close', () => r()));
    expect(events).toContainEqual(expect.stringMatching(/^conn 1: upstream tcp:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/));
    expect(p.open).toBe(0);

    const w = await world();
    const capped = await startTrafficProxy({ listen: { transport: 'tcp', host: '127.0.0.1', port: 0 }, upstream: address(w.urls.electrumTcp), maxConnections: 1 });
    cleanup.push(() => capped.close());
    const first = await ElectrumClient.connect(capped.url, { keepAlive: false });
    cleanup.push(() => first.close());
    await expect(ElectrumClient.connect(capped.url, { keepAlive: false, timeout: 2_000 })).rejects.toThrow();
    await first.server.banner();
  });

  it('refuses bad URLs as usage errors', async () => {
    expect((await runCli(['proxy', '--upstream', 'tcp://127.0.0.1:1'])).code).toBe(2);
    expect((await runCli(['proxy', '--listen', 'tcp://127.0.0.1', '--upstream', 'tcp://127.0.0.1:1'])).code).toBe(2);
    expect((await runCli(['proxy', '--listen', 'http://127.0.0.1:0', '--upstream', 'tcp://127.0.0.1:1'])).code).toBe(2);
    expect((await runCli(['proxy', '--listen', 'tcp://127.0.0.1:0', '--upstream', 'tcp://127.0.0.1:1', '--protocol', 'x'])).code).toBe(2);
    expect((await runCli(['proxy', '--listen', 'tcp://127.0.0.1:0', '--upstream', 'tcp://127.0.0.1:1', '--fail-on', 'x'])).code).toBe(2);
  });
});

describe('the validating proxy: partialMessageTimeout', () => {
  /** A raw upstream on 127.0.0.1 that keeps its sockets, so a test can write to them and see them close. */
  async function rawUpstream() {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      sockets.push(s);
      s.on('error', () => undefined);
      s.resume(); // read (and drop) what comes, so that the end of the stream is seen
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)), () => sockets.forEach((s) => s.destroy()));
    return { sockets, address: { transport: 'tcp', host: '127.0.0.1', port: (server.address() as net.AddressInfo).port } as ProxyAddress };
  }

  async function timedProxy(upstream: ProxyAddress, listen: ProxyAddress['transport'] = 'tcp') {
    const events: string[] = [];
    const p = await startTrafficProxy({ listen: { transport: listen, host: '127.0.0.1', port: 0 }, upstream, onEvent: (e) => events.push(e), partialMessageTimeout: 150 });
    cleanup.push(() => p.close());
    return { proxy: p, events };
  }

  const closed = (socket: net.Socket) => new Promise<void>((r) => (socket.destroyed ? r() : socket.once('close', () => r())));

  it('a client holding a line without its newline has both connections closed, saying why; whole lines before it went through', async () => {
    const up = await rawUpstream();
    const { proxy, events } = await timedProxy(up.address);
    const client = net.connect(proxy.port, '127.0.0.1');
    client.on('error', () => undefined);
    cleanup.push(() => client.destroy());
    await new Promise<void>((r) => client.once('connect', r));
    client.write('{"id":1,"method":"server.ping","params":[]}\n{"id":2,');
    await until(() => up.sockets.length === 1, 'the upstream connection');
    await Promise.all([closed(client), closed(up.sockets[0] as net.Socket)]);
    expect(events).toContainEqual(
      expect.stringMatching(/^conn 1: the client left a message unfinished for \d+ ms \(8 characters kept, no newline yet\), more than partialMessageTimeout \(150 ms\): closing both connections$/),
    );
    expect(events.at(-1)).toBe('conn 1: closed');
    expect(proxy.open).toBe(0);
    expect(proxy.checker.summary().connections[0]?.messages).toBe(1);
  });

  it('so does a server holding one', async () => {
    const up = await rawUpstream();
    const { proxy, events } = await timedProxy(up.address);
    const client = net.connect(proxy.port, '127.0.0.1');
    client.on('error', () => undefined);
    client.resume(); // read what is forwarded, so that the end of the stream is seen
    cleanup.push(() => client.destroy());
    await until(() => up.sockets.length === 1, 'the upstream connection');
    up.sockets[0]?.write('{"jsonrpc":"2.0","method":"blockchain.headers.subscribe","params":[');
    await Promise.all([closed(client), closed(up.sockets[0] as net.Socket)]);
    expect(events).toContainEqual(expect.stringMatching(/^conn 1: the server left a message unfinished for \d+ ms \(67 characters kept, no newline yet\), more than partialMessageTimeout \(150 ms\)/));
  });

  it('a WebSocket client holding a message whose last fragment never comes: the listener closes it, and the log says why', async () => {
    const up = await rawUpstream();
    const { proxy, events } = await timedProxy(up.address, 'ws');
    const ws = new WebSocket(proxy.url);
    ws.on('error', () => undefined);
    cleanup.push(() => ws.terminate());
    await new Promise<void>((r) => ws.once('open', () => r()));
    ws.send('{"id":1,"method":"server.ping",', { fin: false }); // the first fragment of a message
    await new Promise<void>((r) => ws.once('close', () => r()));
    await until(() => events.includes('conn 1: closed'), 'the pair closed');
    expect(events).toContainEqual(expect.stringMatching(/^conn 1: the client's WebSocket: bytes arrived for \d+ ms without completing a message, more than the limit of 150 ms$/));
  });

  it('a WebSocket server holding a message whose last fragment never comes: the connector fails it, and the log says why', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    cleanup.push(() => new Promise((r) => wss.close(r)), () => wss.clients.forEach((c) => c.terminate()));
    wss.on('connection', (c) => c.send('{"jsonrpc":"2.0","method":"blockchain.headers.subscribe",', { fin: false }));
    const { proxy, events } = await timedProxy({ transport: 'ws', host: '127.0.0.1', port: (wss.address() as net.AddressInfo).port });
    const client = net.connect(proxy.port, '127.0.0.1');
    client.on('error', () => undefined);
    client.resume();
    cleanup.push(() => client.destroy());
    await closed(client);
    await until(() => events.includes('conn 1: closed'), 'the pair closed');
    expect(events).toContainEqual(expect.stringMatching(/^conn 1: upstream: the connection failed: bytes arrived for \d+ ms without completing a message, more than the limit of 150 ms$/));
  });

  it('refuses a value that is not a number >= 0', async () => {
    const up = await rawUpstream();
    await expect(startTrafficProxy({ listen: { transport: 'tcp', host: '127.0.0.1', port: 0 }, upstream: up.address, partialMessageTimeout: -1 })).rejects.toThrow(RangeError);
    await expect(startTrafficProxy({ listen: { transport: 'tcp', host: '127.0.0.1', port: 0 }, upstream: up.address, partialMessageTimeout: Number.NaN })).rejects.toThrow(/partialMessageTimeout must be a number >= 0/);
  });
});
