// The lean ElectrumClient (stratum-sdk/electrum/lean) over real sockets on 127.0.0.1: it checks the methods
// whose validators it is given and no others, and still refuses a server.version answer it cannot read.
import { afterEach, describe, expect, it } from 'vitest';
import { ElectrumClient, walletValidators } from '../../src/electrum/lean.js';
import { ElectrumClient as FullClient } from '../../src/electrum.js';
import { blockchain_block_headers, blockchain_headers_subscribe, blockchain_headers_subscribe_from_1_4 } from '../../src/electrum/validators.js';
import { ValidationError } from '../../src/runtime/errors.js';
import { reply, startLineServer, type LineServer, type OnMessage } from '../helpers/line-server.js';
import { until } from '../helpers/wait.js';

const SH = '8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161';
const BAD_HISTORY = [{ height: 'tall', tx_hash: SH }];
// A 1.4 answer to blockchain.block.headers, which 1.6 replaced by a list.
const HEADERS_14 = { count: 1, hex: '00'.repeat(80), max: 2016 };
// A header as servers sent it before 1.4, and as they send it since.
const DESERIALIZED = { block_height: 2, version: 1, prev_block_hash: '00'.repeat(32), merkle_root: '00'.repeat(32), timestamp: 0, bits: 0, nonce: 0 };
const RAW = { height: 2, hex: '00'.repeat(80) };

let servers: LineServer[] = [];
let clients: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

async function server(onMessage: OnMessage, version?: [string, string]) {
  const s = await startLineServer(onMessage, version);
  servers.push(s);
  return s;
}

/** Answers every request but server.version with `result`. */
const answer = (result: unknown): OnMessage => (m, c) => c.send(reply(m, result));

describe('the lean ElectrumClient', () => {
  it('checks nothing without validators: a result that breaks the spec comes through', async () => {
    const s = await server(answer(BAD_HISTORY));
    const client = await ElectrumClient.connect(s.url, { keepAlive: false });
    clients.push(client);
    expect(await client.blockchain.scripthash.getHistory(SH)).toEqual(BAD_HISTORY);
    // Params go unchecked too: the request reaches the server.
    // @ts-expect-error a script hash is a string
    await client.blockchain.scripthash.getHistory(5);
    expect(s.connections[0]!.received.map((m) => m['params'])).toContainEqual([5]);
  });

  it('with walletValidators: refuses what the full client refuses for those methods, and lets others through', async () => {
    const s = await server((m, c) => c.send(reply(m, m['method'] === 'blockchain.block.headers' ? HEADERS_14 : BAD_HISTORY)), ['S', '1.6']);
    const lean = await ElectrumClient.connect(s.url, { keepAlive: false, validators: walletValidators });
    const full = await FullClient.connect(s.url, { keepAlive: false });
    clients.push(lean, full);
    const leanError = await lean.blockchain.scripthash.getHistory(SH).catch((e: unknown) => e);
    const fullError = await full.blockchain.scripthash.getHistory(SH).catch((e: unknown) => e);
    expect(leanError).toBeInstanceOf(ValidationError);
    expect((leanError as ValidationError).message).toBe((fullError as ValidationError).message);
    expect((leanError as ValidationError).message).toMatch(/result\[0\]\.height: must be integer/);
    // @ts-expect-error a script hash is a string
    await expect(lean.blockchain.scripthash.getHistory(5)).rejects.toBeInstanceOf(ValidationError);
    // Not in the wallet set: unchecked by the lean client, refused by the full one.
    expect(await lean.blockchain.block.headers(0, 1)).toEqual(HEADERS_14);
    await expect(full.blockchain.block.headers(0, 1)).rejects.toBeInstanceOf(ValidationError);
  });

  it('with a set of its own: checks exactly those methods', async () => {
    const s = await server((m, c) => c.send(reply(m, m['method'] === 'blockchain.block.headers' ? HEADERS_14 : BAD_HISTORY)), ['S', '1.6']);
    const client = await ElectrumClient.connect(s.url, { keepAlive: false, validators: { 'blockchain.block.headers': blockchain_block_headers } });
    clients.push(client);
    await expect(client.blockchain.block.headers(0, 1)).rejects.toBeInstanceOf(ValidationError);
    expect(await client.blockchain.scripthash.getHistory(SH)).toEqual(BAD_HISTORY);
  });

  it('refuses a server.version answer that is not two strings, validators or not', async () => {
    // The line server answers server.version with this pair as it is.
    const s = await server(() => undefined, ['S', 1.4 as unknown as string]);
    await expect(ElectrumClient.connect(s.url, { keepAlive: false, validate: false })).rejects.toBeInstanceOf(ValidationError);
  });

  it("with walletValidators: checks its versions' shapes only, and is refused by a client whose range starts before them", async () => {
    expect(() => new ElectrumClient('tcp://127.0.0.1:1', { protocolVersion: ['1.2', '1.6'], validators: walletValidators })).toThrow(
      /those of (server\.version|blockchain\.headers\.subscribe|blockchain\.transaction\.broadcast) check protocol 1\.\d and later, but the client's range starts at 1\.2/,
    );
    // Not with validate: false, which checks nothing; and the validators for every version are taken at any range.
    expect(() => new ElectrumClient('tcp://127.0.0.1:1', { protocolVersion: ['1.2', '1.6'], validators: walletValidators, validate: false })).not.toThrow();
    expect(() => new ElectrumClient('tcp://127.0.0.1:1', { protocolVersion: ['1.2', '1.6'], validators: { 'blockchain.headers.subscribe': blockchain_headers_subscribe } })).not.toThrow();

    let tip: unknown = DESERIALIZED;
    const s = await server((m, c) => c.send(reply(m, tip)), ['S', '1.4']);
    const client = await ElectrumClient.connect(s.url, { keepAlive: false, validators: walletValidators });
    clients.push(client);
    // A pre-1.4 header, in the answer or a notification of a 1.4 connection: refused, never a typed value.
    await expect(client.blockchain.headers.subscribe()).rejects.toBeInstanceOf(ValidationError);
    tip = RAW;
    expect(await client.blockchain.headers.subscribe()).toEqual(RAW);
    const heard: unknown[] = [];
    client.on('blockchain.headers.subscribe', (header) => heard.push(header));
    const refused = new Promise<unknown>((resolve) => client.once('protocol-error', resolve));
    s.connections[0]!.send({ jsonrpc: '2.0', method: 'blockchain.headers.subscribe', params: [DESERIALIZED] });
    expect(await refused).toBeInstanceOf(ValidationError);
    s.connections[0]!.send({ jsonrpc: '2.0', method: 'blockchain.headers.subscribe', params: [{ height: 3, hex: '00'.repeat(80) }] });
    await until(() => heard.length > 0, 'the 1.4 header');
    expect(heard).toEqual([{ height: 3, hex: '00'.repeat(80) }]);
    expect(blockchain_headers_subscribe_from_1_4.since).toBe('1.4');
  });

  it('the client of stratum-sdk/electrum is a lean client that validates every method by default', async () => {
    const s = await server(answer(BAD_HISTORY));
    const full = await FullClient.connect(s.url, { keepAlive: false });
    clients.push(full);
    expect(full).toBeInstanceOf(ElectrumClient);
    expect(full.constructor.name).toBe('ElectrumClient');
    await expect(full.blockchain.scripthash.getHistory(SH)).rejects.toBeInstanceOf(ValidationError);
  });
});
