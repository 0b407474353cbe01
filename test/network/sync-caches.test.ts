// The caches a wallet's sync fills (merkle tree nodes proven per block, proofs proven by txid) are shared by every
// server of the network: what a liar sends must never get into them, so that an honest server's true answers are
// still proven after it, and its false ones are never proven because of an earlier true one.
import { afterEach, describe, expect, it } from 'vitest';
import { scriptHash } from '../../src/bitcoin/scripthash.js';
import { LyingServerError } from '../../src/network/errors.js';
import { buildWalletHistory, RegtestChain } from '../../src/regtest/chain.js';
import { ConnectError } from '../../src/runtime/errors.js';
import { until } from '../helpers/wait.js';
import { cleanup, networkOptions, startNetwork, startServers } from './helpers.js';

afterEach(cleanup);

/** A wallet of 12 addresses and 240 transactions, 40 to a block: blocks of many proofs, whose trees share nodes. */
function wallet() {
  const chain = new RegtestChain();
  const scripts = Array.from({ length: 12 }, (_, i) => `0014${(i + 1).toString(16).padStart(40, '0')}`);
  buildWalletHistory(chain, scripts, { transactions: 240, perBlock: 40, chains: 6 });
  return { chain, scripthashes: scripts.map((s) => scriptHash(s)) };
}


/** Every history and transaction of the wallet fetched in batches, each as the honest chain has it; returns the txids. */
async function expectHonestAnswers(network: Awaited<ReturnType<typeof startNetwork>>['network'], chain: ReturnType<typeof wallet>['chain'], scripthashes: readonly string[]): Promise<string[]> {
  const histories = await network.batch(scripthashes.map((sh) => ['blockchain.scripthash.get_history', [sh]] as const));
  expect(histories.map((h) => (h.ok ? h.value.map((e) => [e.tx_hash, e.height]) : h.error))).toEqual(scripthashes.map((sh) => chain.history(sh).map((e) => [e.tx_hash, e.height])));
  const txids = scripthashes.flatMap((sh) => chain.history(sh).map((e) => e.tx_hash));
  const txs = await network.batch(txids.map((t) => ['blockchain.transaction.get', [t]] as const));
  expect(txs.map((t) => (t.ok ? t.value : t.error))).toEqual(txids.map((t) => chain.transaction(t)!.raw));
  return txids;
}
describe('ElectrumNetwork caches shared across servers', () => {
  it('learns nothing from a liar\'s merkle proofs in a batch: the honest server\'s proofs of the same blocks all prove', async () => {
    const { chain, scripthashes } = wallet();
    const [liar, honest] = await startServers(chain, [{ lie: 'merkle' }, {}]);
    const { network, seen } = await startNetwork(networkOptions([liar!.url, honest!.url], { connections: 2, timeout: 10_000 }));
    const histories = await network.batch(scripthashes.map((sh) => ['blockchain.scripthash.get_history', [sh]] as const));
    expect(histories.map((h) => (h.ok ? h.value.map((e) => [e.tx_hash, e.height]) : h.error))).toEqual(scripthashes.map((sh) => chain.history(sh).map((e) => [e.tx_hash, e.height])));
    expect(liar!.told).toBeGreaterThan(0);
    expect(seen.dropped.map(([url, e]) => [url, e instanceof LyingServerError && e.lie])).toEqual([[liar!.url, 'merkle']]);
    // Every entry proven in its block, from the honest answers.
    for (const sh of scripthashes) {
      const entries = await network.verifiedHistory(sh);
      expect(entries.length).toBe(chain.history(sh).length);
      expect(entries.every((e) => e.confirmed && e.blockHash === chain.block(e.height)!.hash)).toBe(true);
    }
  });

  it('still catches a liar after an honest server has proven the same blocks (a known node does not vouch for another hash)', async () => {
    const { chain, scripthashes } = wallet();
    const [honest, liar] = await startServers(chain, [{}, { lie: 'merkle' }]);
    const { network, seen } = await startNetwork(networkOptions([honest!.url, liar!.url], { connections: 1, timeout: 10_000 }));
    // The honest server proves the first half of the wallet, filling the caches with the nodes of every block.
    const half = scripthashes.slice(0, 6);
    for (const h of await network.batch(half.map((sh) => ['blockchain.scripthash.get_history', [sh]] as const))) expect(h.ok).toBe(true);
    // Then it is gone, and the liar's proofs of the other half (same blocks) are checked against those nodes.
    await honest!.close();
    await until(() => network.currentServer === liar!.url);
    // Caught, with no server left to answer instead.
    await expect(network.batch(scripthashes.slice(6).map((sh) => ['blockchain.scripthash.get_history', [sh]] as const))).rejects.toBeInstanceOf(ConnectError);
    expect(liar!.told).toBeGreaterThan(0);
    expect(seen.dropped.some(([url, e]) => url === liar!.url && e instanceof LyingServerError && e.lie === 'merkle')).toBe(true);
  });

  it.each(['transaction', 'history', 'status'] as const)('catches a lie about %s in a batch (the answers checked at once) and takes every answer from the honest server', async (lie) => {
    const { chain, scripthashes } = wallet();
    const [liar, honest] = await startServers(chain, [{ lie }, {}]);
    const { network, seen } = await startNetwork(networkOptions([liar!.url, honest!.url], { connections: 1, timeout: 10_000 }));
    // A status to hold the histories against, when the lie is about it (subscribing goes outside the batch).
    if (lie === 'status') await network.batch(scripthashes.map((sh) => ['blockchain.scripthash.subscribe', [sh]] as const));
    await expectHonestAnswers(network, chain, scripthashes);
    expect(liar!.told).toBeGreaterThan(0);
    expect(seen.dropped.map(([url, e]) => [url, e instanceof LyingServerError && e.lie])).toEqual([[liar!.url, lie]]);
    expect(network.currentServer).toBe(honest!.url);
  });

  it.each(['merkle', 'transaction'] as const)('catches a lie about %s with more batches than the window holds on the wire, then answers all from the honest server', async (lie) => {
    const { chain, scripthashes } = wallet();
    const [liar, honest] = await startServers(chain, [{ lie }, {}]);
    // 240 proofs and 240 transactions in batches of 7: 35 of each, queued behind the window's 8.
    const { network, seen } = await startNetwork(networkOptions([liar!.url, honest!.url], { connections: 1, timeout: 10_000, maxBatch: 7 }));
    const txids = await expectHonestAnswers(network, chain, scripthashes);
    expect(liar!.told).toBeGreaterThan(0);
    expect(seen.dropped.map(([url, e]) => [url, e instanceof LyingServerError && e.lie])).toEqual([[liar!.url, lie]]);
    expect(network.currentServer).toBe(honest!.url);
    // Every entry proven in its block, and the window free again: another round goes through.
    for (const sh of scripthashes) expect((await network.verifiedHistory(sh)).every((e) => e.confirmed && e.blockHash === chain.block(e.height)!.hash)).toBe(true);
    expect((await network.batch(txids.slice(0, 30).map((t) => ['blockchain.transaction.get', [t]] as const))).every((t) => t.ok)).toBe(true);
  });
});
