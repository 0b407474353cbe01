// Discovery through server.peers.subscribe: off by default; on, announced servers become candidates after the ones
// configured (bounded, on the configured transport where offered) and take over when the configured ones go.
import { afterEach, describe, expect, it } from 'vitest';
import { peerUrls } from '../../src/network/discovery.js';
import { chainWith, cleanup, networkOptions, next, startNetwork, startServers } from './helpers.js';

afterEach(cleanup);

const portOf = (url: string) => url.slice(url.lastIndexOf(':') + 1);

describe('peerUrls', () => {
  it('reads ElectrumX peer entries: host or ip, the preferred transport, default ports, versions; skips onion and junk', () => {
    const entries = [
      ['1.2.3.4', 'electrum.example.org', ['v1.4.2', 's50002', 't50001', 'p10000']],
      ['5.6.7.8', '', ['v1.4', 't']],
      ['::1', 'abcdefghijklmnop.onion', ['v1.4', 's']],
      ['9.9.9.9', 'old.example.org', ['v1.2', 's']],
      ['2001:db8::1', '', ['v1.4', 's443']],
      ['x', 'bad host!', ['s']],
      ['10.0.0.1', 'noports.example', ['v1.4']],
      'not an entry',
      ['10.0.0.2', 'big.example', ['t99999', 's1']],
    ];
    expect(peerUrls(entries, 'tls', '1.4')).toEqual(['tls://electrum.example.org:50002', 'tcp://5.6.7.8:50001', 'tls://[2001:db8::1]:443', 'tls://big.example:1']);
    expect(peerUrls(entries, 'tcp', '1.4')[0]).toBe('tcp://electrum.example.org:50001');
    expect(peerUrls({ not: 'a list' }, 'tcp', '1.4')).toEqual([]);
  });
});

describe('ElectrumNetwork discovery', () => {
  it('is off by default: no server is asked for its peers', async () => {
    const chain = chainWith(2);
    const [spare] = await startServers(chain, [{}]);
    const [a] = await startServers(chain, [{ peers: [['127.0.0.1', '127.0.0.1', ['v1.4', `t${portOf(spare!.url)}`]]] }]);
    const { network } = await startNetwork(networkOptions([a!.url], { connections: 2 }));
    await network.blockchain.scripthash.getBalance('00'.repeat(32));
    expect(a!.received.get('server.peers.subscribe')).toBeUndefined();
    expect(network.connectedServers).toEqual([a!.url]);
  });

  it('adds announced servers after the configured ones, up to the limit, and moves to them when the configured one goes', async () => {
    const chain = chainWith(2);
    const [b, c] = await startServers(chain, [{}, {}]);
    const announce = [
      ['127.0.0.1', '127.0.0.1', ['v1.4', `t${portOf(b!.url)}`, 's1']],
      ['127.0.0.1', 'localhost', ['v1.4', `t${portOf(c!.url)}`]],
    ] as const;
    const [a] = await startServers(chain, [{ peers: announce }]);
    const { network, seen } = await startNetwork(networkOptions([a!.url], { connections: 2, discovery: true, maxDiscovered: 1 }), false);
    const discovered: [string, string][] = [];
    network.on('server-discovered', (url, from) => discovered.push([url, from]));
    const connected = next(network, 'server-connected', (url) => url === b!.url, 10_000);
    await network.connect();
    await connected;
    // The TCP port, as configured, not the TLS one; the second entry is beyond the limit of 1.
    expect(discovered).toEqual([[b!.url, a!.url]]);
    expect(network.currentServer).toBe(a!.url); // the configured server stays in use
    expect(c!.received.size).toBe(0);
    const moved = next(network, 'server', (url) => url === b!.url, 10_000);
    await a!.close();
    await moved;
    expect(seen.dropped.map(([url]) => url)).toEqual([a!.url]);
    expect(await network.blockchain.scripthash.getBalance('00'.repeat(32))).toEqual({ confirmed: 0, unconfirmed: 0 });
    // With the limit reached, no one else is asked for peers.
    expect(b!.received.get('server.peers.subscribe')).toBeUndefined();
  });
});
