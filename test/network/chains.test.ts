// Servers of another chain are set apart: another genesis (server.features), or a chain without the checkpoint.
import { afterEach, describe, expect, it } from 'vitest';
import { RegtestChain } from '../../src/regtest/chain.js';
import { ElectrumNetwork } from '../../src/network/electrum-network.js';
import { OtherChainError } from '../../src/network/errors.js';
import { MAINNET_GENESIS } from '../../src/network/checkpoints.js';
import { ConnectError, WrongChainError } from '../../src/runtime/errors.js';
import { chainWith, cleanup, networkOptions, PAY_B, startNetwork, startServers } from './helpers.js';

afterEach(cleanup);

describe('ElectrumNetwork and other chains', () => {
  it('sets apart a server whose genesis block is another', async () => {
    const chain = chainWith(3);
    const [mainnet, regtest] = await startServers(chain, [{ genesisHash: MAINNET_GENESIS.hash }, {}]);
    const { network, seen } = await startNetwork(networkOptions([mainnet!.url, regtest!.url], { connections: 2 }));
    expect(network.currentServer).toBe(regtest!.url);
    expect(seen.dropped).toHaveLength(1);
    expect(seen.dropped[0]![0]).toBe(mainnet!.url);
    expect(seen.dropped[0]![1]).toBeInstanceOf(WrongChainError);
    expect(network.connectedServers).toEqual([regtest!.url]);
    expect(network.tip?.height).toBe(3);
  });

  it('sets apart a server whose chain does not hold the checkpoint, even with more work', async () => {
    const ours = chainWith(6);
    const theirs = new RegtestChain();
    for (let i = 0; i < 9; i++) theirs.mine(PAY_B);
    const [other] = await startServers(theirs, [{}]);
    const [good] = await startServers(ours, [{}]);
    const checkpoint = { height: 5, hash: ours.block(5)!.hash }; // no header: fetched, and checked against the hash
    const { network, seen } = await startNetwork(networkOptions([other!.url, good!.url], { connections: 2, checkpoint }));
    expect(network.currentServer).toBe(good!.url);
    expect(seen.dropped.map(([url, e]) => [url, e.constructor.name, e.code])).toEqual([[other!.url, 'OtherChainError', 'WRONG_CHAIN']]);
    expect((seen.dropped[0]![1] as OtherChainError).checkpoint).toEqual(checkpoint);
    expect(network.tip).toMatchObject({ height: 6, hash: ours.tip.hash });
    expect(await network.header(5)).toBe(ours.block(5)!.headerHex);
    expect(await network.header(4)).toBeUndefined(); // below the checkpoint: not kept
  });

  it('fails to connect, naming each server, when none is on the chain', async () => {
    const chain = chainWith(1);
    const servers = await startServers(chain, [{ genesisHash: MAINNET_GENESIS.hash }, { genesisHash: MAINNET_GENESIS.hash }]);
    const network = new ElectrumNetwork(networkOptions(servers.map((s) => s.url)));
    const error = await network.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    for (const s of servers) expect((error as Error).message).toContain(s.url);
    expect(network.state).toBe('closed');
  });
});
