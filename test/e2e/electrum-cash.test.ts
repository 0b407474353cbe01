// @electrum-cash/network 4.x, a third-party client, against the regtest world over WebSocket with its
// own socket class. It sends requests without "jsonrpc", takes any reply that has an "error" member
// (even `"error": null`) for an error, and any message with an "id" (even `"id": null`) for a reply:
// so it works only with a server that answers as aiorpcX's loose dialect does (dialects.ts).
import { ElectrumClient, type ElectrumClientEvents, type RPCNotification } from '@electrum-cash/network';
import { ElectrumWebSocket } from '@electrum-cash/web-socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressToScriptPubKey } from '../../src/bitcoin/address.js';
import { startWorld, type World } from '../../src/regtest.js';
import { until } from '../helpers/wait.js';

// The client pings every second by default; far enough apart that the test's own traffic dominates.
const KEEP_ALIVE_MS = 10_000;

describe('@electrum-cash/network against the regtest world', { timeout: 30_000 }, () => {
  let world: World;
  let client: ElectrumClient<ElectrumClientEvents>;
  const notifications: RPCNotification[] = [];

  beforeAll(async () => {
    world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
    const url = new URL(world.urls.electrumWs);
    const socket = new ElectrumWebSocket(url.hostname, Number(url.port), false);
    client = new ElectrumClient('stratum-sdk e2e', '1.4', socket, { sendKeepAliveIntervalInMilliSeconds: KEEP_ALIVE_MS });
    client.on('notification', (n: RPCNotification) => notifications.push(n));
    await client.connect();
  });

  afterAll(async () => {
    await client?.disconnect(true);
    await world?.close();
  });

  it('connects: negotiates protocol 1.4 with server.version, sent without "jsonrpc"', () => {
    expect(client.software).toMatch(/^stratum-sdk/);
    const [session] = [...world.electrum.sessions];
    expect(session?.clientName).toBe('stratum-sdk e2e');
    expect(session?.protocolVersion).toBe('1.4');
    // aiorpcX's loose dialect: answered in 2.0, so no "error": null that the client would refuse.
    expect(session?.dialect).toBe('2.0');
  });

  it('calls a method and gets its result, and an error reply as an Error', async () => {
    const features = await client.request('server.features');
    expect(features).not.toBeInstanceOf(Error);
    expect(features).toMatchObject({ genesis_hash: world.chain.genesisHash });
    expect(client.genesisHash).toBe(world.chain.genesisHash);
    const balance = await client.request('blockchain.scripthash.get_balance', world.payoutScripthash);
    expect(balance).toEqual(world.chain.balance(world.payoutScripthash));
    const refused = await client.request('no.such.method');
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/unknown method/);
    // The connection survived the error reply.
    expect(await client.request('server.ping')).toBeNull();
  });

  it('subscribes to headers and to a scripthash, and gets the notifications when the world mines a block', async () => {
    const start = world.chain.height;
    await client.subscribe('blockchain.headers.subscribe');
    await client.subscribe('blockchain.scripthash.subscribe', world.payoutScripthash);
    expect(client.chainHeight).toBe(start);
    const seen = notifications.length;

    world.chain.mine(`0014${'00'.repeat(20)}`);
    world.chain.mine(addressToScriptPubKey(world.payoutAddress, 'regtest'));
    const fresh = () => notifications.slice(seen);
    await until(() => fresh().some((n) => n.method === 'blockchain.headers.subscribe' && (n.params?.[0] as { height: number }).height === start + 2), 'the header at the new tip');
    await until(() => fresh().some((n) => n.method === 'blockchain.scripthash.subscribe'), 'the scripthash status change');

    expect(client.chainHeight).toBe(start + 2);
    const status = fresh().find((n) => n.method === 'blockchain.scripthash.subscribe');
    expect(status?.params).toEqual([world.payoutScripthash, expect.stringMatching(/^[0-9a-f]{64}$/)]);
    // Real notifications, not the client's own echo of a subscribe result: no id, and "jsonrpc": "2.0".
    expect(fresh().every((n) => !('id' in n) && n.jsonrpc === '2.0')).toBe(true);
  });
});
