// `stratum-sdk conformance` end to end: the regtest world passes every check; a server with one broken
// handler, or broken protocol basics, fails naming what broke.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runConformance } from '../../src/conformance/index.js';
import { ServerError } from '../../src/runtime/errors.js';
import { RegtestChain } from '../../src/regtest/chain.js';
import { electrumBackend } from '../../src/regtest/electrum-backend.js';
import { startWorld, type World } from '../../src/regtest/world.js';
import { createElectrumServer, type ElectrumHandlers, type ElectrumServer } from '../../src/servers/electrum-server.js';
import { runCli } from '../helpers/cli.js';
import net from 'node:net';

const PAYOUT = '0014' + '11'.repeat(20);

let world: World;
beforeAll(async () => {
  world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
  for (let i = 0; i < 3; i++) world.chain.mine(PAYOUT);
});
afterAll(() => world.close());

/** A newline-JSON server answering each parsed line with `answer` (malformed lines are ignored). */
async function scriptedServer(answer: (message: unknown, reply: (value: unknown) => void) => void): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          continue;
        }
        answer(message, (value) => socket.write(`${JSON.stringify(value)}\n`));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** An Electrum server over its own regtest chain with some handlers replaced. */
async function brokenServer(overrides: Partial<ElectrumHandlers>): Promise<ElectrumServer> {
  const chain = new RegtestChain();
  for (let i = 0; i < 2; i++) chain.mine(PAYOUT);
  return createElectrumServer({ handlers: { ...electrumBackend(chain), ...overrides } as ElectrumHandlers, listen: { tcp: { host: '127.0.0.1', port: 0 } } });
}

describe('stratum-sdk conformance', () => {
  it('passes against the regtest world: every check passes or is skipped, exit 0', async () => {
    const r = await runCli(['conformance', world.urls.electrumTcp]);
    expect(r.stderr).not.toMatch(/^fail/m);
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => / \| (pass|fail|skip) +\| /.test(l));
    const byName = new Map(rows.map((l) => [l.split(' | ')[0]!.trim(), l.split(' | ')[1]!.trim()]));
    // Every standard method of 1.6 has a row, and the params came from the world's chain.
    for (const method of ['server.version', 'server.banner', 'blockchain.block.header', 'blockchain.block.headers', 'blockchain.transaction.get', 'blockchain.transaction.get_merkle', 'blockchain.scripthash.get_history', 'blockchain.scripthash.unsubscribe', 'mempool.get_info', 'blockchain.transaction.broadcast', 'blockchain.transaction.broadcast_package']) {
      expect(byName.get(method), method).toBe('pass');
    }
    for (const basic of ['unsupported version', 'unknown method', 'bad params', 'string id', 'numeric id', 'batch', 'malformed JSON']) {
      expect(byName.get(`basics: ${basic}`), basic).toBe('pass');
    }
    expect(byName.get('server.add_peer')).toBe('skip');
    // Implementation-specific methods only with --all.
    expect(byName.has('blockchain.transaction.get_height')).toBe(false);
    expect(r.stdout).toMatch(/blockchain\.scripthash\.get_balance +\| pass +\| \["[0-9a-f]{8}…"\] \(params from the server's data\)$/m);
    expect(r.stdout).toMatch(/^PASS: \d+ checks, \d+ passed, 0 failed, 1 skipped, 0 deviations \(stratum-sdk regtest 0\.1\.0, protocol 1\.6\)$/m);
    // Progress: one line per check on stderr when it is not a terminal, with how many are left.
    expect(r.stderr).toMatch(/^pass blockchain\.block\.header \(\d+ done, \d+ left\)$/m);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/\(\d+ done, 0 left\)$/);
  });

  it('rewrites one progress line in place on a terminal, and works over WebSocket too', async () => {
    const err: string[] = [];
    const out: string[] = [];
    const code = await main(['conformance', world.urls.electrumWs], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), interrupt: new AbortController().signal, isTty: true });
    expect(code).toBe(0);
    expect(err[0]).toBe('checking server.version… (0 done, 1 left)');
    expect(err.slice(1).every((line) => line.startsWith('\x1b[1A\x1b[2K'))).toBe(true);
    expect(err.at(-1)).toMatch(/^\x1b\[1A\x1b\[2Kchecked \d+: none failed$/);
    expect(out.join('\n')).toMatch(/^PASS: /m);
  });

  it('prints the report as JSON with --json, at the protocol version asked for', async () => {
    const r = await runCli(['conformance', world.urls.electrumTcp, '--json', '--protocol-version', '1.4']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { protocolVersion: string; ok: boolean; checks: { id: string; title: string; status: string; reason: string }[] };
    expect(report.protocolVersion).toBe('1.4');
    expect(report.ok).toBe(true);
    // blockchain.relayfee is legacy, offered below 1.6; mempool.get_info only from 1.6.
    expect(report.checks.find((c) => c.id === 'blockchain.relayfee')?.status).toBe('pass');
    expect(report.checks.some((c) => c.id === 'mempool.get_info')).toBe(false);
  });

  it('fails naming the method whose answer breaks the spec, exit 1', async () => {
    const server = await brokenServer({
      'server.banner': (() => 42) as never,
      'blockchain.block.header': (() => 'zz') as never,
    });
    try {
      const r = await runCli(['conformance', server.url('tcp') as string]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^server\.banner +\| fail +\| invalid result for \[\]: result: must be string/m);
      expect(r.stdout).toMatch(/^blockchain\.block\.header +\| fail +\| invalid result for \[2\]: /m);
      expect(r.stdout).toMatch(/^blockchain\.block\.headers +\| pass /m);
      expect(r.stdout).toMatch(/^FAIL: \d+ checks, \d+ passed, 2 failed/m);
      expect(r.stderr).toMatch(/^fail server\.banner \(\d+ done, \d+ left, \d failed\)$/m);
    } finally {
      await server.close();
    }
  });

  it('fails a server that accepts an invalid transaction or errs on a valid request', async () => {
    const server = await brokenServer({
      'blockchain.transaction.broadcast': (() => 'ab'.repeat(32)) as never,
      'blockchain.scripthash.get_balance': () => {
        throw new ServerError('blockchain.scripthash.get_balance', 2, 'daemon error: out of order');
      },
    });
    try {
      const report = await runConformance(server.url('tcp') as string);
      const failed = report.checks.filter((c) => c.status === 'fail');
      expect(failed.map((c) => c.id).sort()).toEqual(['blockchain.scripthash.get_balance', 'blockchain.transaction.broadcast']);
      expect(failed.find((c) => c.id === 'blockchain.transaction.broadcast')?.reason).toMatch(/accepted the invalid transaction \["00"\]/);
      expect(report.ok).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('fails broken protocol basics: wrong error codes, mangled ids, no batches, a version nobody speaks', async () => {
    // A scripted server that negotiates and answers pings, and gets the basics wrong.
    const server = await scriptedServer((message, reply) => {
      if (Array.isArray(message)) return reply({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'no batches' } });
      const { id, method, params } = message as { id: unknown; method: string; params: unknown[] };
      if (method === 'server.version') return reply({ jsonrpc: '2.0', id, result: ['scripted 1.0', '1.4'] });
      if (method === 'server.ping') return reply({ jsonrpc: '2.0', id: typeof id === 'string' ? 7 : id, result: null });
      if (method === 'blockchain.block.header') return reply({ jsonrpc: '2.0', id, error: { code: -1, message: 'bad' } });
      return reply({ jsonrpc: '2.0', id, error: { code: 2, message: `no ${String(params)}` } });
    });
    try {
      const report = await runConformance(server.url, { timeout: 2_000 });
      const status = (title: string) => report.checks.find((c) => c.title === title);
      expect(status('server.version')?.status).toBe('pass');
      expect(status('basics: unsupported version')).toMatchObject({ status: 'fail', reason: expect.stringMatching(/answered \["scripted 1.0","1.4"\] to a client that speaks only 0.1/) });
      expect(status('basics: unknown method')).toMatchObject({ status: 'fail', reason: 'error code 2 for an unknown method, expected -32601' });
      expect(status('basics: bad params')).toMatchObject({ status: 'fail', reason: expect.stringMatching(/error code -1, expected one of -32602, 1/) });
      expect(status('basics: string id')).toMatchObject({ status: 'fail', reason: 'sent id "conformance-id-ü", the answer carried 7' });
      expect(status('basics: numeric id')?.status).toBe('pass');
      expect(status('basics: batch')).toMatchObject({ status: 'fail', reason: expect.stringMatching(/^answered a batch with a single message, not an array: .*no batches/) });
      // Malformed JSON ignored, the connection still answers: the weaker pass.
      expect(status('basics: malformed JSON')).toMatchObject({ status: 'pass', reason: 'no -32700 error, but the connection still answers' });
      // Each method's failure names it: this server knows no method but ping and version.
      expect(status('server.banner')).toMatchObject({ status: 'fail', reason: expect.stringMatching(/^\[\]: server error 2/) });
      expect(report.ok).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('refuses bad usage and explains an unreachable server', async () => {
    expect((await runCli(['conformance'])).code).toBe(2);
    expect((await runCli(['conformance', 'stratum+tcp://127.0.0.1:1'])).stderr).toMatch(/a pool probe needs --user <worker>/);
    expect((await runCli(['conformance', 'tcp://127.0.0.1:1', '--user', 'me'])).stderr).toMatch(/--user is for pools/);
    expect((await runCli(['conformance', 'tcp://127.0.0.1:1', '--fail-on', 'warning'])).stderr).toMatch(/--fail-on must be error or deviation/);
    const help = await runCli(['conformance', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: stratum-sdk conformance <url>/);
    const server = await brokenServer({});
    const url = server.url('tcp') as string;
    await server.close();
    const r = await runCli(['conformance', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CONNECT: .*ECONNREFUSED/);
  });
});
