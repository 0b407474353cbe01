// Type-level tests of the lite client: typed as the ElectrumClient of its version range, without the members
// it has not (batch, subscribe, notifications, params by name).
import { describe, expectTypeOf, it } from 'vitest';
import type { Status } from '../../src/electrum.js';
import { ElectrumClient, type ElectrumClientOptions } from '../../src/electrum/lite.js';

const SH = 'a'.repeat(64);

describe('the lite ElectrumClient', () => {
  it('types wrappers, requests and events by the version range', async () => {
    const client = await ElectrumClient.connect('wss://example.org:50004');
    expectTypeOf(await client.blockchain.scripthash.subscribe(SH)).toEqualTypeOf<Status>();
    expectTypeOf(await client.request('blockchain.scripthash.get_balance', [SH])).toHaveProperty('confirmed');
    client.on('blockchain.scripthash.subscribe', (sh, status) => {
      expectTypeOf(sh).toBeString();
      expectTypeOf(status).toEqualTypeOf<Status>();
    });
    // @ts-expect-error get_balance takes a script hash
    void client.request('blockchain.scripthash.get_balance', [1]);
    // @ts-expect-error no such method
    void client.request('blockchain.nothing', []);
    // @ts-expect-error params by name are not sent by the lite client
    void client.request('blockchain.block.header', { height: 1 });
  });

  it('narrows to the range it was given', async () => {
    const old = await ElectrumClient.connect('tcp://example.org:50001', { protocolVersion: '1.4' });
    // @ts-expect-error blockchain.scriptpubkey.subscribe is not part of 1.4
    void old.blockchain.scriptpubkey.subscribe('00');
    const wide = new ElectrumClient('tcp://example.org:50001', { protocolVersion: ['1.4', '1.6'] });
    expectTypeOf(wide.supports).toBeFunction();
  });

  it('has not the members nor the options of the checking client', () => {
    const client = new ElectrumClient('wss://example.org:50004');
    // @ts-expect-error no batches
    void client.batch;
    // @ts-expect-error no iterators
    void client.subscribe;
    // @ts-expect-error no checks to turn off
    const options: ElectrumClientOptions = { validate: false };
    void options;
  });
});
