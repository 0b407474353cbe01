// Certificates: verified by default, extra CA, SHA-256 pinning, trust-on-first-use (a changed
// certificate is refused), the insecure switch; over TLS and secure WebSocket. Fixture certificates
// in test/fixtures/tls.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ElectrumClient, fileTrustStore, memoryTrustStore, type TlsSettings } from '../../src/electrum.js';
import { TlsError } from '../../src/runtime/errors.js';
import { fixture, startFakeElectrum, type FakeServer } from '../helpers/fake-electrum.js';

const fingerprint = (name: string) => new X509Certificate(fixture(`${name}.pem`)).fingerprint256; // "AB:CD:..."
const hex = (fp: string) => fp.replace(/:/g, '').toLowerCase();

let server: FakeServer | undefined;
let client: ElectrumClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  client = server = undefined;
});

const answer = () => undefined;
const connect = (url: string, tls: TlsSettings) =>
  ElectrumClient.connect(url, { keepAlive: false, tls, connectTimeout: 2000 });

for (const kind of ['tls', 'wss'] as const) {
  describe(`${kind}://`, () => {
    it('refuses a self-signed certificate by default, with TlsError', async () => {
      server = await startFakeElectrum(answer, { kind, cert: 'self-signed' });
      await expect(connect(server.url, {})).rejects.toBeInstanceOf(TlsError);
    });

    it('accepts a certificate signed by an extra CA, checking the name', async () => {
      server = await startFakeElectrum(answer, { kind, cert: 'localhost' });
      client = await connect(server.url.replace('127.0.0.1', 'localhost'), { ca: fixture('ca.pem') });
      expect(client.protocolVersion).toBe('1.4');
      client.close();
      // The same certificate under a name it does not carry is refused.
      await expect(connect(server.url.replace('127.0.0.1', 'localhost'), { ca: fixture('ca.pem'), servername: 'example.org' })).rejects.toBeInstanceOf(TlsError);
    });

    it('accepts a pinned certificate and refuses any other', async () => {
      server = await startFakeElectrum(answer, { kind, cert: 'self-signed' });
      client = await connect(server.url, { pin: fingerprint('self-signed') });
      client.close();
      client = await connect(server.url, { pin: [hex(fingerprint('other-self-signed')), hex(fingerprint('self-signed'))] });
      client.close();
      const refused = connect(server.url, { pin: fingerprint('other-self-signed') });
      await expect(refused).rejects.toBeInstanceOf(TlsError);
      await expect(refused).rejects.toThrow(/matches no pinned fingerprint/);
    });

    it('trusts on first use, then refuses a changed certificate', async () => {
      const store = memoryTrustStore();
      server = await startFakeElectrum(answer, { kind, cert: 'self-signed' });
      const where = `127.0.0.1:${server.port}`;
      client = await connect(server.url, { trustOnFirstUse: store });
      expect(store.entries()).toEqual({ [where]: hex(fingerprint('self-signed')) });
      client.close();
      client = await connect(server.url, { trustOnFirstUse: store }); // same certificate: fine
      client.close();
      client = undefined;
      const port = server.port;
      await server.close();
      server = await startFakeElectrum(answer, { kind, cert: 'other-self-signed', port });
      await expect(connect(server.url, { trustOnFirstUse: store })).rejects.toThrow(/changed since first use/);
    });

    it('with trust-on-first-use, a CA-verified certificate is accepted and not recorded', async () => {
      const store = memoryTrustStore();
      server = await startFakeElectrum(answer, { kind, cert: 'localhost' });
      client = await connect(server.url.replace('127.0.0.1', 'localhost'), { trustOnFirstUse: store, ca: fixture('ca.pem') });
      expect(store.entries()).toEqual({});
    });

    it('accepts anything only when told insecure', async () => {
      server = await startFakeElectrum(answer, { kind, cert: 'other-self-signed' });
      client = await connect(server.url, { insecure: true });
      expect(client.serverVersion).toBe('FakeX 1.0');
    });
  });
}

describe('TLS settings', () => {
  it('refuse contradictions and malformed pins before connecting', () => {
    expect(() => new ElectrumClient('tls://127.0.0.1:1', { tls: { insecure: true, pin: 'ab'.repeat(32) } })).toThrow(RangeError);
    expect(() => new ElectrumClient('tls://127.0.0.1:1', { tls: { pin: 'not-a-fingerprint' } })).toThrow(RangeError);
    expect(() => new ElectrumClient('tls://127.0.0.1:1', { tls: { pin: [] } })).toThrow(RangeError);
    expect(() => new ElectrumClient('wss://127.0.0.1:1', { tls: { pin: 'ab'.repeat(32), trustOnFirstUse: memoryTrustStore() } })).toThrow(RangeError);
  });

  it('a file trust store persists across clients', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-sdk-tofu-'));
    try {
      const file = path.join(dir, 'trust.json');
      server = await startFakeElectrum(answer, { kind: 'tls', cert: 'self-signed' });
      client = await connect(server.url, { trustOnFirstUse: fileTrustStore(file) });
      client.close();
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      expect(Object.values(saved)).toEqual([hex(fingerprint('self-signed'))]);
      const port = server.port;
      await server.close();
      server = await startFakeElectrum(answer, { kind: 'tls', cert: 'other-self-signed', port });
      await expect(connect(server.url, { trustOnFirstUse: fileTrustStore(file) })).rejects.toBeInstanceOf(TlsError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
