// Server limits handled, not suffered: batches split to the server's cap, a refusal for cost moves to another server,
// a subscription the server will not hold is a typed error (never a reconnect loop), and a history the server will
// not send (ElectrumX's "history too large") or sends empty (Fulcrum above max_history) is a typed error naming the
// script hash, never a smaller balance. Each behaviour is reproduced by a server built with createElectrumServer.
import { afterEach, describe, expect, it } from 'vitest';
import { ServerLimitError } from '../../src/network/errors.js';
import { statusOf } from '../../src/regtest/electrum-backend.js';
import { chainWith, cleanup, networkOptions, next, SH_A, SH_B, startNetwork, startServers } from './helpers.js';

afterEach(cleanup);

const scripthashes = (n: number) => Array.from({ length: n }, (_, i) => i.toString(16).padStart(64, '0'));

describe('ElectrumNetwork and server limits', () => {
  it("splits a batch to the server's cap, and checks each answer", async () => {
    const chain = chainWith(3);
    const [server] = await startServers(chain, [{ limits: { maxBatchSize: 10 } }]);
    const { network } = await startNetwork(networkOptions([server!.url], { maxBatch: 10 }));
    const calls = [...scripthashes(24), SH_A].map((sh) => ['blockchain.scripthash.get_balance', [sh]] as const);
    const results = await network.batch(calls);
    expect(results).toHaveLength(25);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results[24]).toEqual({ ok: true, value: chain.balance(SH_A) });
    // The server answers a batch over its cap with one error for the whole (-32600, id null): unsplit, none would pass.
  });

  it('a batch with a lie in it is asked again of the next server, whole', async () => {
    const chain = chainWith(3);
    const [liar, honest] = await startServers(chain, [{ lie: 'balance' }, {}]);
    const { network, seen } = await startNetwork(networkOptions([liar!.url, honest!.url], { connections: 2 }));
    const results = await network.batch([
      ['blockchain.scripthash.get_balance', [SH_A]],
      ['blockchain.scripthash.subscribe', [SH_B]],
      ['blockchain.block.header', [1]],
    ]);
    expect(results).toEqual([
      { ok: true, value: chain.balance(SH_A) },
      { ok: true, value: statusOf(chain, SH_B) },
      { ok: true, value: expect.any(String) },
    ]);
    expect(seen.dropped.map(([url, e]) => [url, e.code])).toEqual([[liar!.url, 'LIE']]);
  });

  it('moves to another server when the one in use refuses work for its cost', async () => {
    const chain = chainWith(3);
    const servers = await startServers(chain, [{}, {}]);
    const { network, seen } = await startNetwork(networkOptions(servers.map((s) => s.url), { connections: 2 }));
    const inUse = servers.find((s) => s.url === network.currentServer)!;
    inUse.costLimit = 0;
    expect(await network.blockchain.scripthash.getBalance(SH_A)).toEqual(chain.balance(SH_A));
    expect(network.currentServer).not.toBe(inUse.url);
    const [[url, error]] = seen.dropped as [[string, ServerLimitError]];
    expect(url).toBe(inUse.url);
    expect(error).toBeInstanceOf(ServerLimitError);
    expect(error).toMatchObject({ code: 'SERVER_LIMIT', limit: 'cost' });
  });

  it("ElectrumX's \"history too large\": a typed error naming the script hash; the server is kept for the others", async () => {
    const chain = chainWith(5);
    const [server] = await startServers(chain, [{ maxHistory: { limit: 3, style: 'electrumx' } }]);
    const { network, seen } = await startNetwork(networkOptions([server!.url]));
    for (const call of [() => network.blockchain.scripthash.getHistory(SH_A), () => network.blockchain.scripthash.getBalance(SH_A), () => network.blockchain.scripthash.subscribe(SH_A)]) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ServerLimitError);
      expect(error).toMatchObject({ code: 'SERVER_LIMIT', limit: 'history', scripthash: SH_A, url: server!.url });
    }
    expect(await network.blockchain.scripthash.getHistory(SH_B)).toEqual([]);
    expect(seen.dropped).toEqual([]);
  });

  it('Fulcrum above max_history: an empty history its status or balance contradicts is a typed error, never a smaller balance', async () => {
    const chain = chainWith(5);
    const [server] = await startServers(chain, [{ maxHistory: { limit: 3, style: 'fulcrum' } }]);
    const { network, seen } = await startNetwork(networkOptions([server!.url]));
    for (const call of [() => network.blockchain.scripthash.getBalance(SH_A), () => network.blockchain.scripthash.getHistory(SH_A), () => network.blockchain.scripthash.listunspent(SH_A)]) {
      await expect(call()).rejects.toMatchObject({ code: 'SERVER_LIMIT', limit: 'history', scripthash: SH_A });
    }
    // Subscribed: its status is checked against the empty history.
    await expect(network.blockchain.scripthash.subscribe(SH_A)).rejects.toMatchObject({ code: 'SERVER_LIMIT', limit: 'history', scripthash: SH_A });
    expect(seen.dropped).toEqual([]);
    expect(await network.blockchain.scripthash.getBalance(SH_B)).toEqual({ confirmed: 0, unconfirmed: 0 });
  });

  it('a subscription the server will not hold is a typed error, with no reconnect, and one it will not take over ends with an event', async () => {
    const chain = chainWith(3);
    // Two subscriptions per connection: the network's header subscription and one script hash.
    const [full, roomy] = await startServers(chain, [{ limits: { maxSubscriptions: 2 } }, {}]);
    const { network } = await startNetwork(networkOptions([full!.url, roomy!.url], { connections: 1 }));
    expect(await network.blockchain.scripthash.subscribe(SH_A)).toBe(statusOf(chain, SH_A));
    await expect(network.blockchain.scripthash.subscribe(SH_B)).rejects.toMatchObject({ code: 'SERVER_LIMIT', limit: 'subscriptions', scripthash: SH_B });
    expect(network.currentServer).toBe(full!.url);
    expect(full!.received.get('blockchain.headers.subscribe')).toBe(1); // one connection: no reconnect
    // The other way round: held on a roomy server, then moved to the full one.
    const { network: second } = await startNetwork(networkOptions([roomy!.url, full!.url], { connections: 2 }));
    await second.blockchain.scripthash.subscribe(SH_A);
    await second.blockchain.scripthash.subscribe(SH_B);
    const ended = next(second, 'subscription-ended');
    await roomy!.close();
    const [sh, error] = await ended;
    expect([SH_A, SH_B]).toContain(sh);
    expect(error).toMatchObject({ code: 'SERVER_LIMIT', limit: 'subscriptions', scripthash: sh });
    expect(second.currentServer).toBe(full!.url);
  });
});
