// Compile-time guarantees of the generated Electrum types: wrong params do not compile, results are
// the precise shapes the spec declares (never any or unknown), and param-selected shapes narrow.
import { describe, expectTypeOf, it } from 'vitest';
import type {
  BlockchainBlockHeadersResult,
  BlockchainScripthashSubscribeNotification,
  BlockchainTransactionGetResultRaw,
  BlockchainTransactionGetResultVerbose,
  ElectrumClientApi,
  ElectrumMethods,
  ElectrumResultVariants,
  ElectrumServerHandlers,
  ElectrumServerNotifications,
  Status,
} from '../../src/electrum.js';

declare const client: ElectrumClientApi;
const txid = '36a3692a41a8ac60b73f7f41ee23f5c917413e5b2fad9e44b34865bd0d601a3d';

describe('client wrappers', () => {
  it('type the result by the params that select it', () => {
    expectTypeOf(client.blockchain.transaction.get(txid)).resolves.toEqualTypeOf<BlockchainTransactionGetResultRaw>();
    expectTypeOf(client.blockchain.transaction.get(txid, false)).resolves.toEqualTypeOf<BlockchainTransactionGetResultRaw>();
    expectTypeOf(client.blockchain.transaction.get(txid, true)).resolves.toEqualTypeOf<BlockchainTransactionGetResultVerbose>();
    expectTypeOf(client.blockchain.transaction.get(txid, true)).resolves.toHaveProperty('txid').toEqualTypeOf<string>();
    const verbose = Math.random() > 0.5;
    expectTypeOf(client.blockchain.transaction.get(txid, verbose)).resolves.toEqualTypeOf<
      BlockchainTransactionGetResultRaw | BlockchainTransactionGetResultVerbose
    >();
  });

  it('keep version-dependent shapes apart', () => {
    expectTypeOf(client.blockchain.block.headers(0, 10)).resolves.toEqualTypeOf<BlockchainBlockHeadersResult>();
    type Shapes = ElectrumResultVariants['blockchain.block.headers'];
    expectTypeOf<Shapes['concatenated']['hex']>().toEqualTypeOf<string>();
    expectTypeOf<Shapes['list']['headers']>().toEqualTypeOf<string[]>();
    expectTypeOf<Shapes['list']['root']>().toEqualTypeOf<string | undefined>();
  });

  it('type nullable results precisely', () => {
    expectTypeOf(client.blockchain.scripthash.subscribe(txid)).resolves.toEqualTypeOf<string | null>();
    expectTypeOf<Status>().not.toBeAny();
    expectTypeOf<Status>().not.toBeUnknown();
  });

  it('refuse wrong params at compile time', () => {
    // @ts-expect-error a txid is a string
    void client.blockchain.transaction.get(12);
    // @ts-expect-error verbose is a boolean
    void client.blockchain.transaction.get(txid, 'yes');
    // @ts-expect-error too many params
    void client.blockchain.transaction.get(txid, true, 3);
    // @ts-expect-error count is required
    void client.blockchain.block.headers(0);
    // @ts-expect-error a script hash is required
    void client.blockchain.scripthash.subscribe();
    // @ts-expect-error no such method
    void client.blockchain.scripthash.getEverything(txid);
  });
});

describe('maps by wire name', () => {
  it('give params and results of each method', () => {
    expectTypeOf<ElectrumMethods['blockchain.transaction.get']['params']>().toEqualTypeOf<[tx_hash: string, verbose?: boolean]>();
    expectTypeOf<ElectrumMethods['blockchain.scripthash.subscribe']['result']>().toEqualTypeOf<string | null>();
    expectTypeOf<ElectrumServerNotifications['blockchain.scripthash.subscribe']>().toEqualTypeOf<BlockchainScripthashSubscribeNotification>();
    expectTypeOf<BlockchainScripthashSubscribeNotification>().toEqualTypeOf<[scripthash: string, status: string | null]>();
  });

  it('give every result a type that is neither any nor unknown', () => {
    type Results = { [M in keyof ElectrumMethods]: ElectrumMethods[M]['result'] };
    expectTypeOf<Results[keyof Results]>().not.toBeAny();
    expectTypeOf<Results['blockchain.block.headers']>().not.toBeUnknown();
  });
});

describe('server handlers', () => {
  it('receive typed params and must return the declared result', () => {
    const handlers: ElectrumServerHandlers<{ peer: string }> = {
      'blockchain.scripthash.subscribe': ([scripthash], context) => {
        expectTypeOf(scripthash).toEqualTypeOf<string>();
        expectTypeOf(context.peer).toEqualTypeOf<string>();
        return null;
      },
      'blockchain.transaction.get': async ([hash, verbose]) => {
        expectTypeOf(verbose).toEqualTypeOf<boolean | undefined>();
        return hash;
      },
    };
    void handlers;
    const wrong: ElectrumServerHandlers = {
      // @ts-expect-error a status is a string or null, not a number
      'blockchain.scripthash.subscribe': () => 42,
    };
    void wrong;
  });
});

import type { ElectrumClient } from '../../src/electrum.js';
declare const connected: ElectrumClient;

describe('the generic request', () => {
  it('is typed from the method name', () => {
    expectTypeOf(connected.request('blockchain.scripthash.get_balance', [txid])).resolves.toHaveProperty('unconfirmed').toEqualTypeOf<number>();
    expectTypeOf(connected.request('server.banner', [])).resolves.toEqualTypeOf<string>();
    // @ts-expect-error params must match the method
    void connected.request('blockchain.scripthash.get_balance', [1]);
    // @ts-expect-error not a client request
    void connected.request('mining.notify', []);
    // @ts-expect-error no such method
    void connected.request('blockchain.nothing', []);
  });

  it('types notification listeners from the wire name', () => {
    connected.on('blockchain.headers.subscribe', (header) => {
      expectTypeOf(header).not.toBeAny();
    });
    // @ts-expect-error a script hash notification has two params, both strings (status may be null)
    connected.on('blockchain.scripthash.subscribe', (scripthash: number) => void scripthash);
  });
});
