// Type-level tests of the client's batch, subscribe and notifications: wrong params fail to compile.
import { describe, expectTypeOf, it } from 'vitest';
import type { BatchItemResult, ElectrumClient, ElectrumSubscription, Status } from '../../src/electrum.js';

declare const client: ElectrumClient;
const SH = 'a'.repeat(64);

describe('ElectrumClient.batch', () => {
  it('types each result by its method', async () => {
    const results = await client.batch([
      ['server.banner', []],
      ['blockchain.scripthash.get_balance', [SH]],
    ]);
    expectTypeOf(results[0]).toEqualTypeOf<BatchItemResult<string>>();
    const second = results[1];
    if (second.ok) expectTypeOf(second.value.confirmed).toEqualTypeOf<number>();
    else expectTypeOf(second.error.code).toBeString();
  });

  it('refuses wrong params and unknown methods', () => {
    // @ts-expect-error get_balance takes a script hash
    void client.batch([['blockchain.scripthash.get_balance', [1]]]);
    // @ts-expect-error no such method
    void client.batch([['blockchain.nothing', []]]);
  });
});

describe('ElectrumClient.subscribe', () => {
  it('yields the notification params and keeps the initial value', async () => {
    const sub = await client.subscribe('blockchain.scripthash.subscribe', [SH]);
    expectTypeOf(sub).toEqualTypeOf<ElectrumSubscription<'blockchain.scripthash.subscribe'>>();
    expectTypeOf(sub.initial).toEqualTypeOf<Status>();
    for await (const [scripthash, status] of sub) {
      expectTypeOf(scripthash).toBeString();
      expectTypeOf(status).toEqualTypeOf<Status>();
    }
  });

  it('refuses requests that are not subscriptions, and wrong params', () => {
    // @ts-expect-error server.banner has no notifications
    void client.subscribe('server.banner', []);
    // @ts-expect-error a script hash is a string
    void client.subscribe('blockchain.scripthash.subscribe', [42]);
  });

  it('notifications() is typed by method', () => {
    const it = client.notifications('blockchain.headers.subscribe');
    expectTypeOf(it).toEqualTypeOf<AsyncIterableIterator<Parameters<Parameters<typeof client.on<'blockchain.headers.subscribe'>>[1]>>>();
  });
});

describe('lifecycle events', () => {
  it('are typed', () => {
    client.on('reconnecting', (a) => expectTypeOf(a.attempt).toBeNumber());
    client.on('subscription-lost', (method, params, error) => {
      expectTypeOf(method).toBeString();
      expectTypeOf(params).toEqualTypeOf<readonly unknown[]>();
      expectTypeOf(error.code).toBeString();
    });
    // @ts-expect-error no such event
    client.on('reconnected', () => undefined);
  });
});
