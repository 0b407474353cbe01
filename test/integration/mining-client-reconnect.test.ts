// client.reconnect over real sockets: followed with session resume and re-authorization, refused across
// hosts, ignored on request, and the manual reconnect after the pool dropped the connection.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MINING_AGENT, MiningClient } from '../../src/clients/mining-client.js';
import type { MiningClientEvents, MiningClientOptions, ReconnectTarget } from '../../src/clients/mining-types.js';
import { ClosedError, ConnectError, ProtocolError } from '../../src/runtime/errors.js';
import { streamConnector } from '../../src/runtime/transport.js';
import { EXTRANONCE1, SESSION_ID, standardPool, startFakePool, type FakePool, type Script } from '../helpers/fake-pool.js';
import { until } from '../helpers/wait.js';

let pools: FakePool[] = [];
let miners: MiningClient[] = [];
afterEach(async () => {
  for (const m of miners) m.close();
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
  miners = [];
});

async function pool(script: Script = standardPool()): Promise<FakePool> {
  const p = await startFakePool(script);
  pools.push(p);
  return p;
}

async function started(p: FakePool, options: MiningClientOptions = {}, url = p.url) {
  // Most of these pools never answer mining.configure; no need to wait the full 5 s for it.
  const miner = await MiningClient.connect(url, { optionalReplyTimeout: 50, ...options });
  miners.push(miner);
  await miner.start({ user: 'w', password: 'p', configure: [['version-rolling'], { 'version-rolling.mask': '1fffe000' }] });
  return { miner, conn: await p.connection(0) };
}

function record<E extends keyof MiningClientEvents>(miner: MiningClient, event: E): MiningClientEvents[E][] {
  const seen: MiningClientEvents[E][] = [];
  miner.on(event, (...args) => seen.push(args));
  return seen;
}

function nextEvent<E extends keyof MiningClientEvents>(miner: MiningClient, event: E): Promise<MiningClientEvents[E]> {
  return new Promise((resolve) => miner.once(event, (...args) => resolve(args)));
}

const ROLLING = { 'version-rolling': true, 'version-rolling.mask': '1fffe000' };
const SHARE = ['w', 'bf', '00000001', '504e86ed', 'b2957c02'] as const;

describe('following client.reconnect', () => {
  it('reconnects, resumes the session, configures and authorizes again', async () => {
    const first = await pool(standardPool({ configure: ROLLING }));
    const second = await pool(standardPool({ configure: { 'version-rolling': true, 'version-rolling.mask': '00006000' } }));
    const { miner, conn } = await started(first, { optionalReplyTimeout: 60_000 });
    const requests = record(miner, 'reconnect-request');
    const closes = record(miner, 'close');
    const masks = record(miner, 'version-mask');
    // Never answered: the old connection's requests reject when it closes.
    const pending = miner.mining.suggestDifficulty(64).catch((e: unknown) => e);
    await conn.next('mining.suggest_difficulty');
    const reconnected = nextEvent(miner, 'reconnect');

    // ckpool sends the port as a string.
    conn.notify('client.reconnect', ['127.0.0.1', String(second.port), 0]);
    const [info] = await reconnected;

    expect(info).toEqual({ host: '127.0.0.1', port: second.port, resumed: true });
    expect(requests).toEqual([[{ host: '127.0.0.1', port: second.port, waitSeconds: 0, decision: 'follow', reason: undefined }]]);
    expect(await pending).toBeInstanceOf(ClosedError);
    const conn2 = await second.connection(0);
    expect(conn2.received.map((m) => [m.method, m.params])).toEqual([
      ['mining.configure', [['version-rolling'], { 'version-rolling.mask': '1fffe000' }]],
      ['mining.subscribe', [DEFAULT_MINING_AGENT, SESSION_ID]],
      ['mining.authorize', ['w', 'p']],
    ]);
    expect([miner.host, miner.port, miner.extranonce1, miner.versionMask]).toEqual(['127.0.0.1', second.port, EXTRANONCE1, '00006000']);
    expect(masks.at(-1)).toEqual(['00006000']);
    expect(miner.authorizedWorkers).toEqual(['w']);
    expect(miner.currentJob?.jobId).toBe('bf');
    expect(closes).toEqual([]);
    await until(() => conn.socket.destroyed);
    expect(await miner.mining.submit(...SHARE)).toBe(true);
    expect(conn2.received.at(-1)?.method).toBe('mining.submit');
  });

  it('subscribes afresh when the pool refuses the session id, and says it did not resume', async () => {
    const first = await pool();
    const second = await pool(
      standardPool({ extranonce1: 'deadbeef' }, (m, c) => {
        if (m.method !== 'mining.subscribe' || m.params?.length !== 2) return false;
        c.fail(m, [20, 'unknown session', null]);
        return true;
      }),
    );
    const { miner, conn } = await started(first);
    const extranonces = record(miner, 'extranonce');
    const reconnected = nextEvent(miner, 'reconnect');
    conn.notify('client.reconnect', [null, second.port, null]);
    const [info] = await reconnected;
    expect(info.resumed).toBe(false);
    const conn2 = await second.connection(0);
    expect(conn2.received.filter((m) => m.method === 'mining.subscribe').map((m) => m.params)).toEqual([[DEFAULT_MINING_AGENT, SESSION_ID], [DEFAULT_MINING_AGENT]]);
    expect(extranonces).toEqual([['deadbeef', 4]]);
    // The first pool never answered mining.configure, so none is replayed and rolling stays off.
    expect(conn2.received.some((m) => m.method === 'mining.configure')).toBe(false);
    expect(miner.versionMask).toBeUndefined();
  });

  it('refuses a redirect to another host unless allowRedirect says yes', async () => {
    const asked: ReconnectTarget[] = [];
    const { miner, conn } = await started(await pool(), {
      allowRedirect: (target) => {
        asked.push(target);
        return false;
      },
    });
    const requests = record(miner, 'reconnect-request');
    conn.notify('client.reconnect', ['pool.attacker.example', 3333, 0]);
    await until(() => requests.length === 1);
    expect(requests[0]![0]).toMatchObject({ host: 'pool.attacker.example', port: 3333, decision: 'refused' });
    expect(requests[0]![0].reason).toMatch(/allowRedirect/);
    expect(asked).toEqual([{ host: 'pool.attacker.example', port: 3333, waitSeconds: 0 }]);
    // Still mining on the first pool.
    expect(miner.closed).toBe(false);
    expect(await miner.mining.submit(...SHARE)).toBe(true);
    await expect(miner.reconnect({ host: 'pool.attacker.example', port: 3333 })).rejects.toBeInstanceOf(ConnectError);
  });

  it('reports a reconnect to a port that cannot be connected to', async () => {
    const { miner, conn } = await started(await pool());
    const errors = record(miner, 'protocol-error');
    conn.notify('client.reconnect', ['127.0.0.1', 0, 0]);
    await until(() => errors.length === 1);
    expect(errors[0]![0]).toBeInstanceOf(ProtocolError);
    expect(miner.closed).toBe(false);
  });

  it('only reports the request when followReconnect is off; reconnect() then follows it', async () => {
    const first = await pool();
    const second = await pool();
    const { miner, conn } = await started(first, { followReconnect: false });
    const [request] = await (async () => {
      const seen = nextEvent(miner, 'reconnect-request');
      conn.notify('client.reconnect', ['127.0.0.1', second.port, 0]);
      return seen;
    })();
    expect(request.decision).toBe('ignored');
    expect(second.connections).toHaveLength(0);
    expect(await miner.reconnect(request)).toEqual({ host: '127.0.0.1', port: second.port, resumed: true });
    expect(second.connections).toHaveLength(1);
  });

  it('cuts a long wait to maxReconnectWait', async () => {
    const first = await pool();
    const { miner, conn } = await started(first, { maxReconnectWait: 0 });
    const seen = nextEvent(miner, 'reconnect-request');
    const reconnected = nextEvent(miner, 'reconnect');
    conn.notify('client.reconnect', [null, null, 3600]);
    expect((await seen)[0]).toMatchObject({ waitSeconds: 0, decision: 'follow' });
    await reconnected;
    expect(first.connections).toHaveLength(2);
  });

  it('stops a reconnect that is waiting when the client closes', async () => {
    const second = await pool();
    const { miner, conn } = await started(await pool());
    const closes = record(miner, 'close');
    const seen = nextEvent(miner, 'reconnect-request');
    conn.notify('client.reconnect', ['127.0.0.1', second.port, 30]);
    expect((await seen)[0]).toMatchObject({ waitSeconds: 30, decision: 'follow' });
    expect(miner.reconnecting).toBe(true);
    // The old connection's jobs cannot be submitted on the new one.
    expect([miner.jobs.size, miner.currentJob, miner.subscription]).toEqual([0, undefined, undefined]);
    await expect(miner.mining.submit(...SHARE)).rejects.toThrow(/reconnecting/);
    miner.close();
    // The reconnect under way ends (it no longer counts as reconnecting) without a second 'close' and
    // without connecting anywhere: once it has ended, nothing more can come of it.
    await until(() => !miner.reconnecting, 'the reconnect to end');
    expect(closes).toEqual([[undefined]]);
    expect(miner.closed).toBe(true);
    expect(second.connections).toHaveLength(0);
  });

  it('closes with the error when the new pool cannot be reached', async () => {
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as net.AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const { miner, conn } = await started(await pool());
    const closed = nextEvent(miner, 'close');
    conn.notify('client.reconnect', ['127.0.0.1', deadPort, 0]);
    const [error] = await closed;
    expect(error).toBeInstanceOf(ConnectError);
    expect(miner.closed).toBe(true);
  });
});

describe('reconnect()', () => {
  it('resumes on the same pool after the pool dropped the connection', async () => {
    const p = await pool();
    const { miner, conn } = await started(p);
    const closed = nextEvent(miner, 'close');
    conn.socket.destroy();
    const [error] = await closed;
    expect(error).toBeInstanceOf(ClosedError);
    expect(miner.closed).toBe(true);
    expect(await miner.reconnect()).toEqual({ host: '127.0.0.1', port: p.port, resumed: true });
    expect(miner.closed).toBe(false);
    const conn2 = await p.connection(1);
    expect(conn2.received.find((m) => m.method === 'mining.subscribe')?.params).toEqual([DEFAULT_MINING_AGENT, SESSION_ID]);
    expect(await miner.mining.submit(...SHARE)).toBe(true);
  });

  it('with a custom connector, only goes back to the same place', async () => {
    const first = await pool();
    const second = await pool();
    const connector = streamConnector(async () => {
      const socket = net.connect(first.port, '127.0.0.1');
      await once(socket, 'connect');
      return socket;
    });
    const { miner, conn } = await started(first, { connector });
    const requests = record(miner, 'reconnect-request');
    conn.notify('client.reconnect', ['127.0.0.1', second.port, 0]);
    await until(() => requests.length === 1);
    expect(requests[0]![0]).toMatchObject({ decision: 'refused', reason: expect.stringMatching(/connector/) as unknown });
    const reconnected = nextEvent(miner, 'reconnect');
    conn.notify('client.reconnect', []);
    expect((await reconnected)[0]).toEqual({ host: '127.0.0.1', port: first.port, resumed: true });
    expect(first.connections).toHaveLength(2);
    expect(second.connections).toHaveLength(0);
  });

  it('refuses a target that is not a port with a ConnectError, whatever the caller passed', async () => {
    const { miner } = await started(await pool());
    await expect(miner.reconnect({ port: 0 })).rejects.toThrow(/^reconnect refused: 0 is not a port$/);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    await expect(miner.reconnect({ port: cyclic as unknown as number })).rejects.toBeInstanceOf(ConnectError);
    // Still connected, on the same pool.
    expect(miner.closed).toBe(false);
    expect(await miner.mining.submit(...SHARE)).toBe(true);
  });

  it('is refused after close()', async () => {
    const { miner } = await started(await pool());
    miner.close();
    await expect(miner.reconnect()).rejects.toBeInstanceOf(ClosedError);
  });
});
