// The network's async iterables: subscribe() with its initial answer and later notifications (kept across a change of
// server, each status once), notifications() of every new verified tip; both end when the network closes.
import { afterEach, describe, expect, it } from 'vitest';
import { statusOf } from '../../src/regtest/electrum-backend.js';
import { chainWith, cleanup, networkOptions, next, PAY_A, SH_A, startNetwork, startServers } from './helpers.js';

afterEach(cleanup);

describe('ElectrumNetwork async iterables', () => {
  it('subscribe: the initial status, then each change once, across a change of server; unsubscribe ends it', async () => {
    const chain = chainWith(2);
    const servers = await startServers(chain, [{}, {}]);
    const { network } = await startNetwork(networkOptions(servers.map((s) => s.url), { connections: 2 }));
    const sub = await network.subscribe('blockchain.scripthash.subscribe', [SH_A]);
    expect(sub.initial).toBe(statusOf(chain, SH_A));
    chain.mine(PAY_A);
    expect((await sub.next()).value).toEqual([SH_A, statusOf(chain, SH_A)]);
    const inUse = servers.find((s) => s.url === network.currentServer)!;
    const moved = next(network, 'server', (url) => url !== inUse.url);
    await inUse.close();
    await moved;
    chain.mine(PAY_A);
    expect((await sub.next()).value).toEqual([SH_A, statusOf(chain, SH_A)]);
    await sub.unsubscribe();
    expect(await sub.next()).toEqual({ value: undefined, done: true });
  });

  it('notifications: each new verified tip; ended by close', async () => {
    const chain = chainWith(2);
    const [server] = await startServers(chain, [{}]);
    const { network } = await startNetwork(networkOptions([server!.url]));
    const tips = network.notifications('blockchain.headers.subscribe');
    const block = chain.mine(PAY_A);
    const [tip] = (await tips.next()).value!;
    expect(tip).toMatchObject({ height: block.height });
    await network.close();
    expect(await tips.next()).toEqual({ value: undefined, done: true });
    expect(() => network.notifications('blockchain.headers.subscribe')).toThrow(/closed/);
  });
});
