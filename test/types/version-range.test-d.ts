// The client's types follow the protocol versions it speaks: `protocolVersion` given as literals (or the
// default ['1.4', '1.6']) types its wrappers, `request`, `batch`, `subscribe`, events and iterators for those
// versions only. A result is the union of the shapes possible in the range, a method no version of the
// range has cannot be called, a param no version of the range knows cannot be given; a wider range gets
// the honest union, and `supports(version)` narrows it. A range known only at run time gets every shape.
import { describe, expectTypeOf, it } from 'vitest';
import {
  ElectrumClient,
  type BatchItemResult,
  type BlockchainBlockHeadersResultConcatenated,
  type BlockchainBlockHeadersResultList,
  type BlockchainHeadersSubscribeResultDeserialized,
  type BlockchainHeadersSubscribeResultRaw,
  type ElectrumDefaultVersions,
  type ElectrumNamedVersion,
  type ElectrumVersionsIn,
  type HeaderNotification,
  type MempoolGetInfoResult,
  type OutpointStatus,
  type Status,
} from '../../src/electrum.js';

const url = 'tcp://127.0.0.1:50001';

/** Whether two types are the same (a client is too deep for expectTypeOf's own comparison). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const SH = 'a'.repeat(64);
const TXID = 'b'.repeat(64);

describe('the versions a range spans', () => {
  it('are the named versions inside it, and the last one at or before its start', () => {
    expectTypeOf<ElectrumVersionsIn<readonly ['1.4', '1.6']>>().toEqualTypeOf<'1.4' | '1.4.2' | '1.4.3' | '1.6'>();
    expectTypeOf<ElectrumDefaultVersions>().toEqualTypeOf<'1.4' | '1.4.2' | '1.4.3' | '1.6'>();
    expectTypeOf<ElectrumVersionsIn<'1.4'>>().toEqualTypeOf<'1.4'>();
    // Not named: 1.5 behaves as 1.4.3, the last change before it; 1.6.0 is 1.6.
    expectTypeOf<ElectrumVersionsIn<'1.5'>>().toEqualTypeOf<'1.4.3'>();
    expectTypeOf<ElectrumVersionsIn<readonly ['1.4.1', '1.6.0']>>().toEqualTypeOf<'1.4' | '1.4.2' | '1.4.3' | '1.6'>();
    expectTypeOf<ElectrumVersionsIn<string>>().toEqualTypeOf<ElectrumNamedVersion>();
  });
});

describe('the default range, 1.4 to 1.6', () => {
  it('is what connect() and the constructor give without a protocolVersion, and what ElectrumClient means', async () => {
    const client = await ElectrumClient.connect(url);
    expectTypeOf<Same<typeof client, ElectrumClient<ElectrumDefaultVersions>>>().toEqualTypeOf<true>();
    expectTypeOf<Same<typeof client, ElectrumClient>>().toEqualTypeOf<true>();
    const built = new ElectrumClient(url, { clientName: 'x' });
    expectTypeOf<Same<typeof built, ElectrumClient>>().toEqualTypeOf<true>();
    const explicit = await ElectrumClient.connect(url, { protocolVersion: ['1.4', '1.6'] });
    expectTypeOf<Same<typeof explicit, ElectrumClient>>().toEqualTypeOf<true>();
  });

  it('types the tip as {height, hex}: `.height` compiles, in the wrapper, request, subscribe and events alike', async () => {
    const client = await ElectrumClient.connect(url);
    const tip = await client.blockchain.headers.subscribe();
    expectTypeOf(tip).toEqualTypeOf<BlockchainHeadersSubscribeResultRaw>();
    expectTypeOf(tip.height).toBeNumber();
    expectTypeOf((await client.request('blockchain.headers.subscribe', [])).hex).toBeString();
    const sub = await client.subscribe('blockchain.headers.subscribe', []);
    expectTypeOf(sub.initial).toEqualTypeOf<HeaderNotification>();
    for await (const [header] of sub) expectTypeOf(header.height).toBeNumber();
    for await (const [header] of client.notifications('blockchain.headers.subscribe')) expectTypeOf(header.hex).toBeString();
    client.on('blockchain.headers.subscribe', (header) => expectTypeOf(header.height).toBeNumber());
    client.once('blockchain.headers.subscribe', (header) => expectTypeOf(header).toEqualTypeOf<HeaderNotification>());
  });

  it('gives a result whose shape changed inside the range as the union of both', async () => {
    const client = await ElectrumClient.connect(url);
    expectTypeOf(client.blockchain.block.headers(0, 10)).resolves.toEqualTypeOf<BlockchainBlockHeadersResultConcatenated | BlockchainBlockHeadersResultList>();
  });

  it('refuses a removed method, a 1.7 method and a param no version of the range has', async () => {
    const client = await ElectrumClient.connect(url);
    // @ts-expect-error removed in 1.3
    void client.blockchain.address.getBalance('1BoatSLRHtKNngkdXEeobR76b53LETtpyT');
    // @ts-expect-error removed in 1.3
    void client.request('blockchain.address.get_balance', ['1BoatSLRHtKNngkdXEeobR76b53LETtpyT']);
    // @ts-expect-error removed in 1.4
    void client.blockchain.block.getChunk(0);
    // @ts-expect-error new in 1.7
    void client.blockchain.scriptpubkey.getBalance('0014' + '11'.repeat(20));
    // @ts-expect-error new in 1.7
    void client.request('blockchain.outpoint.subscribe', [TXID, 0, '0014' + '11'.repeat(20)]);
    // @ts-expect-error new in 1.7
    void client.subscribe('blockchain.outpoint.subscribe', [TXID, 0, '0014' + '11'.repeat(20)]);
    // @ts-expect-error notified from 1.7 only
    client.on('blockchain.outpoint.subscribe', () => undefined);
    // @ts-expect-error notified from 1.7 only
    void client.notifications('blockchain.outpoint.subscribe');
    // @ts-expect-error `raw` existed in 1.2 and 1.3 only
    void client.blockchain.headers.subscribe(true);
    // @ts-expect-error server.ping's pong_len is a 1.7 param
    void client.server.ping(10);
    // @ts-expect-error a 1.7 method in a batch
    void client.batch([['blockchain.outpoint.get_status', [TXID, 0, '00']]]);
    // Within the range: fine.
    void client.server.ping();
    void client.blockchain.estimatefee(2, 'CONSERVATIVE');
    void client.blockchain.scripthash.unsubscribe(SH);
  });

  it('types a batch by the range', async () => {
    const client = await ElectrumClient.connect(url);
    const [tip, balance] = await client.batch([
      ['blockchain.headers.subscribe', []],
      ['blockchain.scripthash.get_balance', [SH]],
    ]);
    expectTypeOf(tip).toEqualTypeOf<BatchItemResult<HeaderNotification>>();
    if (balance.ok) expectTypeOf(balance.value.confirmed).toBeNumber();
  });
});

describe('one version', () => {
  it('1.4 only: the 1.4 shapes and params, nothing from 1.6', async () => {
    const client = await ElectrumClient.connect(url, { protocolVersion: '1.4' });
    expectTypeOf<Same<typeof client, ElectrumClient<'1.4'>>>().toEqualTypeOf<true>();
    expectTypeOf(client.blockchain.block.headers(0, 10)).resolves.toEqualTypeOf<BlockchainBlockHeadersResultConcatenated>();
    expectTypeOf(client.blockchain.headers.subscribe()).resolves.toEqualTypeOf<HeaderNotification>();
    // @ts-expect-error mempool.get_info is new in 1.6
    void client.mempool.getInfo();
    // @ts-expect-error estimatefee's mode is a 1.6 param
    void client.blockchain.estimatefee(2, 'CONSERVATIVE');
    // @ts-expect-error blockchain.scripthash.unsubscribe is new in 1.4.2
    void client.blockchain.scripthash.unsubscribe(SH);
    void client.blockchain.relayfee();
  });

  it('1.6 only: the 1.6 shapes, and the methods 1.6 removed are gone', async () => {
    const client = new ElectrumClient(url, { protocolVersion: '1.6' });
    expectTypeOf<Same<typeof client, ElectrumClient<'1.6'>>>().toEqualTypeOf<true>();
    expectTypeOf(client.blockchain.block.headers(0, 10)).resolves.toEqualTypeOf<BlockchainBlockHeadersResultList>();
    expectTypeOf(client.mempool.getInfo()).resolves.toEqualTypeOf<MempoolGetInfoResult>();
    void client.blockchain.estimatefee(2, 'CONSERVATIVE');
    // @ts-expect-error blockchain.relayfee was removed in 1.6
    void client.blockchain.relayfee();
    // @ts-expect-error removed in 1.6
    void client.request('blockchain.relayfee', []);
  });

  it('1.4 to 1.7 reaches the 1.7 methods, events and params', async () => {
    const client = await ElectrumClient.connect(url, { protocolVersion: ['1.4', '1.7'] });
    expectTypeOf(client.blockchain.outpoint.subscribe(TXID, 0, '00')).resolves.toEqualTypeOf<OutpointStatus>();
    client.on('blockchain.outpoint.subscribe', (txHash, index, status) => {
      expectTypeOf(txHash).toBeString();
      expectTypeOf(index).toBeNumber();
      expectTypeOf(status).toEqualTypeOf<OutpointStatus>();
    });
    void client.server.ping(10, 'x');
  });
});

describe('a wider range, 1.2 to 1.6', () => {
  it('gets the honest union, and the params of its older versions', async () => {
    const client = await ElectrumClient.connect(url, { protocolVersion: ['1.2', '1.6'] });
    expectTypeOf<Same<typeof client, ElectrumClient<'1.2' | '1.3' | '1.4' | '1.4.2' | '1.4.3' | '1.6'>>>().toEqualTypeOf<true>();
    const tip = await client.blockchain.headers.subscribe(true);
    expectTypeOf(tip).toEqualTypeOf<BlockchainHeadersSubscribeResultDeserialized | BlockchainHeadersSubscribeResultRaw>();
    // @ts-expect-error a deserialized header (before 1.4) has block_height, not height
    void tip.height;
    client.on('blockchain.headers.subscribe', (header) => {
      // @ts-expect-error the same in notifications
      void header.height;
    });
    void client.blockchain.block.getChunk(0);
  });

  it('narrows to the versions from 1.4 where supports("1.4") holds', async () => {
    const client = await ElectrumClient.connect(url, { protocolVersion: ['1.2', '1.6'] });
    if (client.supports('1.4')) {
      expectTypeOf<Same<typeof client, ElectrumClient<'1.4' | '1.4.2' | '1.4.3' | '1.6'>>>().toEqualTypeOf<true>();
      expectTypeOf((await client.blockchain.headers.subscribe()).height).toBeNumber();
      client.on('blockchain.headers.subscribe', (header) => expectTypeOf(header.height).toBeNumber());
      // @ts-expect-error get_chunk was removed in 1.4
      void client.blockchain.block.getChunk(0);
    }
  });

  it('narrows for the rest of a scope after a guard', async () => {
    const client = await ElectrumClient.connect(url, { protocolVersion: ['1.2', '1.6'] });
    if (!client.supports('1.6')) throw new Error('needs protocol 1.6');
    expectTypeOf<Same<typeof client, ElectrumClient<'1.6'>>>().toEqualTypeOf<true>();
    expectTypeOf(client.blockchain.block.headers(0, 1)).resolves.toEqualTypeOf<BlockchainBlockHeadersResultList>();
    expectTypeOf(client.mempool.getInfo()).resolves.toEqualTypeOf<MempoolGetInfoResult>();
  });
});

describe('assigning clients', () => {
  it('a client of a narrower range is a client of a wider one, not the other way', async () => {
    const only14 = await ElectrumClient.connect(url, { protocolVersion: '1.4' });
    const wide = await ElectrumClient.connect(url, { protocolVersion: ['1.2', '1.6'] });
    const asDefault: ElectrumClient = only14;
    const anyRange: ElectrumClient<string> = wide;
    // @ts-expect-error a 1.2 server's deserialized header is not a {height, hex}
    const narrowed: ElectrumClient = wide;
    void [asDefault, anyRange, narrowed];
  });

  it('a range known only at run time gets every shape, and goes where any client goes', async () => {
    const range = process.env['RANGE'] ?? '1.4';
    const client = await ElectrumClient.connect(url, { protocolVersion: range });
    expectTypeOf(client.blockchain.headers.subscribe()).resolves.toEqualTypeOf<BlockchainHeadersSubscribeResultDeserialized | BlockchainHeadersSubscribeResultRaw>();
    void client.blockchain.address.getBalance('1BoatSLRHtKNngkdXEeobR76b53LETtpyT');
    const kept: ElectrumClient = client;
    void kept;
  });
});

describe('params by name', () => {
  it('are typed from the spec names of the range', async () => {
    const client = await ElectrumClient.connect(url);
    expectTypeOf(client.request('blockchain.block.header', { height: 1, cp_height: 121 })).resolves.toEqualTypeOf<
      Awaited<ReturnType<typeof client.blockchain.block.header>>
    >();
    void client.request('blockchain.scripthash.get_balance', { scripthash: SH });
    void client.request('server.banner', {});
    // @ts-expect-error no param is called cp
    void client.request('blockchain.block.header', { height: 1, cp: 121 });
    // @ts-expect-error height is required
    void client.request('blockchain.block.header', { cp_height: 121 });
    // @ts-expect-error a height is a number
    void client.request('blockchain.block.header', { height: '1' });
    // @ts-expect-error server.banner takes none
    void client.request('server.banner', { x: 1 });
    const status: Promise<Status> = client.request('blockchain.scripthash.subscribe', { scripthash: SH });
    void status;
  });
});

describe('a server typed by the versions it serves', () => {
  it('must answer with the shapes of those versions, and handles no method they lack', async () => {
    const { createElectrumServer } = await import('../../src/servers/electrum-server.js');
    const tip: HeaderNotification = { height: 1, hex: '00'.repeat(80) };
    const deserialized: BlockchainHeadersSubscribeResultDeserialized = {
      block_height: 1,
      version: 1,
      prev_block_hash: '00'.repeat(32),
      merkle_root: '00'.repeat(32),
      timestamp: 0,
      bits: 0,
      nonce: 0,
    };
    void createElectrumServer({
      protocolVersion: ['1.4', '1.6'],
      context: () => ({ seen: 0 }),
      handlers: {
        'blockchain.headers.subscribe': (_params, session) => {
          expectTypeOf(session.context.seen).toBeNumber();
          return tip;
        },
        'blockchain.block.headers': ([start, count]) => ({ count, hex: '', max: 2016, ...(start < 0 ? {} : {}) }),
        'mempool.get_info': () => ({ mempoolminfee: 0, minrelaytxfee: 0, incrementalrelayfee: 0 }),
      },
    });
    void createElectrumServer({
      protocolVersion: '1.4',
      handlers: {
        // @ts-expect-error a 1.4 server answers {height, hex}, never a deserialized header
        'blockchain.headers.subscribe': () => deserialized,
        // @ts-expect-error mempool.get_info is new in 1.6: a 1.4 server has no such method
        'mempool.get_info': () => ({ mempoolminfee: 0, minrelaytxfee: 0, incrementalrelayfee: 0 }),
      },
    });
    // Serving 1.2 to 1.3, the deserialized header is right.
    void createElectrumServer({ protocolVersion: ['1.2', '1.3'], handlers: { 'blockchain.headers.subscribe': () => deserialized } });
    // Without the option (or with a range known only at run time), every version's shapes are accepted.
    void createElectrumServer({ handlers: { 'blockchain.headers.subscribe': () => deserialized } });
  });
});
