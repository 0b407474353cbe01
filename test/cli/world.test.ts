// npm start (`stratum-sdk world`), `serve` and `mine`, end to end in-process on 127.0.0.1.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COINBASE_MATURITY } from '../../src/regtest/chain.js';
import { startWorld } from '../../src/regtest/world.js';
import { runCli } from '../helpers/cli.js';
import { job as poolJob, standardPool, startFakePool } from '../helpers/fake-pool.js';

const PLAIN = ['--electrum-port', '0', '--ws-port', '0', '--stratum-port', '0'];
const FREE = [...PLAIN, '--tls-port', '0', '--wss-port', '0', '--stratum-tls-port', '0'];

describe('stratum-sdk world (npm start)', () => {
  it('mines through the pool and narrates versions, jobs, shares, blocks, headers and the status change', async () => {
    // A low share difficulty keeps the test quick; npm start uses 1/4096.
    const r = await runCli(['world', ...FREE, '--difficulty', '1/1000000', '--blocks', '2', '--threads', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/Electrum {2}tcp:\/\/127\.0\.0\.1:\d+ {3}ws:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/^ {12}tls:\/\/127\.0\.0\.1:\d+ {3}wss:\/\/127\.0\.0\.1:\d+$/m);
    expect(out).toMatch(/Stratum {3}stratum\+tcp:\/\/127\.0\.0\.1:\d+ {3}stratum\+ssl:\/\/127\.0\.0\.1:\d+/);
    // The README says minerd; so does the world. Both TLS lines pin the certificate the world made.
    const fingerprint = /TLS {7}self-signed certificate made at start (\S+\.pem), SHA-256 ([0-9a-f]{64})$/m.exec(out);
    expect(fingerprint).not.toBeNull();
    const [, certFile, sha256] = fingerprint as unknown as [string, string, string];
    expect(out).toMatch(/^ {2}minerd -a sha256d -o stratum\+tcp:\/\/127\.0\.0\.1:\d+ -u you -p x$/m);
    expect(out).toContain(`--cert ${certFile} -u you -p x`);
    expect(out).toMatch(new RegExp(`^  electrum --regtest --oneserver --server 127\\.0\\.0\\.1:\\d+:s --serverfingerprint ${sha256}$`, 'm'));
    expect(out).toMatch(new RegExp(`^  npx stratum-sdk subscribe tls://127\\.0\\.0\\.1:\\d+ blockchain\\.headers\\.subscribe --tls-pin ${sha256}$`, 'm'));
    // The certificate file for minerd is the certificate only, and it is gone once the world stopped.
    expect(existsSync(certFile)).toBe(false);
    expect(out).toMatch(/\[wallet\] connected to stratum-sdk regtest 0\.1\.0, protocol 1\.6 negotiated/);
    expect(out).toMatch(/\[miner\] {2}subscribed: extranonce1 [0-9a-f]{8}, extranonce2 size 4, version mask 1fffe000/);
    expect(out).toMatch(/\[miner\] {2}job 1 \(clean\)/);
    expect(out).toMatch(/\[miner\] {2}share accepted: job [0-9a-f]+, nonce [0-9a-f]{8}, version bits [0-9a-f]{8}, hash [0-9a-f]{64}/);
    expect(out).toMatch(/\[chain\] {2}block 1 [0-9a-f]{64} \(1 tx\)/);
    expect(out).toMatch(/\[wallet\] header notification: height 2/);
    expect(out).toMatch(/\[wallet\] payout address status changed: [0-9a-f]{64}/);
    expect(out).toMatch(/\[wallet\] payout address balance: \d+\.\d{8} BTC confirmed/);
    // Exactly two blocks, counted on the chain, then the balance.
    expect(out).toMatch(/\[chain\] {2}block 2 /);
    expect(out).not.toMatch(/\[chain\] {2}block 3 /);
    expect(out).toMatch(/\[wallet\] final balance of bcrt1\w+ after 2 blocks: 100\.00000000 BTC confirmed, 0\.00000000 BTC unconfirmed\n/);
    expect(out).toMatch(/stopped cleanly$/);
  });

  it('pays your address with --address, stops after exactly --blocks blocks and prints its balance and maturity', async () => {
    // A regtest address of the reader's own wallet, as the README's "point your own wallet" path gives it.
    const address = 'bcrt1qcr8te4kr609gcawutmrza0j4xv80jy8zeqchgx';
    for (const blocks of [1, 3]) {
      const r = await runCli(['world', ...PLAIN, '--no-tls', '--address', address, '--difficulty', '1/1000000', '--blocks', String(blocks), '--threads', '2', '--quiet']);
      expect(r.code).toBe(0);
      const out = r.stdout;
      expect(out).toContain(`  payout    ${address} (yours)`);
      expect(out).not.toMatch(/tls:\/\/|stratum\+ssl/);
      expect(out).toContain(`[wallet] subscribed to your address ${address}: status null (no history yet)`);
      expect(out).toContain(`[wallet] a coinbase can be spent once it has ${COINBASE_MATURITY} confirmations (block 1's at height ${COINBASE_MATURITY})`);
      expect(out.match(/^\[chain\] {2}block \d+/gm)).toHaveLength(blocks);
      const btc = (50 * blocks).toFixed(8);
      expect(out).toContain(`[wallet] final balance of your address ${address} after ${blocks} block${blocks === 1 ? '' : 's'}: ${btc} BTC confirmed, 0.00000000 BTC unconfirmed\n`);
      expect(out).toContain(`[wallet] none spendable yet: a coinbase needs ${COINBASE_MATURITY} confirmations, so block 1's is spendable at height ${COINBASE_MATURITY}, ${COINBASE_MATURITY - blocks} blocks from now`);
      expect(out).not.toMatch(/^\[miner\] {2}hashrate/m);
    }
  });

  it('says clearly when a port is busy', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runCli(['world', '--electrum-port', '0', '--ws-port', '0', '--stratum-port', '0', '--tls-port', String(port), '--wss-port', '0', '--stratum-tls-port', '0', '--blocks', '1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`CONNECT: the Electrum TLS port ${port} is already in use (listen EADDRINUSE: address already in use 127.0.0.1:${port}); stop what uses it or choose another port (--tls-port or ports.electrumTls; 0 for any free one)`);
    } finally {
      blocker.close();
    }
  });

  it('refuses bad options with exit code 2', async () => {
    expect((await runCli(['world', '--electrum-port', '99999'])).code).toBe(2);
    expect((await runCli(['world', '--difficulty', 'hard'])).stderr).toMatch(/--difficulty must be a positive number/);
    const wrongNetwork = await runCli(['world', '--address', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4']);
    expect(wrongNetwork.code).toBe(2);
    expect(wrongNetwork.stderr).toMatch(/--address must be a regtest address .*mainnet/);
    expect((await runCli(['world', '--no-tls', '--tls-port', '0'])).stderr).toMatch(/--no-tls cannot be combined with --tls-port/);
    expect((await runCli(['world', '--tls-cert', 'a.pem'])).stderr).toMatch(/--tls-cert and --tls-key go together/);
    expect((await runCli(['world', '--help'])).stdout).toMatch(/^Usage: stratum-sdk world/);
  });
});

describe('stratum-sdk serve', () => {
  it('runs the world alone until interrupted', async () => {
    const stop = new AbortController();
    const lines: string[] = [];
    const r = await runCli(['serve', ...FREE, '--blocks', '3'], stop.signal, (line) => {
      lines.push(line);
      if (line.startsWith('  npx stratum-sdk mine')) stop.abort();
    });
    expect(r.code).toBe(0);
    expect(lines[0]).toMatch(/^stratum-sdk regtest world, chain height 3 \(genesis 0f9188f1/);
    expect(r.stdout).toMatch(/payout {4}bcrt1\w+ \(a fixed address nobody holds the key of: --address <yours> to be paid\)/);
    expect(r.stdout).toMatch(/stopping$/);
  });

  it('pays your address, says when its coins mature, and keeps a certificate in the files given', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stratum-sdk-serve-'));
    try {
      const address = 'bcrt1qcr8te4kr609gcawutmrza0j4xv80jy8zeqchgx';
      const files = ['--tls-cert', path.join(dir, 'world.pem'), '--tls-key', path.join(dir, 'world.key')];
      const fingerprints: string[] = [];
      for (const run of [0, 1]) {
        const stop = new AbortController();
        const r = await runCli(['serve', ...FREE, ...files, '--address', address, '--blocks', String(COINBASE_MATURITY)], stop.signal, (line) => {
          if (line.startsWith('your address')) stop.abort();
        });
        expect(r.code).toBe(0);
        // The first start makes the certificate and writes it; the second presents the same one.
        expect(r.stdout.includes('wrote a new certificate to')).toBe(run === 0);
        fingerprints.push(/SHA-256 ([0-9a-f]{64})/.exec(r.stdout)?.[1] ?? '');
        expect(r.stdout).toContain(`--cert ${files[1]} -u you -p x`);
        expect(r.stdout).toContain(`your address ${address}: ${(50 * COINBASE_MATURITY).toFixed(8)} BTC from ${COINBASE_MATURITY} blocks; 1 of ${COINBASE_MATURITY} coinbases mature (spendable), ${COINBASE_MATURITY - 1} not yet`);
      }
      expect(fingerprints[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(fingerprints[1]).toBe(fingerprints[0]);
      expect(await readFile(files[3] as string, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('stratum-sdk call and subscribe against the world', () => {
  it('reads the genesis header, then follows new blocks', async () => {
    const world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
    try {
      const header = await runCli(['call', world.urls.electrumTcp, 'blockchain.block.header', '0']);
      expect(JSON.parse(header.stdout)).toBe(world.chain.block(0)!.headerHex);
      const script = `0014${'55'.repeat(20)}`;
      const stop = new AbortController();
      const lines: { type: string; value?: { height: number }; params?: [{ height: number }] }[] = [];
      const r = await runCli(['subscribe', world.urls.electrumWs, 'blockchain.headers.subscribe'], stop.signal, (line) => {
        lines.push(JSON.parse(line));
        if (lines.length === 1) world.chain.mine(script);
        if (lines.length === 2) stop.abort();
      });
      expect(r.code).toBe(0);
      expect(lines[0]).toMatchObject({ type: 'result', value: { height: 0 } });
      expect(lines[1]).toMatchObject({ type: 'notification', params: [{ height: 1 }] });
    } finally {
      await world.close();
    }
  });
});

describe('stratum-sdk mine', () => {
  it('mines against a pool and prints jobs, difficulty and accepted shares', async () => {
    const world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 }, shareDifficulty: 2 ** -20 });
    try {
      const r = await runCli(['mine', world.urls.stratum, '--user', 'me', '--shares', '1', '--threads', '2']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^difficulty 9\.5367431640625e-7$/m);
      expect(r.stdout).toMatch(/^job 1 \(clean\): .*, difficulty 9\.5367431640625e-7$/m);
      expect(r.stdout).toMatch(/^mining on 2 threads, each on its own extranonce2$/m);
      expect(r.stdout).toMatch(/^share accepted: /m);
      expect(r.stdout).toMatch(/stopped after 1 accepted share and \d+ hashes$/);
      expect(world.chain.height).toBeGreaterThanOrEqual(1);
    } finally {
      await world.close();
    }
  });

  it('shows the difficulty in force, 1 included, and the hashrate with the time per share', async () => {
    // A pool that sends a job and never mining.set_difficulty: the Stratum default, 1, is in force.
    const pool = await startFakePool(
      standardPool({}, (m, conn) => {
        if (m.method !== 'mining.authorize') return false;
        conn.notify('mining.notify', poolJob('bf', true));
        conn.reply(m, true);
        return true;
      }),
    );
    // A pool that sets 1 explicitly.
    const world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 }, shareDifficulty: 1 });
    try {
      for (const url of [pool.url, world.urls.stratum]) {
        const stop = new AbortController();
        const r = await runCli(['mine', url, '--user', 'me', '--threads', '1', '--status-every', '0.3'], stop.signal, (line) => {
          if (line.startsWith('  (a CPU is slow')) stop.abort();
        });
        expect(r.code).toBe(0);
        if (url === pool.url) expect(r.stdout).toMatch(/^job bf \(clean\): .*, difficulty 1 \(the Stratum default: the pool set none\)$/m);
        else expect(r.stdout).toMatch(/^difficulty 1 \(set by the pool\)$/m);
        // At difficulty 1 a CPU needs about an hour a share: said, so that silence does not look like a hang.
        expect(r.stdout).toMatch(/^hashrate \d+(\.\d+)? [kM]?H\/s on 1 thread \(\d+(\.\d+)? [kM]?H\/s each\); at difficulty 1 a share takes ~\d+(\.\d)? (min|h|days) on average$/m);
        expect(r.stdout).toMatch(/stopped after 0 accepted shares and \d+ hashes$/);
      }
    } finally {
      await world.close();
      await pool.close();
    }
  });

  it('rolls version bits when the pool grants them: each thread its own, within the mask', async () => {
    const world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 }, shareDifficulty: 2 ** -16 });
    try {
      const submitted: (string | undefined)[] = [];
      world.pool.events.on('share', (share) => share.accepted && submitted.push(share.worker));
      const r = await runCli(['mine', world.urls.stratum, '--user', 'me', '--shares', '16', '--threads', '2', '--version-rolling', '--quiet']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/subscribed: .*version mask 1fffe000; authorized me/);
      expect(r.stdout).toMatch(/^mining on 2 threads, each rolling its own version bits within 1fffe000$/m);
      const bits = [...r.stdout.matchAll(/^share accepted: .*version bits ([0-9a-f]{8}),/gm)].map((m) => m[1] as string);
      expect(bits.length).toBeGreaterThanOrEqual(16);
      // Thread 0 takes the mask's value 0, thread 1 its value 1 (bit 13): both appear, and nothing outside the mask.
      expect(new Set(bits)).toEqual(new Set(['00000000', '00002000']));
      for (const b of bits) expect(Number.parseInt(b, 16) & ~0x1fffe000).toBe(0);
      expect(submitted.length).toBeGreaterThanOrEqual(16);
    } finally {
      await world.close();
    }
  });

  it('mines over TLS, pinning the certificate the world made', async () => {
    const world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0, electrumTls: 0, electrumWss: 0, stratumTls: 0 }, shareDifficulty: 2 ** -20 });
    try {
      const url = world.urls.stratumTls as string;
      expect(url).toMatch(/^stratum\+ssl:\/\/127\.0\.0\.1:\d+$/);
      const r = await runCli(['mine', url, '--user', 'me', '--shares', '1', '--threads', '1', '--tls-pin', world.tls?.fingerprint as string]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^share accepted: /m);
      const wrongPin = await runCli(['mine', url, '--user', 'me', '--shares', '1', '--threads', '1', '--tls-pin', 'ab'.repeat(32)]);
      expect(wrongPin.code).toBe(1);
      expect(wrongPin.stderr).toMatch(/^TLS: .*matches no pinned fingerprint/);
    } finally {
      await world.close();
    }
  });

  it('needs a Stratum URL and a user', async () => {
    expect((await runCli(['mine', 'tcp://127.0.0.1:1', '--user', 'x'])).code).toBe(2);
    expect((await runCli(['mine', 'stratum+tcp://127.0.0.1:1'])).stderr).toMatch(/--user/);
    expect((await runCli(['mine', 'stratum+tcp://127.0.0.1:1', '--user', 'x', '--threads', '0'])).stderr).toMatch(/--threads must be a whole number/);
  });
});
