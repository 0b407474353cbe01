import { afterEach, describe, expect, it } from 'vitest';
import { ElectrumClient } from '../../src/electrum.js';
import { startFakeElectrum, type FakeServer } from '../helpers/fake-electrum.js';
import { startSocks5Server, type Socks5Server } from '../helpers/socks5-server.js';

let server: FakeServer | undefined;
let proxy: Socks5Server | undefined;
let client: ElectrumClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  await proxy?.close();
  client = server = proxy = undefined;
});

describe('smoke', () => {
  for (const kind of ['tcp', 'ws', 'tls', 'wss'] as const) {
    it(kind, async () => {
      server = await startFakeElectrum((m) => (m === 'server.banner' ? { result: 'hi' } : undefined), { kind, cert: 'self-signed' });
      proxy = await startSocks5Server();
      client = await ElectrumClient.connect(server.url.replace('127.0.0.1', 'localhost'), { keepAlive: false, proxy: proxy.url, tls: { insecure: true } });
      expect(await client.server.banner()).toBe('hi');
      expect(proxy.requests).toEqual([{ atyp: 3, host: 'localhost', port: server.port }]);
    });
  }
});
