// The network's batch and iterables are typed as the ElectrumClient's of the default range.
import { describe, expectTypeOf, it } from 'vitest';
import type { BatchItemResult } from '../../src/clients/electrum-types.js';
import type { HeaderNotification, Status } from '../../src/generated/definitions.js';
import type { ElectrumNetwork } from '../../src/network/electrum-network.js';

declare const network: ElectrumNetwork;

describe('ElectrumNetwork types', () => {
  it('types each batch result by its method', async () => {
    const [balance, header] = await network.batch([
      ['blockchain.scripthash.get_balance', ['00']],
      ['blockchain.block.header', [1]],
    ]);
    expectTypeOf(balance).toEqualTypeOf<BatchItemResult<{ confirmed: number; unconfirmed: number }>>();
    expectTypeOf(header).toExtend<BatchItemResult<unknown>>();
    // @ts-expect-error: not a method
    await network.batch([['blockchain.nothing', []]]);
  });

  it('types subscriptions and notifications', async () => {
    const sub = await network.subscribe('blockchain.scripthash.subscribe', ['00']);
    expectTypeOf(sub.initial).toEqualTypeOf<Status>();
    for await (const [sh, status] of sub) {
      expectTypeOf(sh).toEqualTypeOf<string>();
      expectTypeOf(status).toEqualTypeOf<Status>();
    }
    for await (const [tip] of network.notifications('blockchain.headers.subscribe')) expectTypeOf(tip).toExtend<HeaderNotification>();
    // @ts-expect-error: the network keeps only script hash and header subscriptions
    network.notifications('mining.notify');
  });
});
