// The lite client (stratum-sdk/electrum/lite) over real sockets: wrappers and requests, subscriptions and their
// renewal after a reconnect (a change missed while away emitted once, nothing emitted twice, nothing older after
// newer; a renewal the server refuses: electrum-reconnect.test.ts), what it refuses of a server, and of its caller.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ElectrumClient } from '../../src/electrum/lite.js';
import { ClosedError, ValidationError } from '../../src/runtime/errors.js';
import { startFakeElectrum, type FakeServer, type Handler, type Kind } from '../helpers/fake-electrum.js';

const SH = '8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161';
const status = (c: string) => c.repeat(64);
const FAST = { initialDelay: 20, maxDelay: 50, jitter: 0 };
const GENESIS = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';

let server: FakeServer | undefined;
let client: ElectrumClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

const until = <T>(register: (resolve: (v: T) => void) => void) => new Promise<T>(register);

/** A server whose script hash status and tip the test changes. */
function world() {
  const state = { status: status('1') as string | null, height: 10, version: '1.4' };
  const handler: Handler = (method, params) => {
    if (method === 'server.version') return { result: ['FakeX 1.0', state.version] };
    if (method === 'server.features') return { result: { genesis_hash: GENESIS } };
    if (method === 'blockchain.scripthash.subscribe') return { result: state.status };
    if (method === 'blockchain.scripthash.unsubscribe') return { result: true };
    if (method === 'blockchain.scripthash.get_history') return { result: [{ height: 5, tx_hash: params[0] }] };
    if (method === 'blockchain.headers.subscribe') return { result: { height: state.height, hex: '00'.repeat(80) } };
    if (method === 'server.banner') return { result: 'hello' };
    return undefined;
  };
  return { state, handler };
}

describe('the lite client', () => {
  it.each<Kind>(['tcp', 'ws'])('negotiates and calls typed wrappers and requests by wire name over %s', async (kind) => {
    const { handler } = world();
    const unknown = { error: { code: -32601, message: 'unknown method' } };
    server = await startFakeElectrum(async (method, params, conn) => (await handler(method, params, conn)) ?? unknown, { kind });
    client = await ElectrumClient.connect(server.url, { keepAlive: false, clientName: 'lite-test' });
    expect([client.serverVersion, client.protocolVersion]).toEqual(['FakeX 1.0', '1.4']);
    expect(client.supports('1.4')).toBe(true);
    expect(client.supports('1.6')).toBe(false);
    expect(await client.blockchain.scripthash.getHistory(SH)).toEqual([{ height: 5, tx_hash: SH }]);
    expect(await client.request('server.banner', [])).toBe('hello');
    // Wrappers at each depth, their wire names made from the accessors; trailing undefineds not sent.
    const { getMerkle } = client.blockchain.transaction;
    await expect(getMerkle(SH, 5)).rejects.toMatchObject({ code: 'SERVER' });
    await expect(client.mempool.getFeeHistogram()).rejects.toMatchObject({ code: 'SERVER' });
    await expect(client.server.peers.subscribe()).rejects.toMatchObject({ code: 'SERVER' });
    await expect(client.blockchain.transaction.get(SH, undefined)).rejects.toMatchObject({ code: 'SERVER' });
    const sent = server.connections[0]?.received ?? [];
    expect(sent[0]).toMatchObject({ method: 'server.version', params: ['lite-test', ['1.4', '1.6']] });
    expect(sent.slice(1).map((m) => [m['method'], m['params']])).toEqual([
      ['blockchain.scripthash.get_history', [SH]],
      ['server.banner', []],
      ['blockchain.transaction.get_merkle', [SH, 5]],
      ['mempool.get_fee_histogram', []],
      ['server.peers.subscribe', []],
      ['blockchain.transaction.get', [SH]],
    ]);
  });

  it('passes notifications of its subscriptions to their listeners', async () => {
    const { handler } = world();
    server = await startFakeElectrum(handler);
    client = await ElectrumClient.connect(server.url, { keepAlive: false });
    const seen: unknown[] = [];
    client.on('blockchain.scripthash.subscribe', (sh, st) => seen.push([sh, st]));
    client.on('blockchain.headers.subscribe', (h) => seen.push(h.height));
    expect(await client.blockchain.scripthash.subscribe(SH)).toBe(status('1'));
    expect(await client.blockchain.headers.subscribe()).toMatchObject({ height: 10 });
    expect(client.subscriptionCount).toBe(2);
    const two = until<void>((resolve) => client?.on('blockchain.headers.subscribe', () => resolve()));
    server.broadcast({ jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [SH, status('2')] });
    server.broadcast({ jsonrpc: '2.0', method: 'blockchain.headers.subscribe', params: [{ height: 11, hex: '00'.repeat(80) }] });
    await two;
    expect(seen).toEqual([[SH, status('2')], 11]);
  });

  it('renews subscriptions after a reconnect and emits only what changed while away', async () => {
    const { state, handler } = world();
    server = await startFakeElectrum(handler);
    client = new ElectrumClient(server.url, { keepAlive: false, reconnect: FAST });
    const statuses: unknown[] = [];
    const heights: number[] = [];
    client.on('blockchain.scripthash.subscribe', (sh, st) => statuses.push([sh, st]));
    client.on('blockchain.headers.subscribe', (h) => heights.push(h.height));
    await client.connect();
    await client.blockchain.scripthash.subscribe(SH);
    await client.blockchain.headers.subscribe();

    const changed = until<void>((resolve) => client?.once('blockchain.scripthash.subscribe', () => resolve()));
    const reconnected = until<void>((resolve) => client?.once('reconnect', () => resolve()));
    state.status = status('2');
    server.connections[0]?.kill();
    await reconnected;
    await changed;
    // The tip did not move: no header event. The renewals went out on the new connection.
    expect(statuses).toEqual([[SH, status('2')]]);
    expect(heights).toEqual([]);
    const renewed = server.connections[1]?.received.map((m) => m['method']);
    expect(renewed).toEqual(['server.version', 'blockchain.scripthash.subscribe', 'blockchain.headers.subscribe']);

    // A second reconnect with nothing changed emits nothing: the status already delivered is not delivered again.
    const again = until<void>((resolve) => client?.once('reconnect', () => resolve()));
    server.connections[1]?.kill();
    await again;
    expect(await client.server.banner()).toBe('hello'); // after the renewals' answers on the same connection
    expect(statuses).toEqual([[SH, status('2')]]);
    expect(client.subscriptionCount).toBe(2);
  });

  it('drops a renewal answer that comes after a newer notification on its key', async () => {
    const { handler } = world();
    let renewing = false;
    server = await startFakeElectrum((method, params, conn) => {
      if (renewing && method === 'blockchain.scripthash.subscribe') {
        // The server tells of the newest status first, then answers the renewal with an older one.
        conn.send({ jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [SH, status('3')] });
        return { result: status('2') };
      }
      return handler(method, params, conn);
    });
    client = await ElectrumClient.connect(server.url, { keepAlive: false, reconnect: FAST });
    const statuses: unknown[] = [];
    client.on('blockchain.scripthash.subscribe', (_, st) => statuses.push(st));
    await client.blockchain.scripthash.subscribe(SH);
    const reconnected = until<void>((resolve) => client?.once('reconnect', () => resolve()));
    renewing = true;
    server.connections[0]?.kill();
    await reconnected;
    await client.server.banner(); // read after the renewal's answer
    expect(statuses).toEqual([status('3')]);
  });

  it('stops renewing what was unsubscribed', async () => {
    const { handler } = world();
    server = await startFakeElectrum(handler);
    client = await ElectrumClient.connect(server.url, { keepAlive: false, reconnect: FAST, protocolVersion: ['1.4', '1.6'] });
    await client.blockchain.scripthash.subscribe(SH);
    await client.blockchain.headers.subscribe();
    expect(await client.request('blockchain.scripthash.unsubscribe', [SH])).toBe(true);
    expect(client.subscriptionCount).toBe(1);
    const reconnected = until<void>((resolve) => client?.once('reconnect', () => resolve()));
    server.connections[0]?.kill();
    await reconnected;
    await client.server.banner();
    expect(server.connections[1]?.received.map((m) => m['method'])).toEqual(['server.version', 'blockchain.headers.subscribe', 'server.banner']);
  });

  it('matches scriptPubKey subscriptions by the script hash their notifications carry', async () => {
    const script = '0014' + 'ab'.repeat(20);
    const hash = Buffer.from(createHash('sha256').update(Buffer.from(script, 'hex')).digest()).reverse().toString('hex');
    let current = status('1');
    server = await startFakeElectrum(
      (method) => {
        if (method === 'blockchain.scriptpubkey.subscribe') return { result: current };
        if (method === 'server.banner') return { result: 'hello' };
        return undefined;
      },
      {},
      ['FakeX 1.7', '1.7'],
    );
    const c = await ElectrumClient.connect(server.url, { keepAlive: false, reconnect: FAST, protocolVersion: ['1.4', '1.7'] });
    client = c as unknown as ElectrumClient;
    const seen: unknown[] = [];
    c.on('blockchain.scriptpubkey.subscribe', (sh, st) => seen.push([sh, st]));
    expect(await c.blockchain.scriptpubkey.subscribe(script)).toBe(status('1'));
    // A notification sets the stored status: the renewal's answer, equal to it, is no change.
    server.broadcast({ jsonrpc: '2.0', method: 'blockchain.scriptpubkey.subscribe', params: [hash, status('2')] });
    current = status('2');
    const reconnected = until<void>((resolve) => c.once('reconnect', () => resolve()));
    const notified = until<void>((resolve) => c.once('blockchain.scriptpubkey.subscribe', () => resolve()));
    await notified;
    server.connections[0]?.kill();
    await reconnected;
    await c.server.banner();
    expect(seen).toEqual([[hash, status('2')]]);
    // A change while away is emitted under the script hash, as the server's notifications name it.
    current = status('3');
    const changed = until<void>((resolve) => c.once('blockchain.scriptpubkey.subscribe', () => resolve()));
    server.connections[1]?.kill();
    await changed;
    expect(seen).toEqual([
      [hash, status('2')],
      [hash, status('3')],
    ]);
  });

  it('raises no event a server names: a notification that is no subscription\'s is a protocol error', async () => {
    const { handler } = world();
    server = await startFakeElectrum(handler);
    client = await ElectrumClient.connect(server.url, { keepAlive: false });
    const errors: string[] = [];
    let closed = false;
    client.on('protocol-error', (e) => errors.push(e.message));
    client.on('close', () => (closed = true));
    const four = until<void>((resolve) => client?.on('protocol-error', () => errors.length === 4 && resolve()));
    for (const method of ['close', 'connect', 'constructor']) server.broadcast({ jsonrpc: '2.0', method, params: [] });
    server.broadcast({ jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [SH, status('2'), 'extra', ...Array(1000).fill(0)] });
    await four;
    expect(errors.slice(0, 3)).toEqual(['close', 'connect', 'constructor'].map((m) => `a notification "${m}", which is no subscription's`));
    expect(errors[3]).toMatch(/blockchain\.scripthash\.subscribe notification must carry 2 params/);
    expect(closed).toBe(false);
    expect(await client.server.banner()).toBe('hello');
  });

  it('refuses params by name, a server outside its range and one of another chain', async () => {
    const { state, handler } = world();
    server = await startFakeElectrum(handler);
    client = await ElectrumClient.connect(server.url, { keepAlive: false, genesisHash: GENESIS });
    await expect(client.request('server.banner', { x: 1 } as never)).rejects.toBeInstanceOf(ValidationError);
    await client.close();
    await expect(ElectrumClient.connect(server.url, { keepAlive: false, genesisHash: '00'.repeat(32) })).rejects.toMatchObject({ code: 'WRONG_CHAIN' });
    state.version = '1.2';
    await expect(ElectrumClient.connect(server.url, { keepAlive: false })).rejects.toMatchObject({ code: 'VERSION_MISMATCH' });
  });

  it('closes with await using, and rejects what is pending with a ClosedError', async () => {
    server = await startFakeElectrum((method) => (method === 'server.banner' ? undefined : undefined));
    let pending: Promise<unknown> | undefined;
    {
      await using c = await ElectrumClient.connect(server.url, { keepAlive: false });
      pending = c.server.banner();
      pending.catch(() => undefined);
      expect(c.pendingRequests).toBe(1);
    }
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
  });
});
