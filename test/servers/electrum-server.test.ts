// The typed Electrum server over real sockets on 127.0.0.1: dispatch, errors, dialects, batches,
// limits, version negotiation and gating, subscriptions, and the SDK's own client against it.
import { afterEach, describe, expect, it } from 'vitest';
import { ElectrumClient } from '../../src/clients/electrum-client.js';
import { ServerError, ValidationError } from '../../src/runtime/errors.js';
import { createElectrumServer, type ElectrumHandlers, type ElectrumServer, type ElectrumServerOptions } from '../../src/servers/electrum-server.js';
import { deferred, RawClient, tick } from './helpers.js';

const SH = '8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161';
const SH2 = '6191c3b590bfcfa0475e877c302da1e323497acf3b42c08d8fa28e364edf018b';
const STATUS = '78e96c6562cafa71c115503b9411fdfdc595a45031e2ab76ff75162fe1b0590d';
const GENESIS =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';

interface Ctx {
  readonly opened: number;
  calls: number;
}

const handlers: ElectrumHandlers<Ctx> = {
  'server.banner': (_params, session) => `hello #${++session.context.calls}`,
  'server.donation_address': () => {
    throw new Error('boom');
  },
  'server.features': () => {
    throw new ServerError('server.features', 2, 'daemon error: down', { retry: true });
  },
  'blockchain.scripthash.get_balance': ([scripthash]) => ({ confirmed: scripthash === SH ? 5 : 0, unconfirmed: 0 }),
  'blockchain.scripthash.subscribe': ([scripthash], session) => {
    session.subscribe('blockchain.scripthash.subscribe', scripthash);
    return null;
  },
  'blockchain.scripthash.unsubscribe': ([scripthash], session) => session.unsubscribe('blockchain.scripthash.subscribe', scripthash),
  'blockchain.headers.subscribe': (_params, session) => {
    session.subscribe('blockchain.headers.subscribe');
    return { height: 0, hex: GENESIS };
  },
  'blockchain.relayfee': () => 0.00001,
  'mempool.get_info': () => ({ mempoolminfee: 0.00001, minrelaytxfee: 0.00001, incrementalrelayfee: 0.00001 }),
  'blockchain.estimatefee': () => -1,
};

let servers: ElectrumServer<Ctx>[] = [];
let clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

async function start(options: Partial<ElectrumServerOptions<Ctx>> = {}) {
  const errors: unknown[] = [];
  const server = await createElectrumServer<Ctx>({
    context: (info) => ({ opened: info.id, calls: 0 }),
    handlers,
    listen: { tcp: {} },
    ...options,
  });
  server.on('error', (e) => errors.push(e));
  servers.push(server);
  return { server, errors, port: server.address('tcp')!.port };
}

async function connect(port: number) {
  const client = await RawClient.connect(port);
  clients.push(client);
  return client;
}

describe('dispatch', () => {
  it('answers a valid call in JSON-RPC 2.0, with the per-session context', async () => {
    const { port } = await start();
    const a = await connect(port);
    const b = await connect(port);
    expect(await a.call(1, 'server.banner', [])).toEqual({ jsonrpc: '2.0', id: 1, result: 'hello #1' });
    expect(await a.call(2, 'server.banner', [])).toEqual({ jsonrpc: '2.0', id: 2, result: 'hello #2' });
    expect(await b.call('x', 'server.banner', [])).toEqual({ jsonrpc: '2.0', id: 'x', result: 'hello #1' });
  });

  it('answers invalid params with -32602 and a message naming the param', async () => {
    const { port } = await start();
    const c = await connect(port);
    const reply = await c.call(1, 'blockchain.scripthash.get_balance', ['zz']);
    expect(reply['error']).toEqual({
      code: -32602,
      message: 'invalid params for blockchain.scripthash.get_balance: params[0] (scripthash): must match pattern "^[0-9a-fA-F]{64}$"',
    });
    expect(((await c.call(2, 'blockchain.scripthash.get_balance', []))['error'] as { code: number }).code).toBe(-32602);
  });

  it('takes params by name, as ElectrumX does', async () => {
    const { port } = await start();
    const c = await connect(port);
    expect(await c.call(1, 'blockchain.scripthash.get_balance', { scripthash: SH })).toMatchObject({ result: { confirmed: 5, unconfirmed: 0 } });
    expect(await c.call(2, 'blockchain.scripthash.get_balance', { script_hash: SH })).toMatchObject({
      error: { code: -32602, message: 'invalid params for blockchain.scripthash.get_balance: unknown param "script_hash"' },
    });
  });

  it('answers an unknown method, or a spec method without a handler, with -32601', async () => {
    const { port } = await start();
    const c = await connect(port);
    expect(await c.call(1, 'no.such.method', [])).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'unknown method "no.such.method"' } });
    expect((await c.call(2, 'blockchain.transaction.get', [SH]))['error']).toMatchObject({ code: -32601 });
    expect((await c.call(3, '__proto__', []))['error']).toMatchObject({ code: -32601 });
  });

  it('answers a handler that throws with -32603, reports it, and keeps serving', async () => {
    const { port, errors } = await start();
    const c = await connect(port);
    expect(await c.call(1, 'server.donation_address', [])).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'internal error' } });
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('boom');
    expect(await c.call(2, 'server.banner', [])).toMatchObject({ result: 'hello #1' });
    const other = await connect(port);
    expect(await other.call(1, 'server.banner', [])).toMatchObject({ result: 'hello #1' });
  });

  it('answers a thrown ServerError with its own code, message and data', async () => {
    const { port, errors } = await start();
    const c = await connect(port);
    expect(await c.call(1, 'server.features', [])).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: 2, message: 'daemon error: down', data: { retry: true } },
    });
    expect(errors).toEqual([]);
  });

  it('replies in JSON-RPC 2.0 to a client that sends no "jsonrpc", as aiorpcX\'s loose dialect does (dialects.test.ts has the rest)', async () => {
    const { port } = await start();
    const c = await connect(port);
    expect(await c.call(1, 'server.banner', [], false)).toEqual({ jsonrpc: '2.0', id: 1, result: 'hello #1' });
    expect(await c.call(2, 'no.such', [], false)).toEqual({ jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'unknown method "no.such"' } });
  });

  it('answers malformed JSON with -32700 and id null, and the connection stays open', async () => {
    const { server, port } = await start();
    const problems: unknown[] = [];
    server.on('protocol-error', (e) => problems.push(e));
    const c = await connect(port);
    c.raw('{"id": 1, "method": \n');
    expect(await c.recv()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'the message is not valid JSON' } });
    c.raw('"just a string"\n');
    expect((await c.recv())['error']).toMatchObject({ code: -32600 });
    c.socket.write(Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]));
    expect(await c.recv()).toMatchObject({ id: null, error: { code: -32700, message: 'a line of 4 bytes is not valid UTF-8' } });
    expect(await c.call(7, 'server.banner', [])).toMatchObject({ id: 7, result: 'hello #1' });
    expect(problems).toHaveLength(3);
  });

  it('gives no reply to a notification (a request without id)', async () => {
    const { server, port } = await start();
    const seen: string[] = [];
    server.on('notification', (method) => seen.push(method));
    const c = await connect(port);
    c.send({ jsonrpc: '2.0', method: 'server.ping', params: ['00'] });
    expect(await c.call(1, 'server.banner', [])).toMatchObject({ id: 1 });
    expect(seen).toEqual(['server.ping']);
    expect(c.inbox.messages).toHaveLength(1);
  });

  it('with validateOutgoing, answers a result that breaks the spec with -32603', async () => {
    const { port, errors } = await start({ validateOutgoing: true, handlers: { ...handlers, 'server.banner': () => 42 as unknown as string } });
    const c = await connect(port);
    expect((await c.call(1, 'server.banner', []))['error']).toMatchObject({ code: -32603 });
    expect(errors[0]).toBeInstanceOf(ValidationError);
  });
});

describe('batches', () => {
  it('answers each member: results and errors by id, nothing for notifications', async () => {
    const { port } = await start();
    const c = await connect(port);
    c.send([
      { jsonrpc: '2.0', id: 1, method: 'server.banner', params: [] },
      { jsonrpc: '2.0', id: 2, method: 'blockchain.scripthash.get_balance', params: ['zz'] },
      { jsonrpc: '2.0', method: 'server.ping', params: [] },
      { jsonrpc: '2.0', id: 3, method: 'nope', params: [] },
      42,
    ]);
    const replies = await c.recvBatch();
    expect(replies).toHaveLength(4);
    const byId = new Map(replies.map((r) => [r['id'], r]));
    expect(byId.get(1)).toEqual({ jsonrpc: '2.0', id: 1, result: 'hello #1' });
    expect(byId.get(2)?.['error']).toMatchObject({ code: -32602 });
    expect(byId.get(3)?.['error']).toMatchObject({ code: -32601 });
    expect(byId.get(null)?.['error']).toMatchObject({ code: -32600 });
  });

  it('answers an empty batch with -32600', async () => {
    const { port } = await start();
    const c = await connect(port);
    c.raw('[]\n');
    expect(await c.recv()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'the batch is empty' } });
  });

  it('answers a batch over the limit with -32600 as a whole', async () => {
    const { port } = await start({ limits: { maxBatchSize: 3 } });
    const c = await connect(port);
    c.send([1, 2, 3, 4].map((id) => ({ jsonrpc: '2.0', id, method: 'server.banner', params: [] })));
    expect(await c.recv()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'the batch has 4 messages, more than the maximum of 3' },
    });
    c.send([1, 2, 3].map((id) => ({ jsonrpc: '2.0', id, method: 'server.banner', params: [] })));
    expect(await c.recvBatch()).toHaveLength(3);
  });
});

describe('limits', () => {
  it('refuses subscriptions past maxSubscriptions with code 1, and renewing one is not a new one', async () => {
    const { port } = await start({ limits: { maxSubscriptions: 2 } });
    const c = await connect(port);
    const subscribe = async (id: number, sh: string) => {
      c.send({ jsonrpc: '2.0', id, method: 'blockchain.scripthash.subscribe', params: [sh] });
      return c.recv();
    };
    await subscribe(1, SH);
    await subscribe(2, SH2);
    expect(await subscribe(3, SH)).toEqual({ jsonrpc: '2.0', id: 3, result: null });
    expect(await subscribe(4, 'ab'.repeat(32))).toEqual({
      jsonrpc: '2.0',
      id: 4,
      error: { code: 1, message: 'too many subscriptions on this connection (limit 2)' },
    });
  });

  it('closes a connection that sends an oversize message, and only that one', async () => {
    const { server, port } = await start({ limits: { maxMessageSize: 1_000 } });
    const reasons: unknown[] = [];
    server.on('disconnect', (_s, e) => reasons.push(e));
    const bad = await connect(port);
    const good = await connect(port);
    bad.raw(`{"id":1,"method":"server.banner","params":["${'a'.repeat(2_000)}"]}\n`);
    await bad.closed();
    expect(bad.inbox.messages).toEqual([]);
    expect(reasons[0]).toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    expect(await good.call(1, 'server.banner', [])).toMatchObject({ result: 'hello #1' });
  });

  it('stops reading a client past its pending limit until a request finishes', async () => {
    const gate = deferred();
    let started = 0;
    const { server, port } = await start({
      limits: { maxPendingRequests: 2 },
      handlers: {
        ...handlers,
        'server.banner': async () => {
          started++;
          await gate.promise;
          return 'slow';
        },
      },
    });
    const c = await connect(port);
    // One write: the server reads the four requests together, so by the time it has started two it has seen all four.
    const request = (id: number, method: string) => JSON.stringify({ jsonrpc: '2.0', id, method, params: [] });
    c.raw(`${[request(1, 'server.banner'), request(2, 'server.banner'), request(3, 'server.banner'), request(4, 'blockchain.relayfee')].join('\n')}\n`);
    await expect.poll(() => started).toBe(2);
    // A round trip the other way: what the server wrote before this notification reaches the client before it.
    [...server.sessions][0]!.notify('blockchain.headers.subscribe', [{ height: 0, hex: GENESIS }]);
    expect(await c.recv()).toMatchObject({ method: 'blockchain.headers.subscribe' });
    expect(started).toBe(2);
    expect(c.inbox.messages).toHaveLength(1);
    gate.resolve();
    const replies = [await c.recv(), await c.recv(), await c.recv(), await c.recv()];
    expect(replies.map((r) => r['id']).sort()).toEqual([1, 2, 3, 4]);
    expect(replies.every((r) => !('error' in r))).toBe(true);
    expect(started).toBe(3);
  });

  it('serves a flood of pipelined requests at its own pace, and other clients meanwhile', async () => {
    const { port } = await start({ limits: { maxPendingRequests: 8 } });
    const flood = await connect(port);
    const other = await connect(port);
    const count = 20_000;
    const lines: string[] = [];
    for (let id = 1; id <= count; id++) lines.push(JSON.stringify({ jsonrpc: '2.0', id, method: 'blockchain.relayfee', params: [] }));
    flood.raw(`${lines.join('\n')}\n`);
    expect(await other.call(1, 'server.banner', [])).toMatchObject({ result: 'hello #1' });
    const replies = await flood.inbox.take(count);
    expect(replies.filter((r) => 'error' in r)).toEqual([]);
    expect(new Set(replies.map((r) => (r as Record<string, unknown>)['id'])).size).toBe(count);
  });

  it('closes a connection that stays idle past the idle timeout', async () => {
    const { server, port } = await start({ limits: { idleTimeout: 50 } });
    const closed = new Promise<unknown>((resolve) => server.on('disconnect', (_s, e) => resolve(e)));
    const c = await connect(port);
    await c.closed();
    expect(String(await closed)).toMatch(/idle timeout 50 ms/);
    expect(server.sessions.size).toBe(0);
  });

  it('drops a client that does not read once too much waits to be sent to it', async () => {
    const { server, port } = await start({ limits: { maxBufferedBytes: 64 * 1024 } });
    const c = await connect(port);
    const other = await connect(port);
    await c.call(1, 'server.banner', []);
    c.socket.pause();
    const session = [...server.sessions][0]!;
    const closed = new Promise<unknown>((resolve) => session.on('close', resolve));
    // About 10 kB each: the kernel's socket buffers fill first, then the session's own queue.
    const header = { height: 1, hex: GENESIS.repeat(60) };
    let writes = 0;
    while (writes < 20_000 && session.notify('blockchain.headers.subscribe', [header])) {
      writes++;
      if (writes % 50 === 0) await tick();
    }
    expect(String(await closed)).toMatch(/not reading: more than 65536 bytes/);
    expect(await other.call(1, 'server.banner', [])).toMatchObject({ result: 'hello #1' });
  });
});

describe('version negotiation', () => {
  it('answers a client asking for exactly "1.4" with exactly "1.4" (Electrum 4.x)', async () => {
    const { server, port } = await start();
    const c = await connect(port);
    expect(await c.call(0, 'server.version', ['electrum/4.3.4', '1.4'])).toEqual({ jsonrpc: '2.0', id: 0, result: ['stratum-sdk', '1.4'] });
    const session = [...server.sessions][0]!;
    expect(session.protocolVersion).toBe('1.4');
    expect(session.clientName).toBe('electrum/4.3.4');
  });

  it('negotiates within a range, keeping the spelling of the side that set the version', async () => {
    const { port } = await start({ serverSoftware: 'Test 1' });
    for (const [asked, answered] of [
      [['1.4', '1.6'], '1.6'],
      [['1.2', '9.9'], '1.6'],
      ['1.4.2', '1.4.2'],
      [['1.4', '1.5.1'], '1.5.1'],
    ] as const) {
      const c = await connect(port);
      expect(await c.call(1, 'server.version', ['x', asked])).toMatchObject({ result: ['Test 1', answered] });
    }
  });

  it('refuses a version outside the range with code 1 and closes the connection', async () => {
    const { port } = await start();
    const c = await connect(port);
    expect(await c.call(1, 'server.version', ['old', ['1.0', '1.2']])).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: 1, message: 'unsupported protocol version: ["1.0","1.2"] (this server speaks 1.4 to 1.6)' },
    });
    await c.closed();
  });

  it('refuses a second server.version', async () => {
    const { port } = await start();
    const c = await connect(port);
    await c.call(1, 'server.version', ['x', '1.4']);
    expect(await c.call(2, 'server.version', ['x', '1.6'])).toMatchObject({ error: { code: 1, message: 'server.version already sent' } });
  });

  it('lets a server.version handler take over; its answer becomes the session version', async () => {
    const { server, port } = await start({
      handlers: { ...handlers, 'server.version': async ([name]) => ['Custom', name === 'old' ? '1.4' : '1.6'] },
    });
    const c = await connect(port);
    c.send({ jsonrpc: '2.0', id: 1, method: 'server.version', params: ['new', '1.4'] });
    // Sent before the version is answered: checked at the version the handler chose.
    c.send({ jsonrpc: '2.0', id: 2, method: 'mempool.get_info', params: [] });
    expect(await c.recv()).toMatchObject({ id: 1, result: ['Custom', '1.6'] });
    expect(await c.recv()).toMatchObject({ id: 2, result: { mempoolminfee: 0.00001 } });
    expect([...server.sessions][0]!.protocolVersion).toBe('1.6');
  });

  it('gates methods by the negotiated version with -32601', async () => {
    const { port } = await start();
    const old = await connect(port);
    // Requests in the same write as server.version wait for it, so they see 1.4.
    old.raw(
      [
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server.version', params: ['x', '1.4'] }),
        JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'mempool.get_info', params: [] }),
        JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'blockchain.relayfee', params: [] }),
        JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'blockchain.scripthash.unsubscribe', params: [SH] }),
        '',
      ].join('\n'),
    );
    expect(await old.recv()).toMatchObject({ id: 1, result: ['stratum-sdk', '1.4'] });
    // Replies go out in completion order, so they are matched by id.
    const replies = new Map([await old.recv(), await old.recv(), await old.recv()].map((r) => [r['id'], r]));
    expect(replies.get(2)).toMatchObject({ error: { code: -32601, message: 'method "mempool.get_info" is not available at protocol 1.4' } });
    expect(replies.get(3)).toMatchObject({ result: 0.00001 });
    // ElectrumX at exactly 1.4 has no unsubscribe either (it came in 1.4.2).
    expect(replies.get(4)).toMatchObject({ error: { code: -32601 } });

    const recent = await connect(port);
    await recent.call(1, 'server.version', ['x', ['1.4', '1.6']]);
    expect(await recent.call(2, 'mempool.get_info', [])).toMatchObject({ result: { minrelaytxfee: 0.00001 } });
    expect(await recent.call(3, 'blockchain.relayfee', [])).toMatchObject({ error: { code: -32601 } });
    expect(await recent.call(4, 'blockchain.scripthash.unsubscribe', [SH])).toMatchObject({ result: false });
  });

  it('checks requests before server.version at the minimum version', async () => {
    const { port } = await start();
    const c = await connect(port);
    expect(await c.call(1, 'mempool.get_info', [])).toMatchObject({ error: { code: -32601 } });
    expect(await c.call(2, 'server.ping', [])).toEqual({ jsonrpc: '2.0', id: 2, result: null });
  });
});

describe('subscriptions', () => {
  it('notifies every session subscribed to a key, and only those', async () => {
    const { server, port } = await start();
    const [a, b, c] = [await connect(port), await connect(port), await connect(port)];
    await a.call(1, 'blockchain.scripthash.subscribe', [SH]);
    await b.call(1, 'blockchain.scripthash.subscribe', [SH]);
    await c.call(1, 'blockchain.scripthash.subscribe', [SH2]);
    await a.call(2, 'blockchain.headers.subscribe', []);

    expect(server.subscribers('blockchain.scripthash.subscribe', SH)).toHaveLength(2);
    expect(server.notifySubscribers('blockchain.scripthash.subscribe', SH, [SH, STATUS])).toBe(2);
    const note = { jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [SH, STATUS] };
    expect(await a.recv()).toEqual(note);
    expect(await b.recv()).toEqual(note);

    expect(server.notifySubscribers('blockchain.headers.subscribe', [{ height: 1, hex: GENESIS }])).toBe(1);
    expect(await a.recv()).toEqual({ jsonrpc: '2.0', method: 'blockchain.headers.subscribe', params: [{ height: 1, hex: GENESIS }] });

    await c.call(2, 'server.banner', []);
    expect(c.inbox.messages).toHaveLength(2);
  });

  it('forgets the subscriptions of an unsubscribed or closed session', async () => {
    const { server, port } = await start();
    const a = await connect(port);
    const b = await connect(port);
    await a.call(0, 'server.version', ['x', '1.6']);
    await a.call(1, 'blockchain.scripthash.subscribe', [SH]);
    await b.call(1, 'blockchain.scripthash.subscribe', [SH]);
    expect(await a.call(2, 'blockchain.scripthash.unsubscribe', [SH])).toMatchObject({ result: true });
    expect(server.subscribers('blockchain.scripthash.subscribe', SH)).toHaveLength(1);
    const gone = new Promise((resolve) => server.on('disconnect', resolve));
    b.close();
    await gone;
    expect(server.notifySubscribers('blockchain.scripthash.subscribe', SH, [SH, null])).toBe(0);
  });

  it('types notifications from the spec, and checks them with validateOutgoing', async () => {
    const { server, port } = await start({ validateOutgoing: true });
    const c = await connect(port);
    await c.call(1, 'blockchain.scripthash.subscribe', [SH]);
    const session = [...server.sessions][0]!;
    expect(() => session.notify('blockchain.scripthash.subscribe', [SH, 'not a status'])).toThrow(ValidationError);
    expect(() => server.notifySubscribers('blockchain.scripthash.subscribe', SH, [SH, 'nope'])).toThrow(ValidationError);
    expect(session.notify('blockchain.scripthash.subscribe', [SH, STATUS])).toBe(true);
    expect(await c.recv()).toMatchObject({ params: [SH, STATUS] });
  });
});

describe('the SDK ElectrumClient against this server', () => {
  it('negotiates, calls, subscribes and receives notifications over TCP', async () => {
    const { server } = await start({ validateOutgoing: true });
    const client = await ElectrumClient.connect(server.url('tcp')!, { clientName: 'sdk-test', keepAlive: false });
    clients.push(client);
    expect(client.protocolVersion).toBe('1.6');
    expect(client.serverVersion).toBe('stratum-sdk');
    expect(await client.server.banner()).toBe('hello #1');
    expect(await client.blockchain.scripthash.getBalance(SH)).toEqual({ confirmed: 5, unconfirmed: 0 });
    await expect(client.server.features()).rejects.toMatchObject({ code: 'SERVER', serverCode: 2, serverMessage: 'daemon error: down' });

    const statuses: unknown[] = [];
    client.on('blockchain.scripthash.subscribe', (sh, status) => statuses.push([sh, status]));
    expect(await client.blockchain.scripthash.subscribe(SH)).toBeNull();
    server.notifySubscribers('blockchain.scripthash.subscribe', SH, [SH, STATUS]);
    await expect.poll(() => statuses).toEqual([[SH, STATUS]]);
    expect(await client.server.ping()).toBeNull();
  });
});
