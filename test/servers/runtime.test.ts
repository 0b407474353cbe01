// The server runtime without sockets: a session driven through an in-memory connection, named
// params, version negotiation, the subscription index and the limits' checks.
import { afterEach, describe, expect, it } from 'vitest';
import { electrumProtocol } from '../../src/generated/electrum/methods.js';
import { ClosedError, ServerError } from '../../src/runtime/errors.js';
import { resolveLimits, DEFAULT_SERVER_LIMITS } from '../../src/runtime/server/limits.js';
import { toPositional } from '../../src/runtime/server/params.js';
import { RpcServer } from '../../src/runtime/server/server.js';
import type { ServerSession } from '../../src/runtime/server/session.js';
import { SubscriptionIndex } from '../../src/runtime/server/subscriptions.js';
import { negotiateVersion, versionRange } from '../../src/servers/version-negotiation.js';
import { deferred, memoryConnection, tick } from './helpers.js';

type Notes = { 'blockchain.headers.subscribe': [unknown] };
type Session = ServerSession<undefined, Notes>;

let servers: RpcServer<undefined, Notes>[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

function serverWith(
  handlers: Record<string, (params: unknown[], session: Session) => unknown>,
  options: Partial<ConstructorParameters<typeof RpcServer<undefined, Notes>>[0]> = {},
  connection: { pausable?: boolean } = {},
) {
  const server = new RpcServer<undefined, Notes>({ registry: electrumProtocol, handlers, ...options });
  servers.push(server);
  const errors: unknown[] = [];
  server.on('error', (e) => errors.push(e));
  const open = () => {
    const mem = memoryConnection(connection);
    mem.attach(server.accept(mem.connection));
    return { ...mem, session: [...server.sessions].at(-1)! };
  };
  return { server, errors, open };
}

const request = (id: number, method: string, params: unknown = [], jsonrpc = true) =>
  JSON.stringify(jsonrpc ? { jsonrpc: '2.0', id, method, params } : { id, method, params });

describe('session', () => {
  it('holds later messages while a barrier request is handled, then routes them in order', async () => {
    const gate = deferred<string[]>();
    const order: string[] = [];
    const { open } = serverWith(
      {
        'server.version': async (_p, s) => {
          order.push('version');
          const answer = await gate.promise;
          s.protocolVersion = answer[1];
          return answer;
        },
        'server.banner': (_p, s) => {
          order.push(`banner@${s.protocolVersion}`);
          return 'b';
        },
      },
      { barriers: ['server.version'], assumedVersion: '1.4' },
    );
    const c = open();
    c.receive(request(1, 'server.version', ['x', '1.6']));
    c.receive(request(2, 'server.banner'));
    c.receive(request(3, 'server.banner'));
    await tick();
    expect(order).toEqual(['version']);
    gate.resolve(['S', '1.6']);
    await tick();
    expect(order).toEqual(['version', 'banner@1.6', 'banner@1.6']);
    expect(c.parsed().map((m) => m['id'])).toEqual([1, 2, 3]);
  });

  it('sends the reply of a handler that closes its own session, then closes', async () => {
    const { open, server } = serverWith({
      'server.banner': (_p, s) => {
        s.close(new ClosedError('bye'));
        throw new ServerError('server.banner', 1, 'go away');
      },
    });
    const c = open();
    const reasons: unknown[] = [];
    server.on('disconnect', (_s, e) => reasons.push(e));
    c.receive(request(1, 'server.banner'));
    await tick();
    expect(c.parsed()).toEqual([{ jsonrpc: '2.0', id: 1, error: { code: 1, message: 'go away' } }]);
    expect(c.closes).toEqual([true]);
    expect(reasons).toMatchObject([{ message: 'bye' }]);
  });

  it('takes no requests once closing, and refuses requests to the client', async () => {
    const gate = deferred<string>();
    const { open } = serverWith({ 'server.banner': () => gate.promise });
    const c = open();
    c.receive(request(1, 'server.banner'));
    c.session.close();
    c.receive(request(2, 'server.banner'));
    expect(c.session.closing).toBe(true);
    await expect(c.session.request('blockchain.headers.subscribe' as never, [] as never)).rejects.toBeInstanceOf(ClosedError);
    gate.resolve('done');
    await tick();
    expect(c.parsed()).toEqual([{ jsonrpc: '2.0', id: 1, result: 'done' }]);
    expect(c.session.closed).toBe(true);
  });

  it('speaks to the client in the dialect of its first message', async () => {
    const { open } = serverWith({ 'server.banner': () => 'b' }, { dialect: '2.0' });
    const c = open();
    c.receive(request(1, 'server.banner', [], false));
    await tick();
    c.session.notify('blockchain.headers.subscribe', [{ height: 1 }]);
    expect(c.parsed()).toEqual([
      { id: 1, result: 'b', error: null },
      { id: null, method: 'blockchain.headers.subscribe', params: [{ height: 1 }] },
    ]);
  });

  it('encodes 1.0 errors as objects when told to (Electrum clients without "jsonrpc")', async () => {
    const { open } = serverWith({}, { v1Errors: 'object' });
    const c = open();
    c.receive(request(1, 'nope', [], false));
    await tick();
    expect(c.parsed()).toEqual([{ id: 1, result: null, error: { code: -32601, message: 'unknown method "nope"' } }]);
  });

  it('drops the connection when too much waits to be sent', () => {
    const { open } = serverWith({}, { limits: { maxBufferedBytes: 100 } });
    const c = open();
    expect(c.session.notify('blockchain.headers.subscribe', [1])).toBe(true);
    c.setBuffered(101);
    expect(c.session.notify('blockchain.headers.subscribe', [2])).toBe(false);
    expect(c.closes).toEqual([false]);
    expect(c.session.closed).toBe(true);
    expect(c.sent).toHaveLength(1);
  });

  it('answers -101 once what waits behind a barrier outgrows the queue of a connection that cannot pause', async () => {
    const gate = deferred<string[]>();
    const { open } = serverWith({ 'server.version': () => gate.promise, 'server.banner': () => 'b' }, { barriers: ['server.version'], limits: { maxMessageSize: 100 } });
    const c = open();
    c.receive(request(1, 'server.version', ['x', '1.4']));
    // The queue holds maxMessageSize + 64 KiB: two of these fit, the third does not.
    const padded = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'server.banner', params: [], pad: 'x'.repeat(30_000) });
    for (const id of [2, 3, 4]) c.receive(padded(id));
    expect(c.parsed()).toMatchObject([{ id: 4, error: { code: -101 } }]);
    gate.resolve(['S', '1.4']);
    await tick();
    expect(c.parsed().map((m) => m['id'])).toEqual([4, 1, 2, 3]);
  });

  it('pauses reading past the pending limit and resumes once the queue has drained', async () => {
    const gates = [deferred<string>(), deferred<string>()];
    let calls = 0;
    const { open } = serverWith({ 'server.banner': () => gates[calls++]!.promise }, { limits: { maxPendingRequests: 1 } }, { pausable: true });
    const c = open();
    c.receive(request(1, 'server.banner'));
    c.receive(request(2, 'server.banner'));
    expect(c.flow).toEqual(['pause']);
    expect(calls).toBe(1);
    gates[0]!.resolve('one');
    await tick();
    expect(calls).toBe(2);
    expect(c.flow).toEqual(['pause', 'resume']);
    gates[1]!.resolve('two');
    await tick();
    expect(c.parsed().map((m) => m['result'])).toEqual(['one', 'two']);
  });

  it('lets answers to its own requests through while requests wait', async () => {
    const { open } = serverWith(
      {
        // A handler that asks the client something before it answers, holding the only pending slot.
        'server.banner': async (_p, s) => String(await s.request('client.get_version' as never, [] as never)),
      },
      { limits: { maxPendingRequests: 1 } },
      { pausable: true },
    );
    const c = open();
    c.receive(request(1, 'server.banner'));
    c.receive(request(2, 'server.banner'));
    const asked = c.parsed()[0]!;
    expect(asked).toMatchObject({ method: 'client.get_version' });
    c.receive(JSON.stringify({ jsonrpc: '2.0', id: asked['id'], result: 'miner/1' }));
    await tick();
    const second = c.parsed()[2]!;
    expect(second).toMatchObject({ method: 'client.get_version' });
    c.receive(JSON.stringify({ jsonrpc: '2.0', id: second['id'], result: 'miner/2' }));
    await tick();
    // The pool's ids and the client's overlap (both start at 1); replies are what carry no method.
    expect(c.parsed().filter((m) => !('method' in m))).toEqual([
      { jsonrpc: '2.0', id: 1, result: 'miner/1' },
      { jsonrpc: '2.0', id: 2, result: 'miner/2' },
    ]);
  });

  it('still takes the answer a draining handler awaits from the client', async () => {
    const { open } = serverWith({ 'server.banner': async (_p, s) => String(await s.request('client.get_version' as never, [] as never)) });
    const c = open();
    c.receive(request(7, 'server.banner'));
    const asked = c.parsed()[0]!;
    c.session.close();
    c.receive(JSON.stringify({ jsonrpc: '2.0', id: asked['id'], result: 'miner/1' }));
    await tick();
    expect(c.parsed()[1]).toEqual({ jsonrpc: '2.0', id: 7, result: 'miner/1' });
    expect(c.session.closed).toBe(true);
  });

  it('refuses new connections once the server is closing', async () => {
    const { server, open } = serverWith({});
    const first = open();
    const closed = server.close();
    const late = memoryConnection();
    late.attach(server.accept(late.connection));
    expect(late.closes).toEqual([false]);
    await closed;
    expect(first.closes).toEqual([true]);
    expect(server.sessions.size).toBe(0);
  });

  it('reports a context factory that throws, and carries on', () => {
    const server = new RpcServer<number, Notes>({
      registry: electrumProtocol,
      handlers: {},
      context: (info) => {
        if (info.id === 1) throw new Error('no context');
        return info.id;
      },
    });
    servers.push(server as unknown as RpcServer<undefined, Notes>);
    const errors: unknown[] = [];
    server.on('error', (e) => errors.push(e));
    const a = memoryConnection();
    a.attach(server.accept(a.connection));
    const b = memoryConnection();
    b.attach(server.accept(b.connection));
    expect(a.closes).toEqual([false]);
    expect(errors).toHaveLength(1);
    expect([...server.sessions].map((s) => s.context)).toEqual([2]);
  });
});

describe('named params', () => {
  const info = electrumProtocol.get('blockchain.block.header')!;
  it('are placed by the spec names, with defaults filling gaps', () => {
    expect(toPositional({ height: 5 }, info.params, false)).toEqual({ ok: true, params: [5] });
    expect(toPositional({ cp_height: 9, height: 5 }, info.params, false)).toEqual({ ok: true, params: [5, 9] });
    expect(toPositional({}, info.params, false)).toEqual({ ok: true, params: [] });
  });
  it('refuse unknown names unless the method takes extra params', () => {
    expect(toPositional({ heigth: 5 }, info.params, false)).toEqual({ ok: false, error: 'unknown param "heigth"' });
    const version = electrumProtocol.get('server.version')!;
    expect(toPositional({ client_name: 'x', extra: 1 }, version.params, version.additionalParams)).toEqual({ ok: true, params: ['x'] });
  });
  it('refuse a gap without a default', () => {
    expect(toPositional({ cp_height: 3 }, info.params, false)).toEqual({ ok: false, error: 'param "height" is missing but a later one is given' });
  });
});

describe('negotiateVersion', () => {
  const range = ['1.4', '1.6'] as const;
  it.each([
    ['1.4', '1.4'],
    ['1.4.2', '1.4.2'],
    [['1.4', '1.6'], '1.6'],
    [['1.3', '2.0'], '1.6'],
    [['1.0', '1.4'], '1.4'],
    [['1.5'], '1.5'],
  ])('%j -> %s', (requested, answered) => {
    expect(negotiateVersion(requested, range)).toEqual({ ok: true, version: answered });
  });
  it.each([['1.3'], [['1.0', '1.3']], ['2.0'], [['1.6', '1.4']], ['x'], [5], [['1.4', '1.5', '1.6']]])('refuses %j', (requested) => {
    expect(negotiateVersion(requested, range)).toMatchObject({ ok: false, message: expect.stringContaining('unsupported protocol version') });
  });
  it('checks the server range option', () => {
    expect(versionRange('1.4')).toEqual(['1.4', '1.4']);
    expect(() => versionRange(['1.6', '1.4'])).toThrow(RangeError);
    expect(() => versionRange(['1', '1.4'])).toThrow(RangeError);
  });
});

describe('SubscriptionIndex', () => {
  it('indexes both ways and forgets a session entirely', () => {
    const index = new SubscriptionIndex<string>();
    expect(index.add('a', 'sh', 'k1')).toBe(true);
    expect(index.add('a', 'sh', 'k1')).toBe(false);
    index.add('a', 'sh', 'k2');
    index.add('b', 'sh', 'k1');
    index.add('a', 'headers', '');
    expect(index.subscribers('sh', 'k1')).toEqual(['a', 'b']);
    expect(index.keysOf('a', 'sh')).toEqual(['k1', 'k2']);
    expect(index.countOf('a')).toBe(3);
    expect(index.remove('b', 'sh', 'k1')).toBe(true);
    expect(index.remove('b', 'sh', 'k1')).toBe(false);
    index.removeSession('a');
    expect(index.subscribers('sh', 'k1')).toEqual([]);
    expect(index.countOf('a')).toBe(0);
    expect(index.has('a', 'headers', '')).toBe(false);
  });
});

describe('limits', () => {
  it('fill in defaults and refuse unusable values', () => {
    expect(resolveLimits({ idleTimeout: undefined })).toEqual(DEFAULT_SERVER_LIMITS);
    expect(resolveLimits({ idleTimeout: Infinity }).idleTimeout).toBe(Infinity);
    expect(() => resolveLimits({ maxBatchSize: 0 })).toThrow(RangeError);
    expect(() => resolveLimits({ maxMessageSize: 1.5 })).toThrow(RangeError);
    expect(() => resolveLimits({ idleTimeout: -1 })).toThrow(RangeError);
  });
});
