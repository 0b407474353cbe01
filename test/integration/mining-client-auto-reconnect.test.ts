// The `reconnect` option over real sockets: after the pool drops the connection the miner reconnects on its
// own with backoff, resumes the session (subscribe with the session id, configure and authorize again) and
// gets a job, with the same events as the ElectrumClient; maxAttempts gives up with `close`.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MINING_AGENT, MiningClient, type MiningClientEvents, type MiningClientOptions } from '../../src/mining.js';
import { ClosedError, ConnectError } from '../../src/runtime/errors.js';
import { streamConnector } from '../../src/runtime/transport.js';
import { EXTRANONCE1, SESSION_ID, standardPool, startFakePool, type FakePool, type Script } from '../helpers/fake-pool.js';
import { until } from '../helpers/wait.js';

let pools: FakePool[] = [];
let miners: MiningClient[] = [];
afterEach(async () => {
  await Promise.all(miners.map((m) => m.close()));
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
  miners = [];
});

const ROLLING = { 'version-rolling': true, 'version-rolling.mask': '1fffe000' };
const FAST = { initialDelay: 10, maxDelay: 40, jitter: 0 };
const SHARE = ['w', 'bf', '00000001', '504e86ed', 'b2957c02'] as const;

async function pool(script: Script = standardPool({ configure: ROLLING })): Promise<FakePool> {
  const p = await startFakePool(script);
  pools.push(p);
  return p;
}

async function started(p: FakePool, options: MiningClientOptions) {
  const miner = await MiningClient.connect(p.url, { optionalReplyTimeout: 200, ...options });
  miners.push(miner);
  await miner.start({ user: 'w', password: 'p', configure: [['version-rolling'], { 'version-rolling.mask': '1fffe000' }] });
  return { miner, conn: await p.connection(0) };
}

/** Every lifecycle event, by name, in order. */
function lifecycle(miner: MiningClient) {
  const seen: [keyof MiningClientEvents, unknown][] = [];
  for (const event of ['disconnect', 'reconnecting', 'reconnect', 'close'] as const) miner.on(event, (arg: unknown) => seen.push([event, arg]));
  return seen;
}

function nextEvent<E extends keyof MiningClientEvents>(miner: MiningClient, event: E): Promise<MiningClientEvents[E]> {
  return new Promise((resolve) => miner.once(event, (...args) => resolve(args)));
}

/** A connector to `port` that refuses the attempts listed in `refuse` (1 is the first connection). */
function flakyConnector(port: number, refuse: (attempt: number) => boolean) {
  let attempt = 0;
  return streamConnector(async () => {
    attempt++;
    if (refuse(attempt)) throw new ConnectError(`127.0.0.1:${port}: connection refused (attempt ${attempt})`);
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return socket;
  });
}

describe('MiningClient reconnect option', () => {
  it('reconnects on its own after a drop, resumes the session, authorizes again and gets a job', async () => {
    const p = await pool();
    const { miner, conn } = await started(p, { reconnect: FAST });
    expect(miner.currentJob?.jobId).toBe('bf');
    const events = lifecycle(miner);
    // Never answered: in flight when the connection drops, so it rejects.
    const inFlight = miner.mining.suggestDifficulty(64).catch((e: unknown) => e);
    await conn.next('mining.suggest_difficulty');
    const reconnected = nextEvent(miner, 'reconnect');
    const disconnected = nextEvent(miner, 'disconnect');

    conn.socket.destroy();
    await disconnected;
    // The lost connection's jobs are gone, and a share now fails at once rather than waiting.
    expect([miner.jobs.size, miner.currentJob, miner.reconnecting, miner.closed]).toEqual([0, undefined, true, false]);
    await expect(miner.mining.submit(...SHARE)).rejects.toThrow(/reconnecting/);
    const [info] = await reconnected;

    expect(info).toEqual({ host: '127.0.0.1', port: p.port, resumed: true });
    expect(await inFlight).toBeInstanceOf(ClosedError);
    expect(events.map(([name]) => name)).toEqual(['disconnect', 'reconnecting', 'reconnect']);
    expect(events[0]?.[1]).toBeInstanceOf(ClosedError);
    expect(events[1]?.[1]).toEqual({ attempt: 1, delay: FAST.initialDelay, error: undefined });
    const conn2 = await p.connection(1);
    expect(conn2.received.map((m) => [m.method, m.params])).toEqual([
      ['mining.configure', [['version-rolling'], { 'version-rolling.mask': '1fffe000' }]],
      ['mining.subscribe', [DEFAULT_MINING_AGENT, SESSION_ID]],
      ['mining.authorize', ['w', 'p']],
    ]);
    expect([miner.reconnecting, miner.extranonce1, miner.versionMask, miner.authorizedWorkers]).toEqual([false, EXTRANONCE1, '1fffe000', ['w']]);
    // The pool sends a job once the worker is authorized again.
    await until(() => miner.currentJob?.jobId === 'bf');
    expect(await miner.mining.submit(...SHARE)).toBe(true);
    expect(conn2.received.at(-1)?.method).toBe('mining.submit');
  });

  it('backs off between refused attempts, then resumes', async () => {
    const p = await pool();
    // The first connection succeeds; the next two attempts are refused, the fourth connects.
    const connector = flakyConnector(p.port, (n) => n === 2 || n === 3);
    const { miner, conn } = await started(p, { connector, reconnect: { ...FAST, factor: 2 } });
    const attempts: MiningClientEvents['reconnecting'][0][] = [];
    miner.on('reconnecting', (a) => attempts.push(a));
    const reconnected = nextEvent(miner, 'reconnect');
    conn.socket.destroy();
    expect((await reconnected)[0]).toEqual({ host: '127.0.0.1', port: p.port, resumed: true });
    expect(attempts.map(({ attempt, delay }) => [attempt, delay])).toEqual([
      [1, 10],
      [2, 20],
      [3, 40],
    ]);
    expect(attempts[0]?.error).toBeUndefined();
    expect(attempts[1]?.error).toBeInstanceOf(ConnectError);
    expect(attempts[2]?.error?.message).toMatch(/attempt 3/);
    expect(p.connections).toHaveLength(2);
    expect(miner.authorizedWorkers).toEqual(['w']);
  });

  it('retries when the pool drops the connection again during the resume', async () => {
    let authorizations = 0;
    const p = await pool(
      standardPool({ configure: ROLLING }, (m, c) => {
        // The second connection dies on its authorize; the first and the third answer normally.
        if (m.method !== 'mining.authorize' || ++authorizations !== 2) return false;
        c.socket.destroy();
        return true;
      }),
    );
    const { miner, conn } = await started(p, { reconnect: FAST });
    const events = lifecycle(miner);
    const reconnected = nextEvent(miner, 'reconnect');
    conn.socket.destroy();
    expect((await reconnected)[0]).toEqual({ host: '127.0.0.1', port: p.port, resumed: true });
    expect(events.map(([name]) => name)).toEqual(['disconnect', 'reconnecting', 'reconnecting', 'reconnect']);
    expect((events[2]?.[1] as MiningClientEvents['reconnecting'][0]).error).toBeInstanceOf(ClosedError);
    expect(p.connections).toHaveLength(3);
    const conn3 = await p.connection(2);
    expect(conn3.received.find((m) => m.method === 'mining.subscribe')?.params).toEqual([DEFAULT_MINING_AGENT, SESSION_ID]);
    expect(miner.authorizedWorkers).toEqual(['w']);
    await until(() => miner.currentJob !== undefined);
  });

  it('gives up after maxAttempts and closes with the last error', async () => {
    const p = await pool();
    const connector = flakyConnector(p.port, (n) => n > 1);
    const { miner, conn } = await started(p, { connector, reconnect: { ...FAST, maxAttempts: 3 } });
    const events = lifecycle(miner);
    const closed = nextEvent(miner, 'close');
    conn.socket.destroy();
    const [error] = await closed;
    expect(error).toBeInstanceOf(ConnectError);
    expect(error?.message).toMatch(/attempt 4/);
    expect(events.map(([name]) => name)).toEqual(['disconnect', 'reconnecting', 'reconnecting', 'reconnecting', 'close']);
    expect([miner.closed, miner.reconnecting]).toEqual([true, false]);
    await expect(miner.mining.submit(...SHARE)).rejects.toBeInstanceOf(ClosedError);
  });

  it('stops retrying when closed during the backoff', async () => {
    const p = await pool();
    const { miner, conn } = await started(p, { reconnect: { initialDelay: 10_000, maxDelay: 10_000, jitter: 0 } });
    const events = lifecycle(miner);
    const reconnecting = nextEvent(miner, 'reconnecting');
    conn.socket.destroy();
    await reconnecting;
    await miner.close();
    expect(events.map(([name, arg]) => [name, name === 'close' ? arg : undefined])).toEqual([
      ['disconnect', undefined],
      ['reconnecting', undefined],
      ['close', undefined],
    ]);
    expect([miner.closed, miner.reconnecting]).toEqual([true, false]);
    expect(p.connections).toHaveLength(1);
  });

  it('is off by default: a drop closes the client, and no disconnect is announced', async () => {
    const p = await pool();
    const { miner, conn } = await started(p, {});
    const events = lifecycle(miner);
    const closed = nextEvent(miner, 'close');
    conn.socket.destroy();
    expect((await closed)[0]).toBeInstanceOf(ClosedError);
    expect(events.map(([name]) => name)).toEqual(['close']);
    expect(p.connections).toHaveLength(1);
  });

  it('retries a followed client.reconnect whose target is down, with the backoff', async () => {
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as net.AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const p = await pool();
    const { miner, conn } = await started(p, { reconnect: { ...FAST, maxAttempts: 2 } });
    const events = lifecycle(miner);
    const closed = nextEvent(miner, 'close');
    conn.notify('client.reconnect', ['127.0.0.1', deadPort, 0]);
    expect((await closed)[0]).toBeInstanceOf(ConnectError);
    // Not a drop: no disconnect; the asked-for attempt right away, then one after the backoff.
    expect(events.map(([name, arg]) => (name === 'reconnecting' ? (arg as { delay: number }).delay : name))).toEqual([0, 20, 'close']);
  });
});
