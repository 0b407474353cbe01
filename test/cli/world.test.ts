// npm start (`stratum-sdk world`), `serve` and `mine`, end to end in-process on 127.0.0.1.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startWorld } from '../../src/regtest/world.js';
import { runCli } from '../helpers/cli.js';

const FREE = ['--electrum-port', '0', '--ws-port', '0', '--stratum-port', '0'];

describe('stratum-sdk world (npm start)', () => {
  it('mines through the pool and narrates versions, jobs, shares, blocks, headers and the status change', async () => {
    // A low share difficulty keeps the test quick; npm start uses 1/4096.
    const r = await runCli(['world', ...FREE, '--difficulty', '1/1000000', '--blocks', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/Electrum {2}tcp:\/\/127\.0\.0\.1:\d+ {3}ws:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/Stratum {3}stratum\+tcp:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/cpuminer -a sha256d -o stratum\+tcp:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/\[wallet\] connected to stratum-sdk regtest 0\.1\.0, protocol 1\.6 negotiated/);
    expect(out).toMatch(/\[miner\] {2}subscribed: extranonce1 [0-9a-f]{8}, extranonce2 size 4, version mask 1fffe000/);
    expect(out).toMatch(/\[miner\] {2}job 1 \(clean\)/);
    expect(out).toMatch(/\[miner\] {2}share accepted: job [0-9a-f]+, nonce [0-9a-f]{8}, hash [0-9a-f]{64}/);
    expect(out).toMatch(/\[chain\] {2}block 1 [0-9a-f]{64} \(1 tx\)/);
    expect(out).toMatch(/\[wallet\] header notification: height 2/);
    expect(out).toMatch(/\[wallet\] payout address status changed: [0-9a-f]{64}/);
    expect(out).toMatch(/\[wallet\] payout balance: \d+\.\d{8} BTC confirmed/);
    expect(out).toMatch(/stopped cleanly$/);
  });

  it('says clearly when a port is busy', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runCli(['world', '--electrum-port', String(port), '--ws-port', '0', '--stratum-port', '0', '--blocks', '1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the Electrum port is already in use .*choose other ports/);
    } finally {
      blocker.close();
    }
  });

  it('refuses bad options with exit code 2', async () => {
    expect((await runCli(['world', '--electrum-port', '99999'])).code).toBe(2);
    expect((await runCli(['world', '--difficulty', 'hard'])).stderr).toMatch(/--difficulty must be a positive number/);
    expect((await runCli(['world', '--help'])).stdout).toMatch(/^Usage: stratum-sdk world/);
  });
});

describe('stratum-sdk serve', () => {
  it('runs the world alone until interrupted', async () => {
    const stop = new AbortController();
    const lines: string[] = [];
    const r = await runCli(['serve', ...FREE, '--blocks', '3'], stop.signal, (line) => {
      lines.push(line);
      if (line.startsWith('  npx stratum-sdk subscribe')) stop.abort();
    });
    expect(r.code).toBe(0);
    expect(lines[0]).toMatch(/^stratum-sdk regtest world, chain height 3 \(genesis 0f9188f1/);
    expect(r.stdout).toMatch(/stopping$/);
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
      const r = await runCli(['mine', world.urls.stratum, '--user', 'me', '--shares', '1']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^difficulty 9\.5367431640625e-7$/m);
      expect(r.stdout).toMatch(/^share accepted: /m);
      expect(r.stdout).toMatch(/stopped after 1 accepted share and \d+ hashes$/);
      expect(world.chain.height).toBe(1);
    } finally {
      await world.close();
    }
  });

  it('needs a Stratum URL and a user', async () => {
    expect((await runCli(['mine', 'tcp://127.0.0.1:1', '--user', 'x'])).code).toBe(2);
    expect((await runCli(['mine', 'stratum+tcp://127.0.0.1:1'])).stderr).toMatch(/--user/);
  });
});
