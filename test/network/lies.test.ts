// Each lie a server can tell is caught: the liar is dropped with a LyingServerError naming the lie, and the request
// is answered by an honest server. One connection at a time, the liar first, so the liar is the one asked.
import { afterEach, describe, expect, it } from 'vitest';
import { LyingServerError } from '../../src/network/errors.js';
import { ConnectError } from '../../src/runtime/errors.js';
import { statusOf } from '../../src/regtest/electrum-backend.js';
import type { Lie } from '../../src/regtest/lying-server.js';
import type { ElectrumNetwork } from '../../src/network/electrum-network.js';
import type { RegtestChain } from '../../src/regtest/chain.js';
import { until } from '../helpers/wait.js';
import { chainWith, cleanup, networkOptions, next, PAY_A, SH_A, startNetwork, startServers } from './helpers.js';

afterEach(cleanup);

/** What to ask, and what the honest answer is. */
const cases: Record<Lie, (network: ElectrumNetwork, chain: RegtestChain) => Promise<void>> = {
  header: async (network, chain) => {
    expect(network.tip).toMatchObject({ height: chain.height, hash: chain.tip.hash });
    expect(await network.blockchain.block.header(2)).toBe(chain.block(2)!.headerHex);
  },
  merkle: async (network, chain) => {
    const txid = chain.block(2)!.txids[0]!;
    const proof = await network.blockchain.transaction.getMerkle(txid, 2);
    expect(proof).toMatchObject({ block_height: 2, pos: 0 });
  },
  transaction: async (network, chain) => {
    const txid = chain.block(2)!.txids[0]!;
    expect(await network.blockchain.transaction.get(txid)).toBe(chain.transaction(txid)!.raw);
  },
  status: async (network, chain) => {
    expect(await network.blockchain.scripthash.subscribe(SH_A)).toBe(statusOf(chain, SH_A));
  },
  history: async (network, chain) => {
    const entries = await network.verifiedHistory(SH_A);
    expect(entries.map((e) => [e.tx_hash, e.height, e.confirmed])).toEqual(chain.history(SH_A).map((e) => [e.tx_hash, e.height, true]));
  },
  balance: async (network, chain) => {
    expect(await network.blockchain.scripthash.getBalance(SH_A)).toEqual(chain.balance(SH_A));
  },
  unspent: async (network, chain) => {
    const unspent = await network.blockchain.scripthash.listunspent(SH_A);
    expect(unspent.map((u) => u.value)).toEqual(chain.unspent(SH_A).map((o) => o.value));
  },
};

describe('ElectrumNetwork and lying servers', () => {
  it.each(Object.keys(cases) as Lie[])('catches a lie about %s, drops the liar and answers from an honest server', async (lie) => {
    const chain = chainWith(4);
    const [liar, honest] = await startServers(chain, [{ lie }, {}]);
    const { network, seen } = await startNetwork(networkOptions([liar!.url, honest!.url], { connections: 1 }));
    await cases[lie](network, chain);
    expect(liar!.told).toBeGreaterThan(0);
    expect(seen.dropped).toHaveLength(1);
    const [url, error] = seen.dropped[0]!;
    expect(url).toBe(liar!.url);
    expect(error).toBeInstanceOf(LyingServerError);
    expect(error).toMatchObject({ code: 'LIE', lie, url: liar!.url });
    expect(network.currentServer).toBe(honest!.url);
  });

  it('catches lies told later, in notifications: a made-up status, then a header without its proof of work', async () => {
    const chain = chainWith(4);
    const [liar, honest, spare] = await startServers(chain, [{}, {}, {}]);
    const { network, seen } = await startNetwork(networkOptions([liar!.url, honest!.url, spare!.url], { connections: 1 }));
    expect(network.currentServer).toBe(liar!.url);
    await network.blockchain.scripthash.subscribe(SH_A);
    liar!.lies.add('status');
    const moved = next(network, 'server');
    const changed = next(network, 'blockchain.scripthash.subscribe');
    chain.mine(PAY_A);
    expect(await moved).toEqual([honest!.url]);
    expect(await changed).toEqual([SH_A, statusOf(chain, SH_A)]);
    expect(seen.dropped.map(([url, e]) => [url, (e as LyingServerError).lie])).toEqual([[liar!.url, 'status']]);

    honest!.lies.add('header');
    const movedAgain = next(network, 'server');
    chain.mine(PAY_A);
    expect(await movedAgain).toEqual([spare!.url]);
    expect(seen.dropped.map(([url, e]) => [url, (e as LyingServerError).lie])).toEqual([
      [liar!.url, 'status'],
      [honest!.url, 'header'],
    ]);
    await until(() => network.tip?.hash === chain.tip.hash && seen.statuses.length === 2, 'the tip and the status from the spare');
    expect(seen.statuses).toEqual([
      [SH_A, seen.statuses[0]![1]],
      [SH_A, statusOf(chain, SH_A)],
    ]);
  });

  it('checks a batch\'s transactions asked by txids in capitals as in lower case: the honest one taken, the lie caught', async () => {
    const chain = chainWith(4);
    const txid = chain.block(2)!.txids[0]!;
    const [honestOnly] = await startServers(chain, [{}]);
    const { network: good, seen: goodSeen } = await startNetwork(networkOptions([honestOnly!.url], { connections: 1 }));
    const [answer] = await good.batch([['blockchain.transaction.get', [txid.toUpperCase()]]]);
    expect(answer).toEqual({ ok: true, value: chain.transaction(txid)!.raw });
    expect(goodSeen.dropped).toHaveLength(0);
    const [liar, honest] = await startServers(chain, [{ lie: 'transaction' }, {}]);
    const { network, seen } = await startNetwork(networkOptions([liar!.url, honest!.url], { connections: 1 }));
    const [told] = await network.batch([['blockchain.transaction.get', [txid.toUpperCase()]]]);
    expect(liar!.told).toBeGreaterThan(0);
    expect(told).toEqual({ ok: true, value: chain.transaction(txid)!.raw });
    expect(seen.dropped.map(([url, e]) => [url, (e as LyingServerError).code, (e as LyingServerError).lie])).toEqual([[liar!.url, 'LIE', 'transaction']]);
  });

  it('never reports a transaction confirmed that no verified header holds', async () => {
    const chain = chainWith(4);
    // Both lie about history: the made-up confirmed entry cannot be proven on either.
    const servers = await startServers(chain, [{ lie: 'history' }, { lie: 'history' }]);
    const { network, seen } = await startNetwork(networkOptions(servers.map((s) => s.url), { connections: 2 }));
    const error = await network.verifiedHistory(SH_A).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError); // a lie on each, then no server left
    expect(seen.dropped.map(([, e]) => (e as LyingServerError).lie)).toEqual(['history', 'history']);
  });

  it('with verify off passes answers through, but verifiedHistory still proves', async () => {
    const chain = chainWith(4);
    const [liar] = await startServers(chain, [{ lie: ['balance', 'merkle'] }]);
    const { network, seen } = await startNetwork(networkOptions([liar!.url], { verify: false }));
    expect((await network.blockchain.scripthash.getBalance(SH_A)).confirmed).toBe(chain.balance(SH_A).confirmed + 100_000_000);
    expect(seen.dropped).toEqual([]);
    // The liar was the only server: the request fails with no server left, its lie as the cause.
    const error = (await network.verifiedHistory(SH_A).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.cause).toBeInstanceOf(LyingServerError);
    expect(error.cause).toMatchObject({ lie: 'merkle' });
    expect(seen.dropped.map(([url]) => url)).toEqual([liar!.url]);
  });
});
