// Subscriptions as async iterables, unsubscribe, batches, the genesis check and WebSocket transport,
// against a scripted server on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { ElectrumClient } from '../../src/electrum.js';
import { ClosedError, OverflowError, ServerError, ValidationError, WrongChainError } from '../../src/runtime/errors.js';
import { startFakeElectrum, type FakeServer, type Handler } from '../helpers/fake-electrum.js';

const SH1 = '8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161';
const SH2 = 'a'.repeat(64);
const status = (c: string) => c.repeat(64);
const HEADER = { height: 7, hex: '00'.repeat(80) };
const REGTEST_GENESIS = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';

let server: FakeServer | undefined;
let client: ElectrumClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  client = server = undefined;
});

async function setup(handler: Handler, version: [string, string] = ['FakeX 1.0', '1.4'], kind: 'tcp' | 'ws' = 'tcp') {
  server = await startFakeElectrum(handler, { kind }, version);
  client = await ElectrumClient.connect(server.url, { keepAlive: false, timeout: 2000 });
  return { server, client };
}

const subscribeHandler: Handler = (method, params) => {
  if (method === 'blockchain.scripthash.subscribe') return { result: params[0] === SH1 ? status('1') : null };
  if (method === 'blockchain.scripthash.unsubscribe') return { result: true };
  if (method === 'blockchain.headers.subscribe') return { result: HEADER };
  if (method === 'server.ping') return { result: null };
  return undefined;
};

describe('subscriptions as async iterables', () => {
  it('yield the notifications of their own key, in order, after the initial value', async () => {
    const { server, client } = await setup(subscribeHandler);
    const sub = await client.subscribe('blockchain.scripthash.subscribe', [SH1]);
    expect(sub.initial).toBe(status('1'));
    const notify = (sh: string, st: string) => server.broadcast({ jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [sh, st] });
    notify(SH2, status('9')); // another key: not for this iterator
    notify(SH1, status('2'));
    notify(SH1, status('3'));
    expect((await sub.next()).value).toEqual([SH1, status('2')]);
    expect((await sub.next()).value).toEqual([SH1, status('3')]);
  });

  it('notifications() sees every key; a signal ends it', async () => {
    const { server, client } = await setup(subscribeHandler);
    await client.blockchain.scripthash.subscribe(SH1);
    const abort = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const [sh] of client.notifications('blockchain.scripthash.subscribe', { signal: abort.signal })) {
        seen.push(sh);
        if (seen.length === 2) abort.abort();
      }
    })();
    server.broadcast({ jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [SH2, status('4')] });
    server.broadcast({ jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [SH1, null] });
    await loop;
    expect(seen).toEqual([SH2, SH1]);
  });

  it('unsubscribe sends blockchain.scripthash.unsubscribe where the version has it (1.4.2+)', async () => {
    const { server, client } = await setup(subscribeHandler, ['FakeX 1.0', '1.4.2']);
    const sub = await client.subscribe('blockchain.scripthash.subscribe', [SH1]);
    expect(client.subscriptionCount).toBe(1);
    await sub.unsubscribe();
    expect(client.subscriptionCount).toBe(0);
    expect(server.connections[0]?.received.map((m) => m['method'])).toContain('blockchain.scripthash.unsubscribe');
    expect(await sub.next()).toEqual({ value: undefined, done: true });
  });

  it('unsubscribe at exactly 1.4 only stops local delivery: ElectrumX has no unsubscribe there', async () => {
    const { server, client } = await setup(subscribeHandler, ['FakeX 1.0', '1.4']);
    const sub = await client.subscribe('blockchain.scripthash.subscribe', [SH1]);
    await sub.unsubscribe();
    expect(server.connections[0]?.received.map((m) => m['method'])).not.toContain('blockchain.scripthash.unsubscribe');
    expect(client.subscriptionCount).toBe(0);
  });

  it('end cleanly on close() and throw ClosedError when the connection is lost', async () => {
    const { server, client } = await setup(subscribeHandler);
    const a = await client.subscribe('blockchain.headers.subscribe', []);
    expect(a.initial).toEqual(HEADER);
    const pendingRead = a.next();
    server.connections[0]?.kill();
    await expect(pendingRead).rejects.toBeInstanceOf(ClosedError);
    await expect(client.server.banner()).rejects.toBeInstanceOf(ClosedError);
  });

  it('fail with OverflowError when the reader falls behind its buffer', async () => {
    server = await startFakeElectrum(subscribeHandler);
    client = await ElectrumClient.connect(server.url, { keepAlive: false, notificationBuffer: 2 });
    const sub = await client.subscribe('blockchain.scripthash.subscribe', [SH1]);
    for (const c of '234') server.broadcast({ jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [SH1, status(c)] });
    await client.server.ping(); // a round trip, so the three notifications have arrived
    expect((await sub.next()).value).toEqual([SH1, status('2')]);
    expect((await sub.next()).value).toEqual([SH1, status('3')]);
    await expect(sub.next()).rejects.toBeInstanceOf(OverflowError);
  });

  it('refuse a method that is not a subscription', async () => {
    const { client } = await setup(subscribeHandler);
    // @ts-expect-error server.banner is not a subscription
    await expect(client.subscribe('server.banner', [])).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('batches', () => {
  it('settle each call on its own, matched by id in any order', async () => {
    const { server, client } = await setup((method, params) => {
      if (method === 'server.banner') return { result: 'hello' };
      if (method === 'blockchain.scripthash.get_balance') return { result: { confirmed: 5, unconfirmed: 0 } };
      if (method === 'blockchain.transaction.get') return { error: { code: 2, message: `no tx ${String(params[0])}` } };
      return undefined;
    });
    const results = await client.batch([
      ['server.banner', []],
      ['blockchain.scripthash.get_balance', [SH1]],
      ['blockchain.transaction.get', [SH2]],
      ['blockchain.scripthash.get_balance', ['not hex']],
    ]);
    expect(results[0]).toEqual({ ok: true, value: 'hello' });
    expect(results[1]).toEqual({ ok: true, value: { confirmed: 5, unconfirmed: 0 } });
    expect(results[2].ok).toBe(false);
    if (!results[2].ok) expect(results[2].error).toMatchObject({ code: 'SERVER', serverCode: 2 });
    if (!results[2].ok) expect(results[2].error).toBeInstanceOf(ServerError);
    // Refused before sending: the server saw one batch of three.
    if (!results[3].ok) expect(results[3].error).toBeInstanceOf(ValidationError);
    expect(results[3].ok).toBe(false);
    const batch = server.connections[0]?.received.slice(1) ?? [];
    expect(batch.map((m) => m['method'])).toEqual(['server.banner', 'blockchain.scripthash.get_balance', 'blockchain.transaction.get']);
  });

  it('send nothing when no call passes its params check, and resolve an empty batch at once', async () => {
    const { server, client } = await setup((method) => (method === 'server.banner' ? { result: 'unexpected' } : undefined));
    const results = await client.batch([
      ['blockchain.scripthash.get_balance', ['not hex']],
      ['blockchain.transaction.get', ['zz']],
    ]);
    expect(results.map((r) => !r.ok && r.error instanceof ValidationError)).toEqual([true, true]);
    expect(await client.batch([])).toEqual([]);
    expect(await client.request('server.banner', [])).toBe('unexpected');
    // Only the version handshake and the banner reached the server.
    expect(server.connections[0]?.received.slice(1).map((m) => m['method'])).toEqual(['server.banner']);
  });

  it('time out the calls the server leaves unanswered', async () => {
    const { client } = await setup((method) => (method === 'server.banner' ? { result: 'hi' } : undefined));
    const results = await client.batch([['server.banner', []], ['server.donation_address', []]], { timeout: 100 });
    expect(results[0]).toEqual({ ok: true, value: 'hi' });
    expect(results[1].ok === false && results[1].error.code).toBe('TIMEOUT');
  });
});

describe('the genesis check', () => {
  const features = (genesis: string): Handler => (method) =>
    method === 'server.features'
      ? { result: { genesis_hash: genesis, hosts: {}, protocol_max: '1.4', protocol_min: '1.4', server_version: 'FakeX 1.0', hash_function: 'sha256', pruning: null } }
      : undefined;

  it('accepts the expected chain', async () => {
    server = await startFakeElectrum(features(REGTEST_GENESIS));
    client = await ElectrumClient.connect(server.url, { keepAlive: false, genesisHash: REGTEST_GENESIS.toUpperCase() });
    expect(client.protocolVersion).toBe('1.4');
  });

  it('refuses another chain with WrongChainError', async () => {
    server = await startFakeElectrum(features('00'.repeat(32)));
    const attempt = ElectrumClient.connect(server.url, { keepAlive: false, genesisHash: REGTEST_GENESIS });
    await expect(attempt).rejects.toBeInstanceOf(WrongChainError);
    await expect(attempt).rejects.toMatchObject({ code: 'WRONG_CHAIN', expected: REGTEST_GENESIS });
  });
});

describe('WebSocket', () => {
  it('carries one JSON message per frame, with notifications', async () => {
    const { server, client } = await setup(subscribeHandler, ['FakeX 1.0', '1.4'], 'ws');
    expect(server.url.startsWith('ws://')).toBe(true);
    const sub = await client.subscribe('blockchain.scripthash.subscribe', [SH1]);
    server.broadcast({ jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [SH1, status('5')] });
    expect((await sub.next()).value).toEqual([SH1, status('5')]);
  });

  it('fails the connection on a message over the size limit', async () => {
    server = await startFakeElectrum((method) => (method === 'server.banner' ? { result: 'x'.repeat(5000) } : undefined), { kind: 'ws' });
    client = await ElectrumClient.connect(server.url, { keepAlive: false, maxMessageSize: 1000 });
    await expect(client.server.banner()).rejects.toMatchObject({ code: 'CLOSED' });
    expect(client.closed).toBe(true);
  });

  it('says clearly when nothing listens', async () => {
    server = await startFakeElectrum(() => undefined, { kind: 'ws' });
    const url = server.url;
    await server.close();
    server = undefined;
    await expect(ElectrumClient.connect(url, { keepAlive: false })).rejects.toMatchObject({ code: 'CONNECT' });
  });
});

describe('notification dispatch', () => {
  // The client keeps the last notification method's plan (its MethodInfo and checks for the version)
  // between notifications: a run of one method, then others, must be judged each on its own.
  it('judges each notification by its own method, whatever came before: unknown, invalid, valid, in any order', async () => {
    const { server, client } = await setup(subscribeHandler, ['FakeX 1.0', '1.4']);
    await client.blockchain.scripthash.subscribe(SH1);
    await client.blockchain.headers.subscribe();
    const errors: string[] = [];
    client.on('protocol-error', (e) => errors.push(`${e.code}:${e.message}`));
    const statuses: string[] = [];
    client.on('blockchain.scripthash.subscribe', (sh, st) => statuses.push(`${sh.slice(0, 4)}=${String(st).slice(0, 2)}`));
    const heights: number[] = [];
    client.on('blockchain.headers.subscribe', (h) => heights.push(h.height));
    const send = (method: string, params: unknown) => server.broadcast({ jsonrpc: '2.0', method, params });
    send('blockchain.scripthash.subscribe', [SH1, status('2')]);
    send('no.such.notification', [1]);
    send('blockchain.scripthash.subscribe', [SH1, 5]); // invalid status
    send('blockchain.headers.subscribe', [{ height: 8, hex: '00'.repeat(80) }]);
    send('blockchain.scripthash.subscribe', [SH1, status('3')]);
    send('blockchain.transaction.get', ['00']); // a method with no notification
    send('blockchain.scripthash.subscribe', [SH1, status('4')]);
    send('blockchain.headers.subscribe', [{ height: 9 }]); // invalid header
    send('blockchain.headers.subscribe', [{ height: 10, hex: '00'.repeat(80) }]);
    await waitFor(() => heights.length === 2 && errors.length === 4);
    expect(statuses).toEqual([`${SH1.slice(0, 4)}=22`, `${SH1.slice(0, 4)}=33`, `${SH1.slice(0, 4)}=44`]);
    expect(heights).toEqual([8, 10]);
    expect(errors.map((e) => e.split(':')[0])).toEqual(['PROTOCOL', 'VALIDATION', 'PROTOCOL', 'VALIDATION']);
    expect(errors[0]).toContain('"no.such.notification", which the spec has no server notification of');
    expect(errors[1]).toContain('blockchain.scripthash.subscribe');
    expect(errors[2]).toContain('"blockchain.transaction.get", which the spec has no server notification of');
    expect(errors[3]).toContain('blockchain.headers.subscribe');
  });
});

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
