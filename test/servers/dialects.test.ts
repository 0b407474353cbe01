// How servers read a client's dialect: aiorpcX's detection for the Electrum server (ElectrumX answers
// as aiorpcx/jsonrpc.py's JSONRPCAutoDetect decides), per message for the Stratum server (miners parse
// `"error": null` and error arrays). The reply shapes are asserted whole: a field too many matters to
// some client (`"error": null` to @electrum-cash/network, an "id" on a notification to the same).
import { afterEach, describe, expect, it } from 'vitest';
import { electrumProtocol } from '../../src/generated/electrum/methods.js';
import { aiorpcxDialect, aiorpcxRefusal, detectAiorpcxProtocol } from '../../src/runtime/server/dialects.js';
import { parseMessage } from '../../src/runtime/messages.js';
import { RpcServer } from '../../src/runtime/server/server.js';
import type { ServerSession } from '../../src/runtime/server/session.js';
import { createMiningServer, type MiningServer } from '../../src/servers/mining-server.js';
import { createElectrumServer, type ElectrumServer } from '../../src/servers/electrum-server.js';
import { memoryConnection, RawClient, tick } from './helpers.js';

describe('detectAiorpcxProtocol (aiorpcX detect_protocol)', () => {
  it.each([
    ['{"jsonrpc":"2.0","id":1,"method":"m","params":[]}', 'v2'],
    ['{"jsonrpc":"1.0","id":1,"method":"m","params":[]}', 'v1'],
    ['{"id":1,"method":"m","params":[]}', 'loose'],
    ['{"id":1,"method":"m"}', 'loose'],
    ['{"jsonrpc":"3.0","id":1,"method":"m","params":[]}', 'loose'],
    ['{"jsonrpc":2,"id":1,"method":"m","params":[]}', 'loose'],
    // A message with both "result" and "error" is JSON-RPC 1.0, whatever else it is.
    ['{"id":1,"result":5,"error":null}', 'v1'],
    ['{"id":1,"method":"m","params":[],"result":null,"error":null}', 'v1'],
    ['{"id":1,"result":5}', 'loose'],
    ['{"jsonrpc":"2.0","id":1,"result":5,"error":null}', 'v2'],
    ['5', 'loose'],
    ['"x"', 'loose'],
    ['null', 'loose'],
    // Batches: all members agree, else v2 wins, then v1, then loose.
    ['[{"jsonrpc":"2.0","id":1,"method":"m"},{"jsonrpc":"2.0","id":2,"method":"m"}]', 'v2'],
    ['[{"id":1,"method":"m"},{"id":2,"method":"m"}]', 'loose'],
    ['[{"id":1,"method":"m"},{"jsonrpc":"2.0","id":2,"method":"m"}]', 'v2'],
    ['[{"jsonrpc":"1.0","id":1,"method":"m"},{"jsonrpc":"2.0","id":2,"method":"m"}]', 'v2'],
    ['[{"jsonrpc":"1.0","id":1,"method":"m"},{"id":2,"method":"m"}]', 'v1'],
    ['[{"jsonrpc":"1.0","id":1,"method":"m"},5]', 'v1'],
    ['[]', 'loose'],
  ] as const)('%s is %s', (text, protocol) => {
    expect(detectAiorpcxProtocol(text)).toBe(protocol);
  });

  it('decides nothing on text that is not JSON', () => {
    expect(detectAiorpcxProtocol('{"id":1,')).toBeUndefined();
    expect(detectAiorpcxProtocol('')).toBeUndefined();
  });

  it('reads only own members', () => {
    expect(detectAiorpcxProtocol('{"__proto__":{"jsonrpc":"2.0"},"id":1,"method":"m"}')).toBe('loose');
  });

  it('writes 1.0 for v1 only', () => {
    expect([aiorpcxDialect('v1'), aiorpcxDialect('v2'), aiorpcxDialect('loose'), aiorpcxDialect(undefined)]).toEqual(['1.0', '2.0', '2.0', '2.0']);
  });

  it('refuses what each protocol refuses, and nothing in loose', () => {
    const plain = parseMessage('{"id":1,"method":"m","params":[]}');
    const v2 = parseMessage('{"jsonrpc":"2.0","id":1,"method":"m","params":{"a":1}}');
    const batch = parseMessage('[{"id":1,"method":"m","params":[]}]');
    expect(aiorpcxRefusal('v2', plain)).toEqual({ code: -32600, message: '"jsonrpc" is not "2.0"' });
    expect(aiorpcxRefusal('v2', parseMessage('{"method":"m","params":[]}'))).toEqual({ code: -32600, message: '"jsonrpc" is not "2.0"' });
    expect(aiorpcxRefusal('v2', v2)).toBeUndefined();
    expect(aiorpcxRefusal('v2', batch)).toBeUndefined(); // its members are checked one by one
    expect(aiorpcxRefusal('v1', batch)).toEqual({ code: -32600, message: 'request object must be a dictionary' });
    expect(aiorpcxRefusal('v1', v2)).toMatchObject({ code: -32602 });
    expect(aiorpcxRefusal('v1', plain)).toBeUndefined();
    for (const m of [plain, v2, batch]) expect(aiorpcxRefusal('loose', m)).toBeUndefined();
    expect(aiorpcxRefusal(undefined, plain)).toBeUndefined();
  });
});

type Notes = { 'blockchain.headers.subscribe': [unknown] };
type Session = ServerSession<undefined, Notes>;

let servers: { close(): Promise<void> }[] = [];
let clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

/** A session of an RpcServer reading dialects as ElectrumX does, driven in memory. */
function aiorpcxSession() {
  const server = new RpcServer<undefined, Notes>({
    registry: electrumProtocol,
    handlers: {
      'server.banner': () => 'b',
      'server.donation_address': (_p: unknown[], s: Session) => {
        s.notify('blockchain.headers.subscribe', [{ height: 1 }]);
        return 'addr';
      },
    },
    dialect: '2.0',
    v1Errors: 'object',
    dialectDetection: 'aiorpcx',
  });
  servers.push(server);
  const problems: unknown[] = [];
  server.on('protocol-error', (e) => problems.push(e));
  const mem = memoryConnection();
  mem.attach(server.accept(mem.connection));
  const session = [...server.sessions].at(-1)!;
  const exchange = async (...lines: string[]) => {
    const before = mem.sent.length;
    for (const line of lines) mem.receive(line);
    await tick();
    return mem.parsed().slice(before);
  };
  return { session, exchange, problems };
}

describe('an aiorpcX session (the Electrum server)', () => {
  it('loose (no "jsonrpc"): replies, errors and notifications are 2.0, with no "error": null and no notification id', async () => {
    const { session, exchange } = aiorpcxSession();
    expect(await exchange('{"id":1,"method":"server.banner","params":[]}')).toStrictEqual([{ jsonrpc: '2.0', id: 1, result: 'b' }]);
    expect(session.dialect).toBe('2.0');
    expect(await exchange('{"id":"x","method":"nope","params":[]}')).toStrictEqual([
      { jsonrpc: '2.0', id: 'x', error: { code: -32601, message: 'unknown method "nope"' } },
    ]);
    expect(await exchange('{"id":2,"method":"server.donation_address"}')).toStrictEqual([
      { jsonrpc: '2.0', method: 'blockchain.headers.subscribe', params: [{ height: 1 }] },
      { jsonrpc: '2.0', id: 2, result: 'addr' },
    ]);
    // Loose takes 2.0 messages too, and batches.
    expect(await exchange('{"jsonrpc":"2.0","id":3,"method":"server.banner","params":[]}')).toStrictEqual([{ jsonrpc: '2.0', id: 3, result: 'b' }]);
    expect(await exchange('[{"id":4,"method":"server.banner","params":[]},{"jsonrpc":"2.0","id":5,"method":"server.banner"}]')).toStrictEqual([
      [
        { jsonrpc: '2.0', id: 4, result: 'b' },
        { jsonrpc: '2.0', id: 5, result: 'b' },
      ],
    ]);
  });

  it('v2: a later message without "jsonrpc" is refused -32600, as ElectrumX answers it; a notification so too, with id null', async () => {
    const { exchange, problems } = aiorpcxSession();
    expect(await exchange('{"jsonrpc":"2.0","id":1,"method":"server.banner","params":[]}')).toStrictEqual([{ jsonrpc: '2.0', id: 1, result: 'b' }]);
    expect(await exchange('{"id":2,"method":"server.banner","params":[]}')).toStrictEqual([
      { jsonrpc: '2.0', id: 2, error: { code: -32600, message: '"jsonrpc" is not "2.0"' } },
    ]);
    expect(await exchange('{"method":"server.banner","params":[]}')).toStrictEqual([
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: '"jsonrpc" is not "2.0"' } },
    ]);
    expect(problems).toHaveLength(2);
    // In a batch each member is judged on its own.
    expect(await exchange('[{"jsonrpc":"2.0","id":3,"method":"server.banner"},{"id":4,"method":"server.banner"}]')).toStrictEqual([
      [
        { jsonrpc: '2.0', id: 3, result: 'b' },
        { jsonrpc: '2.0', id: 4, error: { code: -32600, message: '"jsonrpc" is not "2.0"' } },
      ],
    ]);
  });

  it('v1 ("jsonrpc": "1.0"): "error": null on success, {code, message} errors beside "result": null, "id": null notifications, no batches', async () => {
    const { session, exchange } = aiorpcxSession();
    expect(await exchange('{"jsonrpc":"1.0","id":1,"method":"server.banner","params":[]}')).toStrictEqual([{ id: 1, result: 'b', error: null }]);
    expect(session.dialect).toBe('1.0');
    // Later messages need not repeat "jsonrpc".
    expect(await exchange('{"id":2,"method":"nope","params":[]}')).toStrictEqual([
      { id: 2, result: null, error: { code: -32601, message: 'unknown method "nope"' } },
    ]);
    expect(await exchange('{"id":3,"method":"server.donation_address","params":[]}')).toStrictEqual([
      { id: null, method: 'blockchain.headers.subscribe', params: [{ height: 1 }] },
      { id: 3, result: 'addr', error: null },
    ]);
    expect(await exchange('[{"id":4,"method":"server.banner","params":[]}]')).toStrictEqual([
      { id: null, result: null, error: { code: -32600, message: 'request object must be a dictionary' } },
    ]);
    expect(await exchange('{"id":5,"method":"server.banner","params":{}}')).toStrictEqual([
      { id: 5, result: null, error: { code: -32602, message: 'invalid request arguments: JSON-RPC 1.0 takes params as an array' } },
    ]);
  });

  it('a first line that is not JSON decides nothing: it is answered in 2.0 and the next message decides', async () => {
    const { session, exchange } = aiorpcxSession();
    expect(await exchange('{"id":')).toMatchObject([{ jsonrpc: '2.0', id: null, error: { code: -32700 } }]);
    expect(await exchange('{"jsonrpc":"1.0","id":1,"method":"server.banner","params":[]}')).toStrictEqual([{ id: 1, result: 'b', error: null }]);
    expect(session.dialect).toBe('1.0');
  });

  it('the first message fixes the protocol for good: a 1.0 message later does not make a loose session 1.0', async () => {
    const { session, exchange } = aiorpcxSession();
    await exchange('{"id":1,"method":"server.banner","params":[]}');
    expect(await exchange('{"jsonrpc":"1.0","id":2,"method":"server.banner","params":[]}')).toStrictEqual([{ jsonrpc: '2.0', id: 2, result: 'b' }]);
    expect(session.dialect).toBe('2.0');
  });
});

describe('the servers over TCP', () => {
  async function electrum(): Promise<{ server: ElectrumServer; port: number }> {
    const server = await createElectrumServer({ handlers: { 'server.banner': () => 'hi' }, listen: { tcp: {} } });
    servers.push(server);
    return { server, port: server.address('tcp')!.port };
  }

  async function connect(port: number) {
    const c = await RawClient.connect(port);
    clients.push(c);
    return c;
  }

  it('the Electrum server answers each dialect the way ElectrumX does', async () => {
    const { port } = await electrum();
    const loose = await connect(port);
    expect(await loose.call(1, 'server.version', ['x', '1.4'], false)).toStrictEqual({ jsonrpc: '2.0', id: 1, result: ['stratum-sdk', '1.4'] });
    expect(await loose.call(2, 'server.banner', [], false)).toStrictEqual({ jsonrpc: '2.0', id: 2, result: 'hi' });

    const v2 = await connect(port);
    expect(await v2.call(1, 'server.banner', [])).toStrictEqual({ jsonrpc: '2.0', id: 1, result: 'hi' });
    expect(await v2.call(2, 'server.banner', [], false)).toStrictEqual({ jsonrpc: '2.0', id: 2, error: { code: -32600, message: '"jsonrpc" is not "2.0"' } });

    const v1 = await connect(port);
    v1.send({ jsonrpc: '1.0', id: 1, method: 'server.banner', params: [] });
    expect(await v1.recv()).toStrictEqual({ id: 1, result: 'hi', error: null });
  });

  it('the Stratum server keeps answering miners in Stratum 1.0: "error": null, errors as arrays, "id": null notifications', async () => {
    let pool!: MiningServer;
    pool = await createMiningServer({
      handlers: {
        'mining.subscribe': (_p, session) => {
          session.notify('mining.set_difficulty', [1]);
          return [[['mining.notify', 'ae6812eb4cd7735a302a8a9dd95cf71f']], '08000002', 4];
        },
      },
      listen: { tcp: {} },
    });
    servers.push(pool);
    const miner = await connect(pool.address('tcp')!.port);
    miner.send({ id: 1, method: 'mining.subscribe', params: ['cpuminer/2.5.1'] });
    expect(await miner.recv()).toStrictEqual({ id: null, method: 'mining.set_difficulty', params: [1] });
    expect(await miner.recv()).toStrictEqual({ id: 1, result: [[['mining.notify', 'ae6812eb4cd7735a302a8a9dd95cf71f']], '08000002', 4], error: null });
    miner.send({ id: 2, method: 'mining.authorize', params: ['w', 'x'] });
    expect(await miner.recv()).toStrictEqual({ id: 2, result: null, error: [-32601, 'unknown method "mining.authorize"', null] });
    // A 2.0 request still gets a 2.0 answer: per message.
    miner.send({ jsonrpc: '2.0', id: 3, method: 'mining.authorize', params: ['w', 'x'] });
    expect(await miner.recv()).toStrictEqual({ jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'unknown method "mining.authorize"' } });
  });
});
