// The Electrum client's `request` takes params by name as well as by position: `{ height: 1, cp_height: 121 }`
// goes out as JSON-RPC 2.0 by-name params, exactly as given, and the answer is checked against the shapes the
// positional params they stand for select. Against the SDK's own server over a regtest chain (which places
// names by the spec's param names, as ElectrumX does), and against a scripted server that shows the wire.
// Last, what the client's version-range types promise (a 1.4 header notification is {height, hex}) is what
// the client lets through.
import { afterEach, describe, expect, it } from 'vitest';
import { ElectrumClient } from '../../src/electrum.js';
import { ValidationError } from '../../src/runtime/errors.js';
import { RegtestChain } from '../../src/regtest/chain.js';
import { electrumBackend } from '../../src/regtest/electrum-backend.js';
import { createElectrumServer, type ElectrumHandlers, type ElectrumServer } from '../../src/servers/electrum-server.js';
import { startLineServer, type LineServer } from '../helpers/line-server.js';
import { until } from '../helpers/wait.js';

const PAYOUT = '0014' + '11'.repeat(20);

let servers: { close(): Promise<void> }[] = [];
let clients: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

/** The SDK's Electrum server over a regtest chain of `blocks` blocks, recording the params each handler got. */
async function electrum(blocks = 3): Promise<{ server: ElectrumServer; chain: RegtestChain; seen: { method: string; params: unknown[] }[] }> {
  const chain = new RegtestChain();
  for (let i = 0; i < blocks; i++) chain.mine(PAYOUT);
  const backend = electrumBackend(chain) as Record<string, (params: unknown[], session: unknown) => unknown>;
  const seen: { method: string; params: unknown[] }[] = [];
  const recording = Object.fromEntries(
    Object.entries(backend).map(([method, handler]) => [
      method,
      (params: unknown[], session: unknown) => {
        seen.push({ method, params: [...params] });
        return handler(params, session);
      },
    ]),
  );
  const server = await createElectrumServer({ handlers: recording as ElectrumHandlers, listen: { tcp: { host: '127.0.0.1', port: 0 } } });
  servers.push(server);
  return { server, chain, seen };
}

async function connect<const R extends string | readonly [string, string] = readonly ['1.4', '1.6']>(url: string, protocolVersion?: R) {
  const client = await ElectrumClient.connect(url, { keepAlive: false, ...(protocolVersion === undefined ? {} : { protocolVersion }) });
  clients.push(client);
  return client;
}

describe('params by name, against the SDK’s own server', () => {
  it('get the same answers as the same params by position, and the server places them for its handlers', async () => {
    const { server, seen } = await electrum();
    const client = await connect(`tcp://127.0.0.1:${server.address('tcp')!.port}`);

    const header = await client.request('blockchain.block.header', { height: 1 });
    expect(header).toBe(await client.request('blockchain.block.header', [1]));
    expect(typeof header).toBe('string');

    // ElectrumX's own example: a checkpoint proof, names in any order.
    const proof = await client.request('blockchain.block.header', { cp_height: 2, height: 1 });
    expect(proof).toEqual(await client.blockchain.block.header(1, 2));
    expect(proof).toMatchObject({ header: expect.any(String), root: expect.any(String), branch: expect.any(Array) });

    const tip = await client.request('blockchain.headers.subscribe', {});
    expect(tip.height).toBe(3);

    expect(seen.filter((s) => s.method === 'blockchain.block.header').map((s) => s.params)).toEqual([[1], [1], [1, 2], [1, 2]]);
  });

  it('check the answer against the shape the params select: a proof for cp_height, by name as by position', async () => {
    const { server } = await electrum();
    const client = await connect(`tcp://127.0.0.1:${server.address('tcp')!.port}`);
    const balance = await client.request('blockchain.scripthash.get_balance', { scripthash: '00'.repeat(32) });
    expect(balance).toEqual({ confirmed: 0, unconfirmed: 0 });
    // A param of 1.6 by name, on a 1.6 connection.
    const headers = await client.request('blockchain.block.headers', { start_height: 0, count: 2, cp_height: 2 });
    expect(headers).toMatchObject({ count: 2, headers: expect.any(Array), root: expect.any(String) });
  });
});

describe('params by name on the wire', () => {
  let line: LineServer | undefined;
  afterEach(async () => {
    await line?.close();
    line = undefined;
  });

  it('go out as a JSON-RPC 2.0 object, as given', async () => {
    line = await startLineServer(
      (m, conn) => conn.send({ jsonrpc: '2.0', id: m['id'], result: '00'.repeat(80) }),
      ['TestServer 1.0', '1.4'],
    );
    const client = await connect(line.url, '1.4');
    await client.request('blockchain.block.header', { height: 5 });
    const sent = line.connections[0]!.received.find((m) => m['method'] === 'blockchain.block.header');
    expect(sent).toMatchObject({ jsonrpc: '2.0', method: 'blockchain.block.header', params: { height: 5 } });
  });

  it('are refused before sending when a name is unknown, a required one is missing or the version lacks one', async () => {
    line = await startLineServer((m, conn) => conn.send({ jsonrpc: '2.0', id: m['id'], result: null }), ['TestServer 1.0', '1.4']);
    const client = await connect(line.url, '1.4');
    const call = (client.request as unknown as (method: string, params: Record<string, unknown>) => Promise<unknown>).bind(client);
    await expect(call('blockchain.block.header', { height: 1, cp_heigth: 2 })).rejects.toThrow(/unknown param "cp_heigth"/);
    await expect(call('blockchain.block.header', { cp_height: 2 })).rejects.toBeInstanceOf(ValidationError);
    // estimatefee's mode is a 1.6 param: refused on a 1.4 connection, by name as by position.
    await expect(call('blockchain.estimatefee', { number: 2, mode: 'ECONOMICAL' })).rejects.toThrow(/mode\): not part of protocol 1\.4/);
    expect(line.connections[0]!.received.map((m) => m['method'])).toEqual(['server.version']);
  });

  it('select the result shape they stand for: a proof is refused when no cp_height was given', async () => {
    line = await startLineServer(
      (m, conn) => conn.send({ jsonrpc: '2.0', id: m['id'], result: { header: '00'.repeat(80), branch: [], root: '00'.repeat(32) } }),
      ['TestServer 1.0', '1.4'],
    );
    const client = await connect(line.url, '1.4');
    // Without cp_height (default 0) the answer must be the raw header: an object is refused.
    await expect(client.request('blockchain.block.header', { height: 1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.request('blockchain.block.header', { height: 1, cp_height: 3 })).resolves.toMatchObject({ root: '00'.repeat(32) });
  });
});

describe('a subscription made by name', () => {
  let line: LineServer | undefined;
  afterEach(async () => {
    await line?.close();
    line = undefined;
  });

  it('is kept by its positional params: its notifications reach it, and a reconnect renews it by position', async () => {
    const SH = 'ab'.repeat(32);
    line = await startLineServer((m, conn) => conn.send({ jsonrpc: '2.0', id: m['id'], result: 'cd'.repeat(32) }), ['TestServer 1.0', '1.4']);
    const client = await ElectrumClient.connect(line.url, { keepAlive: false, protocolVersion: '1.4', reconnect: { initialDelay: 10, maxDelay: 20 } });
    clients.push(client);
    expect(await client.request('blockchain.scripthash.subscribe', { scripthash: SH })).toBe('cd'.repeat(32));
    expect(client.subscriptionCount).toBe(1);
    const heard = new Promise<[string, string | null]>((resolve) => client.once('blockchain.scripthash.subscribe', (sh, status) => resolve([sh, status])));
    line.connections[0]!.send({ jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [SH, 'ef'.repeat(32)] });
    expect(await heard).toEqual([SH, 'ef'.repeat(32)]);

    const reconnected = new Promise<void>((resolve) => client.once('reconnect', () => resolve()));
    line.connections[0]!.socket.destroy();
    await reconnected;
    const renewal = () => line?.connections[1]?.received.find((m) => m['method'] === 'blockchain.scripthash.subscribe');
    await until(() => renewal() !== undefined, 'the renewal');
    expect(renewal()).toMatchObject({ params: [SH] });
  });
});

describe('what the types of a range promise holds on the wire', () => {
  let line: LineServer | undefined;
  afterEach(async () => {
    await line?.close();
    line = undefined;
  });

  it('a header notification in the pre-1.4 shape on a 1.4 connection is a protocol error, never a typed event', async () => {
    line = await startLineServer((m, conn) => conn.send({ jsonrpc: '2.0', id: m['id'], result: { height: 1, hex: '00'.repeat(80) } }), ['TestServer 1.0', '1.4']);
    const client = await connect(line.url, '1.4');
    await client.blockchain.headers.subscribe();
    const heard: number[] = [];
    client.on('blockchain.headers.subscribe', (header) => heard.push(header.height));
    const refused = new Promise<unknown>((resolve) => client.once('protocol-error', resolve));
    const deserialized = { block_height: 2, version: 1, prev_block_hash: '00'.repeat(32), merkle_root: '00'.repeat(32), timestamp: 0, bits: 0, nonce: 0 };
    line.connections[0]!.send({ jsonrpc: '2.0', method: 'blockchain.headers.subscribe', params: [deserialized] });
    expect(await refused).toBeInstanceOf(ValidationError);
    line.connections[0]!.send({ jsonrpc: '2.0', method: 'blockchain.headers.subscribe', params: [{ height: 3, hex: '00'.repeat(80) }] });
    await until(() => heard.length > 0, 'the 1.4 header');
    expect(heard).toEqual([3]);
  });
});
