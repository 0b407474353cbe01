// A reorganisation of the regtest chain reaches Electrum subscribers: the new tip to headers subscribers and the
// recomputed status to script hash subscribers, through notifyChainEvents and through the world's own wiring.
import { afterEach, describe, expect, it } from 'vitest';
import { ElectrumClient } from '../../src/clients/electrum-client.js';
import { ElectrumNetwork } from '../../src/network/electrum-network.js';
import { RegtestChain } from '../../src/regtest/chain.js';
import { electrumBackend, notifyChainEvents, statusOf } from '../../src/regtest/electrum-backend.js';
import { startWorld, type World } from '../../src/regtest/world.js';
import { createElectrumServer, type ElectrumServer, type ElectrumSession } from '../../src/servers/electrum-server.js';
import { until } from '../helpers/wait.js';
import { networkOptions, next, PAY_A, PAY_B, SH_A } from './helpers.js';

let server: ElectrumServer<undefined> | undefined;
let client: ElectrumClient | undefined;
let world: World | undefined;
let network: ElectrumNetwork | undefined;
afterEach(async () => {
  await network?.close();
  await client?.close();
  await server?.close();
  await world?.close();
  network = client = server = world = undefined;
});

describe('reorganisations reach Electrum subscribers', () => {
  it('notifyChainEvents: the new tip, then the recomputed status', async () => {
    const chain = new RegtestChain();
    for (let i = 0; i < 5; i++) chain.mine(PAY_A);
    server = await createElectrumServer({ handlers: electrumBackend<ElectrumSession<undefined>>(chain), listen: { tcp: { port: 0 } } });
    const unwire = notifyChainEvents(chain, server);
    client = await ElectrumClient.connect(server.url('tcp') as string, { keepAlive: false });
    const tips: number[] = [];
    const statuses: (string | null)[] = [];
    client.on('blockchain.headers.subscribe', (h) => tips.push('height' in h ? h.height : -1));
    client.on('blockchain.scripthash.subscribe', (_sh, status) => statuses.push(status));
    await client.blockchain.headers.subscribe();
    await client.blockchain.scripthash.subscribe(SH_A);
    chain.reorg(2, { blocks: 3, payoutScript: PAY_B });
    await until(() => tips.at(-1) === 6 && statuses.length === 1, 'the new tip and status');
    expect(tips).toEqual([4, 5, 6]); // each new block in turn
    expect(statuses).toEqual([statusOf(chain, SH_A)]);
    expect(await client.blockchain.scripthash.getHistory(SH_A)).toHaveLength(3);
    unwire();
  });

  it('the regtest world: an ElectrumNetwork on it follows chain.reorg', async () => {
    world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
    for (let i = 0; i < 8; i++) world.chain.mine(PAY_A);
    network = new ElectrumNetwork(networkOptions([world.urls.electrumTcp, world.urls.electrumWs]));
    await network.connect();
    const reorg = next(network, 'reorg');
    world.chain.reorg(3, { blocks: 4 });
    expect((await reorg)[0]).toMatchObject({ depth: 3, ancestor: { height: 5 }, newTip: { height: 9, hash: world.chain.tip.hash } });
  });
});
