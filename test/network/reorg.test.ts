// Reorganisations: the network follows the most-work chain across servers, walks back to the common ancestor,
// replaces the headers above it and says so with a `reorg` event; wallet data follows the new chain.
import { afterEach, describe, expect, it } from 'vitest';
import { statusOf } from '../../src/regtest/electrum-backend.js';
import type { ElectrumNetwork } from '../../src/network/electrum-network.js';
import type { RegtestChain } from '../../src/regtest/chain.js';
import { chainWith, cleanup, networkOptions, next, PAY_A, PAY_B, SH_A, spend, startNetwork, startServers } from './helpers.js';
import { until } from '../helpers/wait.js';

afterEach(cleanup);

async function sameHeaders(network: ElectrumNetwork, chain: RegtestChain) {
  for (let h = 0; h <= chain.height; h++) expect(await network.header(h), `header ${h}`).toBe(chain.block(h)!.headerHex);
  expect(await network.header(chain.height + 1)).toBeUndefined();
}

describe('ElectrumNetwork reorganisations', () => {
  it('follows a reorganisation of depth 1 (as much work, from the server in use) and of depth 6 (more work)', async () => {
    const chain = chainWith(10);
    const servers = await startServers(chain, [{}, {}]);
    const { network, seen } = await startNetwork(networkOptions(servers.map((s) => s.url), { connections: 2 }));
    await until(() => network.connectedServers.length === 2, 'both servers connected');
    const before = chain.tip;

    const one = next(network, 'reorg');
    const r1 = chain.reorg(1);
    const [event1] = await one;
    expect(event1.depth).toBe(1);
    expect(event1.ancestor).toMatchObject({ height: 9, hash: chain.block(9)!.hash });
    expect(event1.oldTip).toMatchObject({ height: 10, hash: before.hash });
    expect(event1.newTip).toMatchObject({ height: 10, hash: r1.connected[0]!.hash });
    await until(() => seen.headers.at(-1)?.hash === r1.connected[0]!.hash, 'the header event of the new tip');
    await sameHeaders(network, chain);

    const six = next(network, 'reorg');
    const r6 = chain.reorg(6, { blocks: 7 });
    const [event6] = await six;
    expect(event6.depth).toBe(6);
    expect(event6.ancestor).toMatchObject({ height: 4, hash: chain.block(4)!.hash });
    expect(event6.oldTip).toMatchObject({ height: 10, hash: r1.connected[0]!.hash });
    expect(event6.newTip).toMatchObject({ height: 11, hash: r6.connected[6]!.hash });
    await until(() => network.tip?.hash === chain.tip.hash, 'the new tip');
    await sameHeaders(network, chain);
    expect(seen.reorgs.map((r) => r.depth)).toEqual([1, 6]);
    expect(seen.dropped).toEqual([]);
    // Header requests are answered from the verified chain.
    expect(await network.blockchain.block.header(7)).toBe(chain.block(7)!.headerHex);
    expect(await network.blockchain.headers.subscribe()).toEqual({ height: 11, hex: chain.tip.headerHex });
  });

  it('does not follow a branch with less work', async () => {
    const chain = chainWith(10);
    const servers = await startServers(chain, [{}]);
    const { network, seen } = await startNetwork(networkOptions(servers.map((s) => s.url)));
    const tip = chain.tip;
    chain.reorg(3, { blocks: 2 }); // two new blocks for three old ones
    // The server announces the new branch's two tips; the network fetches the branch each time and keeps its own.
    await until(() => (servers[0]!.received.get('blockchain.block.headers') ?? 0) >= 3, 'the branch fetched twice');
    expect(network.tip?.hash).toBe(tip.hash);
    expect(seen.reorgs).toEqual([]);
    chain.mine(PAY_A); // three blocks now: as much work, and from the server in use, so followed
    const [event] = await next(network, 'reorg');
    expect(event).toMatchObject({ depth: 3, oldTip: { height: 10, hash: tip.hash }, newTip: { height: 10, hash: chain.tip.hash } });
    expect(seen.reorgs).toHaveLength(1);
  });

  it('takes back a confirmation when the block holding it is disconnected, and proves it again in the new block', async () => {
    const chain = chainWith(1);
    for (let i = 0; i < 100; i++) chain.mine(PAY_B);
    const coinbase = chain.block(1)!.txids[0]!;
    const txid = chain.acceptTransaction(spend([[coinbase, 0]], [[PAY_B, 49e8], [PAY_A, 0.5e8]]));
    const block = chain.mine(PAY_B);
    const servers = await startServers(chain, [{}, {}]);
    const { network, seen } = await startNetwork(networkOptions(servers.map((s) => s.url), { connections: 2 }));
    expect(await network.blockchain.scripthash.subscribe(SH_A)).toBe(statusOf(chain, SH_A));
    const confirmed = (await network.verifiedHistory(SH_A)).find((e) => e.tx_hash === txid);
    expect(confirmed).toMatchObject({ height: 102, confirmed: true, blockHash: block.hash });

    // The block goes; the spend is back in the mempool.
    const reorged = next(network, 'reorg');
    const status = next(network, 'blockchain.scripthash.subscribe');
    chain.reorg(1);
    await reorged;
    expect(await status).toEqual([SH_A, statusOf(chain, SH_A)]);
    const unconfirmed = (await network.verifiedHistory(SH_A)).find((e) => e.tx_hash === txid);
    expect(unconfirmed).toEqual({ tx_hash: txid, height: 0, fee: 0.5e8, confirmed: false });

    // Mined again in another block: proven against that block, not the cached proof of the old one.
    const header = next(network, 'header', (tip) => tip.height === 103);
    const again = chain.mine(PAY_B);
    await header;
    const reconfirmed = (await network.verifiedHistory(SH_A)).find((e) => e.tx_hash === txid);
    expect(reconfirmed).toMatchObject({ height: 103, confirmed: true, blockHash: again.hash });
    expect(seen.dropped).toEqual([]);
  });
});
