// Deliberately wrong clients against the world with every message checked (what `serve --check-clients`
// does): each mistake is a finding naming the connection, the method and the path; a correct client
// (the SDK's own) gives none.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { addressToScriptPubKey } from '../../src/bitcoin/address.js';
import { ElectrumClient } from '../../src/clients/electrum-client.js';
import { MiningClient } from '../../src/clients/mining-client.js';
import { tapWorld } from '../../src/conformance/transcript-recorder.js';
import { TrafficChecker } from '../../src/conformance/traffic/checker.js';
import type { TrafficFinding } from '../../src/conformance/traffic/findings.js';
import { startWorld, type World } from '../../src/regtest/world.js';
import { until } from '../helpers/wait.js';

let world: World | undefined;
let stopTap: (() => void) | undefined;
afterEach(async () => {
  stopTap?.();
  await world?.close();
  world = undefined;
});

async function checkedWorld() {
  world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 }, tls: false });
  const live: TrafficFinding[] = [];
  const checker = new TrafficChecker({ onFinding: (f) => live.push(f) });
  const seen: string[] = [];
  stopTap = tapWorld(world, {
    message: (m) => {
      seen.push(`${m.conn} ${m.dir} ${m.line}`);
      checker.feed(m);
    },
    end: (conn) => checker.end(conn),
  });
  return { world, checker, live, seen };
}

/** A raw client: writes lines as given and collects the lines it gets back. */
async function rawClient(url: string) {
  const { hostname, port } = new URL(url.replace(/^[a-z+]+:/, 'http:'));
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const received: string[] = [];
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    buffer += text;
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      received.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
  socket.on('error', () => undefined);
  return {
    received,
    /** Sends the lines, then waits until the server has answered `answers` of them in all. */
    async send(lines: string[], answers: number) {
      socket.write(lines.map((l) => `${l}\n`).join(''));
      await until(() => received.length >= answers, `${answers} answers (got ${received.length}: ${received.join(' | ')})`);
    },
    close: () => socket.destroy(),
  };
}

const of = (findings: readonly TrafficFinding[], method: string | undefined) => findings.filter((f) => f.method === method);

describe('serve --check-clients: every message a client sends checked against the spec', () => {
  it('reports wrong param types, an unknown method, a bad id, params of a version not negotiated and malformed JSON', async () => {
    const { world, checker, live } = await checkedWorld();
    const client = await rawClient(world.urls.electrumTcp);
    await client.send(['{"jsonrpc":"2.0","id":1,"method":"server.version","params":["wrong-client/1.0","1.4"]}'], 1);
    await client.send(
      [
        '{"jsonrpc":"2.0","id":2,"method":"blockchain.block.header","params":["abc"]}', // wrong type
        '{"jsonrpc":"2.0","id":3,"method":"blockchain.no_such_thing","params":[]}', // unknown method
        '{"jsonrpc":"2.0","id":{"x":1},"method":"server.banner","params":[]}', // bad id
        '{"jsonrpc":"2.0","id":5,"method":"blockchain.estimatefee","params":[2,"ECONOMICAL"]}', // mode is 1.6+
        '{"jsonrpc":"2.0","id":6,"method":"mempool.get_info","params":[]}', // a 1.6 method
        '{"jsonrpc":"2.0","id":7,"method":"server.banner"', // malformed JSON
      ],
      7,
    );
    client.close();
    const summary = checker.summary();

    const header = of(live, 'blockchain.block.header');
    expect(header).toEqual([expect.objectContaining({ kind: 'violation', conn: 'electrum-1', dir: 'c2s', side: 'client', path: 'params[0] (height)' })]);
    expect(header[0]?.excerpt).toBe('{"jsonrpc":"2.0","id":2,"method":"blockchain.block.header","params":["abc"]}');
    expect(of(live, 'blockchain.no_such_thing')).toEqual([expect.objectContaining({ kind: 'violation', path: 'method', message: expect.stringContaining('unknown Electrum method') })]);
    expect(live).toContainEqual(expect.objectContaining({ kind: 'violation', path: 'message', message: expect.stringContaining('"id" must be') }));
    expect(of(live, 'blockchain.estimatefee')).toEqual([expect.objectContaining({ path: 'params[1] (mode)', message: expect.stringContaining('not part of protocol 1.4') })]);
    expect(of(live, 'mempool.get_info')).toEqual([expect.objectContaining({ path: 'method', message: expect.stringContaining('not part of protocol 1.4') })]);
    expect(live).toContainEqual(expect.objectContaining({ kind: 'violation', method: undefined, message: expect.stringContaining('malformed JSON') }));
    // The world answered each with an error, as it should: none of the server's messages is a finding.
    expect(live.filter((f) => f.side === 'server')).toEqual([]);
    expect(summary.connections).toEqual([expect.objectContaining({ conn: 'electrum-1', protocol: 'electrum', version: '1.4' })]);
    expect(summary.violations).toBe(6);
    expect(summary.ok).toBe(false);
    expect(summary.methods['blockchain.block.header']).toEqual({ messages: 2, violations: 1, deviations: 0, unanswered: 0 });
  });

  it('reports a request without an id, a second server.version and a request before server.version (a documented deviation)', async () => {
    const { world, live } = await checkedWorld();
    const client = await rawClient(world.urls.electrumTcp);
    await client.send(['{"jsonrpc":"2.0","id":1,"method":"server.banner","params":[]}'], 1);
    await client.send(['{"jsonrpc":"2.0","id":2,"method":"server.version","params":["x","1.4"]}', '{"jsonrpc":"2.0","id":3,"method":"server.version","params":["x","1.4"]}'], 3);
    client.close();
    expect(live).toEqual([
      expect.objectContaining({ kind: 'deviation', method: 'server.banner', deviation: 'request-before-version', reference: expect.stringContaining('Fulcrum answers requests that come before it') }),
      expect.objectContaining({ kind: 'violation', method: 'server.version', message: expect.stringContaining('a second server.version') }),
    ]);
  });

  it('reports a Stratum client with wrong params and a reply to nothing; a miner that follows the spec gives no findings', async () => {
    const { world, checker, live } = await checkedWorld();
    const miner = await MiningClient.connect(world.urls.stratum, { agent: 'good-miner/1.0' });
    await miner.start({ user: 'good.worker', password: 'x', configure: [['version-rolling'], { 'version-rolling.mask': '1fffe000' }] });
    const bad = await rawClient(world.urls.stratum);
    await bad.send(['{"id":1,"method":"mining.subscribe","params":["bad/1.0"]}'], 1);
    await until(() => bad.received.some((l) => l.includes('mining.notify')), 'a job for the bad miner');
    const before = bad.received.length;
    await bad.send(['{"id":2,"method":"mining.authorize","params":[42,"x"]}'], before + 1);
    bad.close();
    // A reply to a request the pool never sent: nothing can be matched to it.
    const stray = await rawClient(world.urls.stratum);
    await stray.send(['{"id":99,"result":"stray/1.0","error":null}'], 0);
    await until(() => live.some((f) => f.path === 'id'), 'the stray reply reported');
    stray.close();
    await miner.close();

    const minerFindings = live.filter((f) => f.conn === 'stratum-1');
    expect(minerFindings).toEqual([]);
    expect(live).toContainEqual(expect.objectContaining({ conn: 'stratum-2', method: 'mining.authorize', path: 'params[0] (username)' }));
    expect(live).toContainEqual(expect.objectContaining({ conn: 'stratum-3', method: undefined, path: 'id', message: expect.stringContaining('no pending request of the server') }));
    expect(checker.summary().connections.map((c) => c.protocol)).toContain('stratum');
  });

  it('an SDK Electrum client over TCP gives no findings', async () => {
    const { world, checker, seen } = await checkedWorld();
    const client = await ElectrumClient.connect(world.urls.electrumTcp, { keepAlive: false });
    await client.blockchain.headers.subscribe();
    await client.blockchain.scripthash.subscribe(world.payoutScripthash);
    await client.blockchain.transaction.get(world.chain.block(0)?.txids[0] ?? '', true).catch(() => undefined);
    world.chain.mine(addressToScriptPubKey(world.payoutAddress, 'regtest'));
    await until(() => seen.filter((l) => l.includes('blockchain.scripthash.subscribe')).length >= 2, 'the status notification');
    await client.close();
    const summary = checker.summary();
    expect(summary.findings).toEqual([]);
    expect(summary.messages).toBeGreaterThanOrEqual(8);
  });
});
