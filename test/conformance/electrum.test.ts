// The Electrum conformance run: independent checks pipelined, so a server that holds every reply costs a few
// holds for the whole run, not one per check; documented deviations (electrs refusing cp_height) reported
// as such, with --fail-on deciding the exit code; --junit for both.
import net from 'node:net';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../src/conformance/index.js';
import { ServerError } from '../../src/runtime/errors.js';
import { RegtestChain } from '../../src/regtest/chain.js';
import { electrumBackend } from '../../src/regtest/electrum-backend.js';
import { startWorld, type World } from '../../src/regtest/world.js';
import { createElectrumServer, type ElectrumHandlers } from '../../src/servers/electrum-server.js';
import { runCli } from '../helpers/cli.js';

const PAYOUT = '0014' + '33'.repeat(20);

let world: World;
beforeAll(async () => {
  world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
  for (let i = 0; i < 3; i++) world.chain.mine(PAYOUT);
});
afterAll(() => world.close());

/** A proxy that holds every chunk the server sends for `delay` ms, as ElectrumX 1.20 holds small replies. */
async function holdingProxy(port: number, delay: number): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    // Same delay for every chunk: timers fire in order, so the bytes keep theirs.
    upstream.on('data', (chunk) => setTimeout(() => client.writable && client.write(chunk), delay));
    const end = () => {
      setTimeout(() => client.destroy(), delay);
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('electrum conformance', { timeout: 60_000 }, () => {
  it('pipelines independent checks: a server holding each reply costs a few holds, not one per check', async () => {
    const delay = 300;
    const port = Number(new URL(world.urls.electrumTcp).port);
    const proxy = await holdingProxy(port, delay);
    try {
      // The same run straight to the server measures what the machine itself costs today, loaded or not.
      let started = performance.now();
      const direct = await runConformance(world.urls.electrumTcp, { all: true });
      const directMs = performance.now() - started;
      started = performance.now();
      const held = await runConformance(proxy.url, { all: true });
      const heldMs = performance.now() - started;
      expect(held.ok).toBe(true);
      expect(held.checks.map((c) => [c.id, c.status])).toEqual(direct.checks.map((c) => [c.id, c.status]));
      const checks = held.checks.length;
      expect(checks).toBeGreaterThan(35);
      // The longest chain of dependent round trips: connect and negotiate, three to gather the server's data,
      // one for the methods (their attempts pipelined); the basics run beside them. Checked one at a time the
      // holds alone would cost checks × delay (over 10 s here); allow eight holds, a fifth of that.
      const rounds = 8;
      expect(rounds * 4).toBeLessThan(checks);
      expect(heldMs - directMs).toBeLessThan(rounds * delay);
    } finally {
      await proxy.close();
    }
  });

  it('reports a documented deviation (electrs refusing cp_height) and fails on it only with --fail-on deviation', async () => {
    const chain = new RegtestChain();
    for (let i = 0; i < 2; i++) chain.mine(PAYOUT);
    const backend = electrumBackend(chain);
    const electrsLike = (method: 'blockchain.block.header' | 'blockchain.block.headers', positional: number) =>
      ((params: unknown[], session: never) => {
        if (params.length > positional) throw new ServerError(method, -32602, 'cp_height is not supported');
        return (backend[method] as unknown as (p: unknown[], s: never) => unknown)(params, session);
      }) as never;
    const server = await createElectrumServer({
      handlers: { ...backend, 'blockchain.block.header': electrsLike('blockchain.block.header', 1), 'blockchain.block.headers': electrsLike('blockchain.block.headers', 2) } as ElectrumHandlers,
      listen: { tcp: { host: '127.0.0.1', port: 0 } },
    });
    const file = join(tmpdir(), `conformance-electrum-${process.pid}-${Date.now()}.xml`);
    try {
      const url = server.url('tcp') as string;
      const lenient = await runCli(['conformance', url, '--junit', file]);
      expect(lenient.code).toBe(0);
      expect(lenient.stdout).toMatch(/^blockchain\.block\.header +\| deviation \| \[2\] \(params from the server's data\); \[0,2\] refused \(server error -32602: cp_height is not supported\)$/m);
      expect(lenient.stdout).toMatch(/^ +\| +\| +documented: blockchain\.block\.header \(electrs\): electrs accepts only \[height\]/m);
      expect(lenient.stdout).toMatch(/^PASS: \d+ checks, \d+ passed, 0 failed, 1 skipped, 2 deviations \(/m);
      const xml = await readFile(file, 'utf8');
      // A deviation passes in JUnit by default, its documentation kept in system-out.
      expect(xml).toMatch(/<testsuites name="stratum-sdk conformance" tests="\d+" failures="0" skipped="1">/);
      expect(xml).toContain("<system-out>deviation: [2] (params from the server's data); [0,2] refused");

      const strict = await runCli(['conformance', url, '--fail-on', 'deviation', '--junit', file, '--json']);
      expect(strict.code).toBe(1);
      const report = JSON.parse(strict.stdout) as { counts: Record<string, number>; ok: boolean };
      expect(report.counts['deviation']).toBe(2);
      expect(report.ok).toBe(true);
      expect(await readFile(file, 'utf8')).toMatch(/failures="2"[\s\S]*<failure type="deviation" message="\[2\]/);
    } finally {
      await server.close();
      await rm(file, { force: true });
    }
  });
});
