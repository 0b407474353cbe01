// Reconnect: backoff, renegotiation, renewed subscriptions, the status change missed while away, and
// requests made during the outage.
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { ElectrumClient } from '../../src/electrum.js';
import { LiteElectrumClient } from '../../src/clients/electrum-lite-client.js';
import { ClosedError } from '../../src/runtime/errors.js';
import { startFakeElectrum, type FakeServer, type Handler } from '../helpers/fake-electrum.js';

const SH = '8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161';
const status = (c: string) => c.repeat(64);
const FAST = { initialDelay: 20, maxDelay: 50, jitter: 0 };

let server: FakeServer | undefined;
let client: ElectrumClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  client = server = undefined;
});

/** A server whose script hash status and tip the test changes. */
function world() {
  const state = { status: status('1') as string | null, height: 10, version: '1.4' };
  const handler: Handler = (method) => {
    if (method === 'server.version') return { result: ['FakeX 1.0', state.version] };
    if (method === 'blockchain.scripthash.subscribe') return { result: state.status };
    if (method === 'blockchain.headers.subscribe') return { result: { height: state.height, hex: '00'.repeat(80) } };
    if (method === 'server.banner') return { result: 'back' };
    return undefined;
  };
  return { state, handler };
}

const until = <T>(register: (resolve: (v: T) => void) => void) => new Promise<T>(register);

describe('reconnect', () => {
  it('renews subscriptions and emits the status that changed while disconnected', async () => {
    const { state, handler } = world();
    server = await startFakeElectrum(handler);
    client = new ElectrumClient(server.url, { keepAlive: false, reconnect: FAST });
    const events: string[] = [];
    client.on('connect', () => events.push('connect'));
    client.on('disconnect', () => events.push('disconnect'));
    client.on('reconnecting', ({ attempt }) => events.push(`reconnecting ${attempt}`));
    client.on('reconnect', () => events.push('reconnect'));
    const headers: number[] = [];
    client.on('blockchain.headers.subscribe', (h) => headers.push(h.height));
    await client.connect();
    expect(await client.blockchain.scripthash.subscribe(SH)).toBe(status('1'));
    await client.blockchain.headers.subscribe();

    const changed = until<[string, string | null]>((resolve) => client?.on('blockchain.scripthash.subscribe', (sh, st) => resolve([sh, st])));
    const reconnected = until<void>((resolve) => client?.once('reconnect', () => resolve()));
    // The second attempt is announced once the first has failed.
    const refused = until<void>((resolve) => client?.on('reconnecting', ({ attempt, error }) => attempt === 2 && error !== undefined && resolve()));
    await server.pause(); // drops the connection and refuses new ones until resumed
    state.status = status('2');
    await refused; // at least one refused attempt
    await server.resume();
    await reconnected;
    expect(await changed).toEqual([SH, status('2')]);
    expect(headers).toEqual([]); // the tip did not move, so no header event
    expect(events[0]).toBe('connect');
    expect(events).toContain('disconnect');
    expect(events).toContain('reconnecting 2');
    expect(events.at(-1)).toBe('reconnect');
    // The new connection started with server.version, then renewed both subscriptions.
    const last = server.connections.at(-1)?.received.map((m) => m['method']);
    expect(last?.[0]).toBe('server.version');
    expect(last).toEqual(expect.arrayContaining(['blockchain.scripthash.subscribe', 'blockchain.headers.subscribe']));
    expect(client.subscriptionCount).toBe(2);
  });

  it('holds requests made during the outage and sends them once reconnected', async () => {
    const { handler } = world();
    server = await startFakeElectrum(handler);
    client = await ElectrumClient.connect(server.url, { keepAlive: false, reconnect: FAST });
    const disconnected = until<void>((resolve) => client?.once('disconnect', () => resolve()));
    await server.pause();
    await disconnected;
    const banner = client.server.banner();
    expect(client.state).toBe('reconnecting');
    await server.resume();
    await expect(banner).resolves.toBe('back');
  });

  it('gives up after maxAttempts, closes and rejects what waits', async () => {
    const { handler } = world();
    server = await startFakeElectrum(handler);
    client = await ElectrumClient.connect(server.url, { keepAlive: false, reconnect: { ...FAST, maxAttempts: 2 } });
    const closed = until<unknown>((resolve) => client?.on('close', resolve));
    const disconnected = until<void>((resolve) => client?.once('disconnect', () => resolve()));
    await server.pause();
    await disconnected;
    const waiting = client.server.banner();
    waiting.catch(() => undefined); // asserted below, once the client has given up
    expect((await closed) as Error).toMatchObject({ code: 'CONNECT' });
    await expect(waiting).rejects.toBeInstanceOf(ClosedError);
    expect(client.closed).toBe(true);
  });

  it('stops at a server that now speaks another version: that is not a network failure', async () => {
    const { state, handler } = world();
    server = await startFakeElectrum(handler);
    client = await ElectrumClient.connect(server.url, { keepAlive: false, reconnect: FAST, protocolVersion: '1.4' });
    const closed = until<unknown>((resolve) => client?.on('close', resolve));
    state.version = '1.6';
    server.connections[0]?.kill();
    expect(await closed).toMatchObject({ code: 'VERSION_MISMATCH' });
  });

  // The lite client (stratum-sdk/electrum/lite) renews its subscriptions by the same rule.
  it.each([
    ['the client', ElectrumClient],
    ['the lite client', LiteElectrumClient],
  ] as const)('drops a subscription the new server refuses, and says so (%s)', async (_, Client) => {
    const { handler } = world();
    let refuse = false;
    server = await startFakeElectrum((method, params, conn) =>
      refuse && method === 'blockchain.scripthash.subscribe' ? { error: { code: 1, message: 'history too large' } } : handler(method, params, conn),
    );
    const c: ElectrumClient | LiteElectrumClient = await Client.connect(server.url, { keepAlive: false, reconnect: FAST });
    onTestFinished(() => c.close());
    await c.blockchain.scripthash.subscribe(SH);
    const lost = until<[string, readonly unknown[], Error]>((resolve) => c.on('subscription-lost', (m, p, e) => resolve([m, p, e])));
    refuse = true;
    server.connections[0]?.kill();
    const [method, params, error] = await lost;
    expect([method, params]).toEqual(['blockchain.scripthash.subscribe', [SH]]);
    expect(error).toMatchObject({ code: 'SERVER', serverCode: 1 });
    expect(c.subscriptionCount).toBe(0);
  });

  it('close() during the backoff stops for good', async () => {
    const { handler } = world();
    server = await startFakeElectrum(handler);
    client = await ElectrumClient.connect(server.url, { keepAlive: false, reconnect: { initialDelay: 10_000, jitter: 0, maxDelay: 10_000 } });
    const reconnecting = until<void>((resolve) => client?.once('reconnecting', () => resolve()));
    server.connections[0]?.kill();
    await reconnecting;
    client.close();
    expect(client.state).toBe('closed');
    await expect(client.server.banner()).rejects.toBeInstanceOf(ClosedError);
  });

  it('without the option, a dropped connection closes the client', async () => {
    const { handler } = world();
    server = await startFakeElectrum(handler);
    client = await ElectrumClient.connect(server.url, { keepAlive: false });
    const closed = until<unknown>((resolve) => client?.on('close', resolve));
    server.connections[0]?.kill();
    expect(await closed).toBeInstanceOf(ClosedError);
    expect(client.state).toBe('closed');
  });
});
