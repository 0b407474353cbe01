// The typed Stratum V1 server over TCP on 127.0.0.1, spoken to the way cpuminer and cgminer speak:
// no "jsonrpc", the same id on every submit, errors as [code, message, null].
import { afterEach, describe, expect, it } from 'vitest';
import { ServerError, TimeoutError } from '../../src/runtime/errors.js';
import { createMiningServer, type MiningHandlers, type MiningServer, type MiningServerOptions, type MiningSession } from '../../src/servers/mining-server.js';
import type { MiningNotifyNotification } from '../../src/generated/mining/types.js';
import { RawClient } from './helpers.js';

interface Miner {
  readonly extranonce1: string;
  subscribed: boolean;
  readonly workers: Set<string>;
}

const handlers: MiningHandlers<Miner> = {
  'mining.subscribe': (_params, session) => {
    session.context.subscribed = true;
    return [[['mining.notify', session.context.extranonce1]], session.context.extranonce1, 4];
  },
  'mining.authorize': ([user], session) => {
    session.context.workers.add(user);
    return true;
  },
  'mining.submit': ([worker, jobId], session) => {
    if (!session.context.subscribed) throw new ServerError('mining.submit', 25, 'not subscribed');
    if (!session.context.workers.has(worker)) throw new ServerError('mining.submit', 24, 'unauthorized worker');
    if (jobId !== 'job1') throw new ServerError('mining.submit', 21, 'Job not found');
    return true;
  },
};

const NOTIFY: MiningNotifyNotification = [
  'job1',
  '4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000',
  '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff20020862062f503253482f04b8864e5008',
  '072f736c7573682f000000000100f2052a010000001976a914d23fcdf86f7e756a64a7a9688ef9903327048ed988ac00000000',
  [],
  '00000002',
  '1c2ac4af',
  '504e86b9',
  false,
];

let servers: MiningServer<Miner>[] = [];
let clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

async function start(options: Partial<MiningServerOptions<Miner>> = {}) {
  const server = await createMiningServer<Miner>({
    context: (info) => ({ extranonce1: info.id.toString(16).padStart(8, '0'), subscribed: false, workers: new Set() }),
    handlers,
    listen: { tcp: {} },
    validateOutgoing: true,
    ...options,
  });
  servers.push(server);
  const client = await RawClient.connect(server.address('tcp')!.port);
  clients.push(client);
  return { server, client, session: () => [...server.sessions][0] as MiningSession<Miner> };
}

describe('a cpuminer-style session', () => {
  it('answers in JSON-RPC 1.0 with "error": null, keeps per-session context and the user agent', async () => {
    const { client, session } = await start();
    expect(await client.call(1, 'mining.subscribe', ['cpuminer/2.5.1'], false)).toEqual({
      id: 1,
      result: [[['mining.notify', '00000001']], '00000001', 4],
      error: null,
    });
    expect(session().clientName).toBe('cpuminer/2.5.1');
    expect(await client.call(2, 'mining.authorize', ['alice.1', 'x'], false)).toEqual({ id: 2, result: true, error: null });
    // cpuminer sends every submit with id 4.
    const submit = ['alice.1', 'job1', '00000000', '504e86b9', '12345678'];
    expect(await client.call(4, 'mining.submit', submit, false)).toEqual({ id: 4, result: true, error: null });
    expect(await client.call(4, 'mining.submit', submit, false)).toEqual({ id: 4, result: true, error: null });
  });

  it('sends Stratum errors as [code, message, null]', async () => {
    const { client } = await start();
    const submit = (job: string, worker = 'bob') => ['' + worker, job, '00000000', '504e86b9', '12345678'];
    expect(await client.call(4, 'mining.submit', submit('job1'), false)).toEqual({ id: 4, result: null, error: [25, 'not subscribed', null] });
    await client.call(1, 'mining.subscribe', [], false);
    expect(await client.call(4, 'mining.submit', submit('job1'), false)).toEqual({ id: 4, result: null, error: [24, 'unauthorized worker', null] });
    await client.call(2, 'mining.authorize', ['bob'], false);
    expect(await client.call(4, 'mining.submit', submit('old'), false)).toEqual({ id: 4, result: null, error: [21, 'Job not found', null] });
  });

  it('refuses a submit with four params with -32602 and keeps serving (node-stratum-pool crashed on it)', async () => {
    const { client } = await start();
    const reply = await client.call(4, 'mining.submit', ['bob', 'job1', '00000000', '504e86b9'], false);
    expect(reply['error']).toEqual([-32602, 'invalid params for mining.submit: params: must have at least 5 items', null]);
    expect(await client.call(5, 'mining.configure', [[], {}], false)).toEqual({ id: 5, result: null, error: [-32601, 'unknown method "mining.configure"', null] });
    expect(await client.call(1, 'mining.subscribe', ['cgminer/4.12'], false)).toMatchObject({ error: null });
  });

  it('sends typed notifications with "id": null and no "jsonrpc"', async () => {
    const { client, session } = await start();
    await client.call(1, 'mining.subscribe', [], false);
    expect(session().notify('mining.set_difficulty', [0.001])).toBe(true);
    expect(session().notify('mining.notify', NOTIFY)).toBe(true);
    expect(await client.recv()).toEqual({ id: null, method: 'mining.set_difficulty', params: [0.001] });
    expect(await client.recv()).toEqual({ id: null, method: 'mining.notify', params: NOTIFY });
  });

  it('broadcasts to every session a filter accepts', async () => {
    const { server, client } = await start();
    const other = await RawClient.connect(server.address('tcp')!.port);
    clients.push(other);
    await client.call(1, 'mining.subscribe', [], false);
    await other.call(1, 'mining.authorize', ['x'], false);
    expect(server.broadcast('mining.notify', NOTIFY, (s) => s.context.subscribed)).toBe(1);
    expect(await client.recv()).toMatchObject({ method: 'mining.notify' });
    expect(other.inbox.messages).toHaveLength(1);
  });
});

describe('requests to the miner', () => {
  it('sends client.get_version and resolves with the answer', async () => {
    const { client, session } = await start();
    await client.call(1, 'mining.subscribe', ['cgminer/4.12'], false);
    const version = session().request('client.get_version', []);
    const asked = await client.recv();
    expect(asked).toEqual({ id: 1, method: 'client.get_version', params: [] });
    // The miner's answer carries the pool's id, which may equal ids the miner uses for its own requests.
    client.send({ id: asked['id'], result: 'cgminer/4.12', error: null });
    expect(await version).toBe('cgminer/4.12');
  });

  it('rejects with the miner error, or a TimeoutError when it never answers', async () => {
    const { client, session } = await start({ requestTimeout: 30 });
    const refused = session().request('client.get_version', []);
    const asked = await client.recv();
    client.send({ id: asked['id'], result: null, error: [20, 'Not supported.', null] });
    await expect(refused).rejects.toMatchObject({ code: 'SERVER', serverCode: 20, serverMessage: 'Not supported.' });
    await expect(session().request('mining.ping', [])).rejects.toBeInstanceOf(TimeoutError);
  });

  it('rejects pending requests with a ClosedError when the miner goes away', async () => {
    const { client, session } = await start();
    const pending = session().request('client.get_version', [], { timeout: 60_000 });
    await client.recv();
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('reports a reply to a request it never sent as a protocol error', async () => {
    const { server, client } = await start();
    const problems: unknown[] = [];
    server.on('protocol-error', (e) => problems.push(e));
    client.send({ id: 99, result: true, error: null });
    expect(await client.call(1, 'mining.subscribe', [], false)).toMatchObject({ error: null });
    expect(problems).toMatchObject([{ kind: 'unknown-id' }]);
  });
});

describe('shutdown', () => {
  it('can send client.reconnect to every miner before closing', async () => {
    const { server, client } = await start();
    await client.call(1, 'mining.subscribe', [], false);
    await server.close({ notify: (session) => session.notify('client.reconnect', ['pool.example', 3333, 5]) });
    await client.closed();
    expect(client.inbox.messages.at(-1)).toEqual({ id: null, method: 'client.reconnect', params: ['pool.example', 3333, 5] });
  });
});
