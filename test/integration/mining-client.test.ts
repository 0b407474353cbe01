// MiningClient over real sockets on 127.0.0.1, against a scripted pool whose every byte the test chooses.
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MiningClient } from '../../src/clients/mining-client.js';
import type { MiningClientEvents, MiningClientOptions, MiningJob } from '../../src/clients/mining-types.js';
import { AbortedError, ClosedError, ConnectError, ProtocolError, ServerError, TimeoutError, ValidationError } from '../../src/runtime/errors.js';
import { EXTRANONCE1, job, SESSION_ID, standardPool, startFakePool, type FakePool, type PoolConnection, type PoolMessage, type Script } from '../helpers/fake-pool.js';
import { until } from '../helpers/wait.js';

let pools: FakePool[] = [];
let miners: MiningClient[] = [];
afterEach(async () => {
  for (const m of miners) m.close();
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
  miners = [];
});

async function setup(script: Script, options: MiningClientOptions = {}) {
  const pool = await startFakePool(script);
  pools.push(pool);
  const miner = await MiningClient.connect(pool.url, options);
  miners.push(miner);
  return { pool, miner, conn: await pool.connection(0) };
}

/** Collects every emission of an event. */
function record<E extends keyof MiningClientEvents>(miner: MiningClient, event: E): MiningClientEvents[E][] {
  const seen: MiningClientEvents[E][] = [];
  miner.on(event, (...args) => seen.push(args));
  return seen;
}

function nextEvent<E extends keyof MiningClientEvents>(miner: MiningClient, event: E): Promise<MiningClientEvents[E]> {
  return new Promise((resolve) => miner.once(event, (...args) => resolve(args)));
}

const SHARE = ['slush.miner1', 'bf', '00000001', '504e86ed', 'b2957c02'] as const;

describe('connecting', () => {
  it.each([
    ['not a url', /not a URL/],
    ['tcp://127.0.0.1:3333', /unknown scheme "tcp"/],
    ['stratum2+tcp://127.0.0.1:3333', /unknown scheme/],
    ['stratum+tcp://127.0.0.1', /host and a port/],
    ['stratum+tcp://user:pass@127.0.0.1:3333', /credentials/],
  ])('refuses %s with a ConnectError', async (url, message) => {
    const error = await MiningClient.connect(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).message).toMatch(message);
  });

  it('refuses bad options before opening a socket', async () => {
    const pool = await startFakePool(() => undefined);
    pools.push(pool);
    await expect(MiningClient.connect(pool.url, { timeout: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(MiningClient.connect(pool.url, { maxJobs: 0 })).rejects.toBeInstanceOf(RangeError);
    // The pool accepts connections in the order they were opened: had the client opened one, it would
    // come before this probe.
    const probe = net.connect(pool.port, '127.0.0.1');
    try {
      await once(probe, 'connect');
      await pool.connection(0);
      expect(pool.connections.map((c) => c.socket.remotePort)).toEqual([probe.localPort]);
    } finally {
      probe.destroy();
    }
  });

  it('reports an unreachable pool as a ConnectError', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    await expect(MiningClient.connect(`stratum+tcp://127.0.0.1:${port}`)).rejects.toBeInstanceOf(ConnectError);
  });
});

describe('the mining session', () => {
  it('subscribes, authorizes, receives the job and submits a share', async () => {
    const { miner, conn } = await setup(standardPool(), { agent: 'test-miner/1.0' });
    const jobs = record(miner, 'job');
    const extranonces = record(miner, 'extranonce');
    const result = await miner.start({ user: 'slush.miner1', password: 'x' });

    expect(conn.received.map((m) => [m.method, m.params])).toEqual([
      ['mining.subscribe', ['test-miner/1.0']],
      ['mining.authorize', ['slush.miner1', 'x']],
    ]);
    expect(conn.received.every((m) => !('jsonrpc' in m))).toBe(true);
    expect(result.subscription).toEqual({ subscriptions: [['mining.notify', SESSION_ID]], extranonce1: EXTRANONCE1, extranonce2Size: 4, sessionId: SESSION_ID });
    expect(result.configure).toBeUndefined();
    expect([miner.extranonce1, miner.extranonce2Size, miner.sessionId]).toEqual([EXTRANONCE1, 4, SESSION_ID]);
    expect(extranonces).toEqual([[EXTRANONCE1, 4]]);
    expect(miner.authorizedWorkers).toEqual(['slush.miner1']);
    // set_difficulty and the first job came before the authorize answer, and are in place when start resolves.
    expect(miner.difficulty).toBe(1024);
    expect(jobs).toHaveLength(1);
    expect(miner.currentJob).toMatchObject({ jobId: 'bf', cleanJobs: true, extranonce1: EXTRANONCE1, extranonce2Size: 4, difficulty: 1024, version: '00000002' });

    expect(await miner.mining.submit(...SHARE)).toBe(true);
    expect(conn.received.at(-1)).toMatchObject({ method: 'mining.submit', params: [...SHARE] });
    expect(miner.pendingRequests).toBe(0);
  });

  it('takes the difficulty and job that pools send before answering authorize', async () => {
    const { miner } = await setup(standardPool({ difficulty: 8192 }));
    const order: string[] = [];
    miner.on('difficulty', (d) => order.push(`difficulty ${d}`));
    miner.on('job', (j) => order.push(`job ${j.jobId} at ${j.difficulty}`));
    await miner.mining.subscribe();
    expect(await miner.mining.authorize('w')).toBe(true);
    order.push('authorized');
    expect(order).toEqual(['difficulty 8192', 'job bf at 8192', 'authorized']);
  });

  it('applies a subscribe result before the notifications that follow it in the same chunk', async () => {
    const { miner } = await setup((m, conn) => {
      if (m.method !== 'mining.subscribe') return;
      // One write: reply, difficulty and job, as ckpool sends them.
      conn.raw(
        [
          { id: m.id, result: [[['mining.notify', 's']], 'f0000001', 8], error: null },
          { id: null, method: 'mining.set_difficulty', params: [2.5] },
          { id: null, method: 'mining.notify', params: job('j1', true) },
        ]
          .map((x) => JSON.stringify(x) + '\n')
          .join(''),
      );
    });
    const seen: MiningJob[] = [];
    miner.on('job', (j) => seen.push(j));
    await miner.mining.subscribe('m/1');
    expect(seen[0]).toMatchObject({ jobId: 'j1', extranonce1: 'f0000001', extranonce2Size: 8, difficulty: 2.5 });
  });

  it('emits difficulty changes (only on change) and the wire-name events', async () => {
    const { miner, conn } = await setup(() => undefined);
    const changes = record(miner, 'difficulty');
    const wire = record(miner, 'mining.set_difficulty');
    conn.notify('mining.set_difficulty', [512]);
    conn.notify('mining.set_difficulty', [512]);
    // JSON-RPC 1.0 notifications may also come with no id at all.
    conn.send({ method: 'mining.set_difficulty', params: [1448.1546878700492] });
    await until(() => wire.length === 3);
    expect(wire).toEqual([[512], [512], [1448.1546878700492]]);
    expect(changes).toEqual([[512], [1448.1546878700492]]);
    expect(miner.difficulty).toBe(1448.1546878700492);
  });

  it('follows mining.set_extranonce from the next job on', async () => {
    const { miner, conn } = await setup(standardPool());
    await miner.start({ user: 'w' });
    const before = miner.currentJob;
    conn.notify('mining.set_extranonce', ['0badf00d', 6]);
    const [e1, size] = await nextEvent(miner, 'extranonce');
    expect([e1, size, miner.extranonce1, miner.extranonce2Size]).toEqual(['0badf00d', 6, '0badf00d', 6]);
    conn.notify('mining.notify', job('c0', false));
    const [next] = await nextEvent(miner, 'job');
    expect(next).toMatchObject({ jobId: 'c0', extranonce1: '0badf00d', extranonce2Size: 6 });
    expect(before).toMatchObject({ jobId: 'bf', extranonce1: EXTRANONCE1, extranonce2Size: 4 });
  });

  it('negotiates version rolling, follows mining.set_version_mask and submits six params', async () => {
    const { miner, conn } = await setup(standardPool({ configure: { 'version-rolling': true, 'version-rolling.mask': '1fffe000' } }));
    const masks = record(miner, 'version-mask');
    const { configure } = await miner.start({ user: 'w', configure: [['version-rolling'], { 'version-rolling.mask': 'ffffffff', 'version-rolling.min-bit-count': 2 }] });
    expect(configure).toEqual({ 'version-rolling': true, 'version-rolling.mask': '1fffe000' });
    // BIP310: configure is the first message.
    expect(conn.received[0]).toMatchObject({ method: 'mining.configure' });
    expect(miner.versionMask).toBe('1fffe000');
    conn.notify('mining.set_version_mask', ['00003000']);
    await nextEvent(miner, 'version-mask');
    expect(masks).toEqual([['1fffe000'], ['00003000']]);
    expect(miner.versionMask).toBe('00003000');
    expect(await miner.mining.submit(...SHARE, '00002000')).toBe(true);
    expect(conn.received.at(-1)?.params).toHaveLength(6);
  });

  it('keeps no version mask when the pool refuses version rolling', async () => {
    const { miner } = await setup(standardPool({ configure: { 'version-rolling': false } }));
    const result = await miner.start({ user: 'w', configure: [['version-rolling'], {}] });
    expect(result.configure).toEqual({ 'version-rolling': false });
    expect(miner.versionMask).toBeUndefined();
  });

  it('drops older jobs on clean_jobs and keeps at most maxJobs', async () => {
    const { miner, conn } = await setup(() => undefined, { maxJobs: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) conn.notify('mining.notify', job(id, false));
    await until(() => miner.currentJob?.jobId === 'e');
    expect([...miner.jobs.keys()]).toEqual(['c', 'd', 'e']);
    conn.notify('mining.notify', job('d', false)); // a resent id becomes the newest
    await until(() => [...miner.jobs.keys()].join() === 'c,e,d');
    conn.notify('mining.notify', job('f', true));
    await until(() => miner.currentJob?.jobId === 'f');
    expect([...miner.jobs.keys()]).toEqual(['f']);
    expect(Object.isFrozen(miner.currentJob)).toBe(true);
  });

  it('reports an invalid notification and leaves the state alone', async () => {
    const { miner, conn } = await setup(() => undefined);
    const errors = record(miner, 'protocol-error');
    conn.notify('mining.notify', ['bf', 'not-a-hash']);
    conn.notify('mining.set_difficulty', ['high']);
    conn.notify('mining.unheard_of', []);
    await until(() => errors.length === 3);
    expect(errors[0]![0]).toBeInstanceOf(ValidationError);
    expect(errors[1]![0]).toBeInstanceOf(ValidationError);
    expect((errors[2]![0] as ProtocolError).kind).toBe('unexpected-notification');
    expect(miner.jobs.size).toBe(0);
    expect(miner.difficulty).toBe(1);
  });

  it('refuses a ckpool failure string as the subscribe result', async () => {
    const { miner } = await setup((m, conn) => conn.reply(m, 'Initialising'));
    const error = await miner.mining.subscribe('m/1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ method: 'mining.subscribe', serverCode: null, serverMessage: 'Initialising' });
    expect(miner.subscription).toBeUndefined();
  });

  it('rejects start when the worker is refused', async () => {
    const { miner } = await setup(standardPool({}, (m, conn) => (m.method === 'mining.authorize' ? (conn.reply(m, false), true) : false)));
    await expect(miner.start({ user: 'w' })).rejects.toMatchObject({ code: 'SERVER', serverCode: null });
    expect(miner.authorizedWorkers).toEqual([]);
  });
});

describe('shares and errors in every encoding', () => {
  const cases: [string, (m: PoolMessage, c: PoolConnection) => void, { serverCode: number | null; serverMessage: string; data?: unknown }][] = [
    ['[code, message, null]', (m, c) => c.fail(m, [21, 'Job not found', null]), { serverCode: 21, serverMessage: 'Job not found' }],
    ['[code, message] (node-stratum-pool)', (m, c) => c.fail(m, [23, 'low difficulty share of 0.0004']), { serverCode: 23, serverMessage: 'low difficulty share of 0.0004' }],
    ['[code, message, traceback]', (m, c) => c.fail(m, [20, 'Other/Unknown', 'Traceback (most recent call last)']), { serverCode: 20, serverMessage: 'Other/Unknown', data: 'Traceback (most recent call last)' }],
    ['a bare string (ckpool)', (m, c) => c.fail(m, 'Worker mismatch'), { serverCode: null, serverMessage: 'Worker mismatch' }],
    ['an object', (m, c) => c.fail(m, { code: 23, message: 'Invalid share' }), { serverCode: 23, serverMessage: 'Invalid share' }],
    ['result false + reject-reason (ckpool)', (m, c) => c.send({ id: m.id, result: false, error: null, 'reject-reason': 'Above target' }), { serverCode: null, serverMessage: 'Above target' }],
    ['error: true', (m, c) => c.fail(m, true), { serverCode: null, serverMessage: 'error: true' }],
    ['an error with no result member', (m, c) => c.send({ id: m.id, error: 'Stale' }), { serverCode: null, serverMessage: 'Stale' }],
  ];
  it.each(cases)('rejects a share refused with %s as a ServerError', async (_name, answer, expected) => {
    const { miner } = await setup((m, c) => answer(m, c));
    const error = await miner.mining.submit(...SHARE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ method: 'mining.submit', ...expected });
    expect(miner.pendingRequests).toBe(0);
  });

  it('resolves a bare false (no error, no reason) as false', async () => {
    const { miner } = await setup((m, c) => c.reply(m, false));
    expect(await miner.mining.submit(...SHARE)).toBe(false);
  });

  it('resolves true with a reject-reason present as accepted', async () => {
    const { miner } = await setup((m, c) => c.send({ id: m.id, result: true, error: null, 'reject-reason': 'ignored' }));
    expect(await miner.mining.submit(...SHARE)).toBe(true);
  });

  it('reports an error with id null (node-stratum-pool) as a protocol error', async () => {
    const { miner, conn } = await setup(() => undefined);
    const errors = record(miner, 'protocol-error');
    conn.send({ id: null, result: [], error: true });
    await until(() => errors.length === 1);
    expect(errors[0]![0]).toBeInstanceOf(ServerError);
  });

  it('reports a reply to an unknown id without breaking the connection', async () => {
    const { miner, conn } = await setup(standardPool());
    const errors = record(miner, 'protocol-error');
    conn.send({ id: 999, result: true, error: null });
    conn.raw('this is not json\n');
    await until(() => errors.length === 2);
    expect((errors[0]![0] as ProtocolError).kind).toBe('unknown-id');
    expect((errors[1]![0] as ProtocolError).kind).toBe('invalid-json');
    expect(await miner.mining.submit(...SHARE)).toBe(true);
  });
});

describe('validation', () => {
  it('refuses bad params before sending anything', async () => {
    const { miner, conn } = await setup(standardPool());
    const short = SHARE.slice(0, 4) as unknown as typeof SHARE;
    await expect(miner.mining.submit(...short)).rejects.toBeInstanceOf(ValidationError);
    await expect(miner.start({ user: 'w', suggestDifficulty: -1 })).rejects.toMatchObject({ method: 'mining.suggest_difficulty', part: 'params' });
    // A round trip: the pool reads whatever the client sent before this share first.
    expect(await miner.mining.submit(...SHARE)).toBe(true);
    expect(conn.received.map((m) => m.method)).toEqual(['mining.submit']);
  });

  it('refuses a result that breaks the spec, unless validation is off', async () => {
    const script: Script = (m, c) => c.reply(m, 'yes');
    const { miner } = await setup(script);
    await expect(miner.mining.authorize('w', 'x')).rejects.toMatchObject({ code: 'VALIDATION', method: 'mining.authorize', part: 'result' });
    expect(miner.authorizedWorkers).toEqual([]);
    const loose = await setup(script, { validate: false });
    expect(await loose.miner.mining.authorize('w', 'x')).toBe('yes');
    // The state only takes spec-valid values, whatever `validate` says.
    expect(loose.miner.authorizedWorkers).toEqual([]);
  });
});

describe('requests from the pool', () => {
  it('answers client.get_version with the agent and mining.ping with pong, even on a reused id', async () => {
    const { conn } = await setup(() => undefined, { agent: 'test-miner/2.0' });
    conn.send({ id: 7, method: 'client.get_version', params: [] });
    expect(await conn.next((m) => m.id === 7)).toEqual({ id: 7, result: 'test-miner/2.0', error: null });
    // ckpool sends every ping with id 42.
    conn.send({ id: 42, method: 'mining.ping', params: [] });
    conn.send({ id: 42, method: 'mining.ping', params: [] });
    await until(() => conn.received.filter((m) => m.id === 42).length === 2);
    expect(conn.received.filter((m) => m.id === 42)).toEqual([
      { id: 42, result: 'pong', error: null },
      { id: 42, result: 'pong', error: null },
    ]);
  });

  it('answers an unknown request with method-not-found, Stratum style', async () => {
    const { conn } = await setup(() => undefined);
    conn.send({ id: 'x1', method: 'mining.get_hashrate', params: ['w'] });
    expect(await conn.next((m) => m.id === 'x1')).toEqual({ id: 'x1', result: null, error: [-32601, 'unknown method "mining.get_hashrate"', null] });
  });

  it('emits client.show_message, and acknowledges one sent with an id', async () => {
    const { miner, conn } = await setup(() => undefined);
    const messages = record(miner, 'client.show_message');
    conn.notify('client.show_message', ['Pool restarting; please reconnect.']);
    conn.send({ id: 5, method: 'client.show_message', params: ['again'] });
    expect(await conn.next((m) => m.id === 5)).toEqual({ id: 5, result: true, error: null });
    expect(messages).toEqual([['Pool restarting; please reconnect.'], ['again']]);
  });
});

describe('requests settle', () => {
  it('times out a suggest_difficulty the pool never answers, at the optional-reply timeout', async () => {
    const { miner, conn } = await setup(standardPool(), { optionalReplyTimeout: 50 });
    const error = await miner.mining.suggestDifficulty(1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ method: 'mining.suggest_difficulty', timeoutMs: 50 });
    expect((await conn.next('mining.suggest_difficulty')).params).toEqual([1024]);
    expect(miner.pendingRequests).toBe(0);
    // A per-request timeout wins; requestIfAnswered turns the silence into undefined.
    await expect(miner.request('mining.extranonce.subscribe', [], { timeout: 30 })).rejects.toMatchObject({ timeoutMs: 30 });
    expect(await miner.requestIfAnswered('mining.suggest_difficulty', [8], { timeout: 30 })).toBeUndefined();
  });

  it('gives a second subscribe the optional-reply timeout (ckpool never answers it)', async () => {
    let subscribes = 0;
    const { miner } = await setup(standardPool({}, (m) => m.method === 'mining.subscribe' && ++subscribes > 1), { optionalReplyTimeout: 40 });
    await miner.mining.subscribe('m/1');
    await expect(miner.mining.subscribe('m/1')).rejects.toMatchObject({ code: 'TIMEOUT', timeoutMs: 40 });
  });

  it('starts against a pool that never answers mining.configure (node-stratum-pool)', async () => {
    const { miner } = await setup(standardPool(), { optionalReplyTimeout: 40 });
    const result = await miner.start({ user: 'w', configure: [['version-rolling'], { 'version-rolling.mask': '1fffe000' }] });
    expect(result.configure).toBeUndefined();
    expect(miner.versionMask).toBeUndefined();
    expect(miner.extranonce1).toBe(EXTRANONCE1);
  });

  it('sends extranonce.subscribe and suggest_difficulty from start without waiting for them', async () => {
    const { miner, conn } = await setup(standardPool(), { optionalReplyTimeout: 60_000 });
    await miner.start({ user: 'w', extranonceSubscribe: true, suggestDifficulty: 2048 });
    expect(conn.received.map((m) => m.method)).toEqual(['mining.subscribe', 'mining.extranonce.subscribe', 'mining.authorize']);
    await conn.next('mining.suggest_difficulty');
  });

  it('rejects with AbortedError when the signal fires', async () => {
    const { miner, conn } = await setup(() => undefined);
    const controller = new AbortController();
    const pending = miner.request('mining.authorize', ['w', 'x'], { signal: controller.signal });
    await conn.next('mining.authorize');
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(miner.pendingRequests).toBe(0);
  });

  it('rejects every pending request when the client closes', async () => {
    const { miner, conn } = await setup(() => undefined);
    const closes = record(miner, 'close');
    const a = miner.mining.authorize('w', 'x');
    const b = miner.mining.subscribe();
    await conn.next('mining.subscribe');
    miner.close();
    await expect(a).rejects.toBeInstanceOf(ClosedError);
    await expect(b).rejects.toBeInstanceOf(ClosedError);
    expect(miner.pendingRequests).toBe(0);
    expect(miner.closed).toBe(true);
    expect(closes).toEqual([[undefined]]);
    await expect(miner.mining.submit(...SHARE)).rejects.toBeInstanceOf(ClosedError);
  });

  it('rejects every pending request with the reason when the pool closes mid-line', async () => {
    const { miner, conn } = await setup(() => undefined);
    const closed = nextEvent(miner, 'close');
    const pending = miner.mining.authorize('w', 'x');
    await conn.next('mining.authorize');
    conn.raw('{"id": 1, "result"');
    conn.socket.end();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClosedError);
    expect((error as ClosedError).message).toMatch(/unfinished message/);
    const [reason] = await closed;
    expect(reason).toBe(error);
    expect(miner.closed).toBe(true);
  });
});
