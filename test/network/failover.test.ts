// Failover: the server in use disconnects or stops answering; requests are answered by the next server and the
// script hash subscriptions move with no status change missed and none told twice.
import { afterEach, describe, expect, it } from 'vitest';
import { statusOf } from '../../src/regtest/electrum-backend.js';
import { until } from '../helpers/wait.js';
import { chainWith, cleanup, networkOptions, next, PAY_A, SH_A, startNetwork, startServers } from './helpers.js';

afterEach(cleanup);

describe('ElectrumNetwork failover', () => {
  it('keeps the configured number of connections and says which server is in use', async () => {
    const chain = chainWith(2);
    const servers = await startServers(chain, [{}, {}, {}]);
    const { network, seen } = await startNetwork(networkOptions(servers.map((s) => s.url), { connections: 2 }), false);
    const both = new Promise<void>((resolve) => {
      let n = 0;
      network.on('server-connected', () => ++n === 2 && resolve());
    });
    await network.connect();
    await both;
    expect(network.connectedServers.sort()).toEqual([servers[0]!.url, servers[1]!.url].sort());
    expect(seen.servers).toEqual([network.currentServer]);
    expect(servers[2]!.received.size).toBe(0); // the third is a spare
  });

  it('moves to the next server when the one in use disconnects: no status change missed, none told twice', async () => {
    const chain = chainWith(3);
    const servers = await startServers(chain, [{}, {}, {}]);
    const { network, seen } = await startNetwork(networkOptions(servers.map((s) => s.url), { connections: 2 }));
    const initial = await network.blockchain.scripthash.subscribe(SH_A);
    expect(initial).toBe(statusOf(chain, SH_A));
    const inUse = servers.find((s) => s.url === network.currentServer)!;

    // The server in use goes away, and the status changes while the network is moving.
    const moved = next(network, 'server', (url) => url !== inUse.url);
    const changed = next(network, 'blockchain.scripthash.subscribe');
    const closing = inUse.close();
    chain.mine(PAY_A);
    const first = statusOf(chain, SH_A);
    await closing;
    const [newServer] = await moved;
    expect(await changed).toEqual([SH_A, first]);
    expect(seen.dropped.map(([url, e]) => [url, e.code])).toEqual([[inUse.url, 'CLOSED']]);

    // The next change comes from the new server, once.
    const again = next(network, 'blockchain.scripthash.subscribe');
    chain.mine(PAY_A);
    expect(await again).toEqual([SH_A, statusOf(chain, SH_A)]);
    expect(seen.statuses).toEqual([
      [SH_A, first],
      [SH_A, statusOf(chain, SH_A)],
    ]);
    expect(network.currentServer).toBe(newServer);
    // The spare was connected to keep two connections.
    await until(() => network.connectedServers.length === 2, 'two connected servers');
    // Requests go on.
    expect(await network.blockchain.scripthash.getBalance(SH_A)).toEqual(chain.balance(SH_A));
  });

  it('answers a request that timed out on the server in use from the next one', async () => {
    const chain = chainWith(3);
    const servers = await startServers(chain, [{}, {}]);
    const { network, seen } = await startNetwork(networkOptions(servers.map((s) => s.url), { connections: 2, timeout: 300 }));
    await until(() => network.connectedServers.length === 2, 'both servers connected');
    const inUse = servers.find((s) => s.url === network.currentServer)!;
    const other = servers.find((s) => s !== inUse)!;
    inUse.stalled.add('blockchain.scripthash.get_balance');
    const started = Date.now();
    expect(await network.blockchain.scripthash.getBalance(SH_A)).toEqual(chain.balance(SH_A));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(seen.dropped.map(([url, e]) => [url, e.code])).toEqual([[inUse.url, 'TIMEOUT']]);
    expect(network.currentServer).toBe(other.url);
    expect(other.received.get('blockchain.scripthash.get_balance')).toBeGreaterThan(0);
  });

  it('moves a subscription whose notification could not be checked in time, telling the change once', async () => {
    const chain = chainWith(3);
    const servers = await startServers(chain, [{}, {}]);
    const { network, seen } = await startNetwork(networkOptions(servers.map((s) => s.url), { connections: 2, timeout: 300 }));
    await network.blockchain.scripthash.subscribe(SH_A);
    const inUse = servers.find((s) => s.url === network.currentServer)!;
    // It notifies the change but never answers the get_history that checks it.
    inUse.stalled.add('blockchain.scripthash.get_history');
    const changed = next(network, 'blockchain.scripthash.subscribe');
    chain.mine(PAY_A);
    expect(await changed).toEqual([SH_A, statusOf(chain, SH_A)]);
    expect(seen.dropped.map(([url, e]) => [url, e.code])).toEqual([[inUse.url, 'TIMEOUT']]);
    const again = next(network, 'blockchain.scripthash.subscribe');
    chain.mine(PAY_A);
    await again;
    expect(seen.statuses).toEqual([
      [SH_A, seen.statuses[0]![1]],
      [SH_A, statusOf(chain, SH_A)],
    ]);
    expect(seen.statuses[0]![1]).not.toBe(seen.statuses[1]![1]);
  });
});
