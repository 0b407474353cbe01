// MiningClient over TLS (stratum+ssl://, stratum+tls://) on 127.0.0.1, with the committed test certificates.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MiningClient } from '../../src/clients/mining-client.js';
import { TlsError } from '../../src/runtime/errors.js';
import { EXTRANONCE1, standardPool, startFakePool, type FakePool } from '../helpers/fake-pool.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url), 'utf8');
const SELF_SIGNED = { key: fixture('self-signed.key'), cert: fixture('self-signed.pem') };
const SIGNED_BY_CA = { key: fixture('localhost.key'), cert: fixture('localhost.pem') };

let pools: FakePool[] = [];
let miners: MiningClient[] = [];
afterEach(async () => {
  for (const m of miners) m.close();
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
  miners = [];
});

async function tlsPool(tls: { key: string; cert: string }): Promise<FakePool> {
  const pool = await startFakePool(standardPool(), { tls });
  pools.push(pool);
  return pool;
}

describe('TLS', () => {
  it('mines over stratum+ssl:// with a self-signed certificate given as the CA', async () => {
    const pool = await tlsPool(SELF_SIGNED);
    const miner = await MiningClient.connect(pool.url, { tls: { ca: SELF_SIGNED.cert } });
    miners.push(miner);
    await miner.start({ user: 'w' });
    expect(miner.extranonce1).toBe(EXTRANONCE1);
    expect(await miner.mining.submit('w', 'bf', '00000001', '504e86ed', 'b2957c02')).toBe(true);
  });

  it('accepts stratum+tls:// as an alias, with a certificate from an extra CA', async () => {
    const pool = await tlsPool(SIGNED_BY_CA);
    const miner = await MiningClient.connect(`stratum+tls://127.0.0.1:${pool.port}`, { tls: { ca: fixture('ca.pem') } });
    miners.push(miner);
    expect((await miner.start({ user: 'w' })).subscription.extranonce1).toBe(EXTRANONCE1);
  });

  it('refuses a certificate it cannot verify, and opens nothing in the clear', async () => {
    const pool = await tlsPool(SELF_SIGNED);
    await expect(MiningClient.connect(pool.url)).rejects.toBeInstanceOf(TlsError);
    await expect(MiningClient.connect(pool.url, { tls: { ca: fixture('other-self-signed.pem') } })).rejects.toBeInstanceOf(TlsError);
  });

  it('passes the other TLS settings through: a pinned self-signed certificate is accepted, another refused', async () => {
    const pool = await tlsPool(SELF_SIGNED);
    const pin = new X509Certificate(SELF_SIGNED.cert).fingerprint256;
    const miner = await MiningClient.connect(pool.url, { tls: { pin } });
    miners.push(miner);
    await miner.start({ user: 'w' });
    const otherPin = new X509Certificate(fixture('other-self-signed.pem')).fingerprint256;
    await expect(MiningClient.connect(pool.url, { tls: { pin: otherPin } })).rejects.toBeInstanceOf(TlsError);
  });

  it('accepts any certificate only when told to be insecure', async () => {
    const pool = await tlsPool(SELF_SIGNED);
    const miner = await MiningClient.connect(pool.url, { tls: { insecure: true } });
    miners.push(miner);
    await miner.start({ user: 'w' });
    expect(miner.authorizedWorkers).toEqual(['w']);
  });
});
