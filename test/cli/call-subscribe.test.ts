// `stratum-sdk call` and `stratum-sdk subscribe` end to end against scripted servers on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startFakeElectrum, type FakeServer } from '../helpers/fake-electrum.js';
import { standardPool, startFakePool, type FakePool } from '../helpers/fake-pool.js';

const SH = '8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161';
let server: FakeServer | undefined;
let pool: FakePool | undefined;
afterEach(async () => {
  await server?.close();
  await pool?.close();
  server = pool = undefined;
});

const electrum = () =>
  startFakeElectrum((method, params) => {
    if (method === 'server.banner') return { result: 'Welcome' };
    if (method === 'blockchain.block.header') return { result: '00'.repeat(80) };
    if (method === 'blockchain.scripthash.get_balance') return { result: { confirmed: Number(params.length), unconfirmed: 0 } };
    if (method === 'blockchain.scripthash.subscribe') return { result: null };
    if (method === 'blockchain.transaction.get') return { error: { code: 2, message: 'daemon error: No such mempool or blockchain transaction' } };
    if (method === 'server.donation_address') return { result: 42 }; // breaks the spec: must be a string
    return undefined;
  });

describe('stratum-sdk call', () => {
  it('prints the result as JSON', async () => {
    server = await electrum();
    expect(await runCli(['call', server.url, 'server.banner'])).toEqual({ code: 0, stdout: '"Welcome"', stderr: '' });
    const balance = await runCli(['call', server.url, 'blockchain.scripthash.get_balance', SH]);
    expect(JSON.parse(balance.stdout)).toEqual({ confirmed: 1, unconfirmed: 0 });
    // A JSON number param is sent as a number.
    expect((await runCli(['call', server.url, 'blockchain.block.header', '5'])).code).toBe(0);
    expect(server.connections.at(-1)?.received.at(-1)?.['params']).toEqual([5]);
  });

  it('refuses a param nested past the message depth limit as bad usage, before connecting', async () => {
    const deep = `${'['.repeat(6000)}${']'.repeat(6000)}`;
    const result = await runCli(['call', 'tcp://127.0.0.1:1', 'server.banner', deep]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nested more than 64 levels deep/);
  });

  it('shows server errors and validation failures with a non-zero exit', async () => {
    server = await electrum();
    const failed = await runCli(['call', server.url, 'blockchain.transaction.get', 'ab'.repeat(32)]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe('server error 2 from blockchain.transaction.get: daemon error: No such mempool or blockchain transaction');
    const invalid = await runCli(['call', server.url, 'server.donation_address']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^invalid result for server.donation_address:\n  - result: must be string/);
    // Params the spec refuses are bad usage, on one line, and nothing is sent.
    const badParams = await runCli(['call', server.url, 'blockchain.scripthash.get_balance', 'xyz']);
    expect(badParams.code).toBe(2);
    expect(badParams.stderr).toMatch(/^stratum-sdk call: invalid params for blockchain\.scripthash\.get_balance: .*\(see `stratum-sdk call --help`\)$/);
    expect(badParams.stderr).not.toMatch(/\n/);
    const all = server.connections.flatMap((c) => c.received);
    expect(all.some((m) => m['method'] === 'blockchain.scripthash.get_balance' && (m['params'] as unknown[])[0] === 'xyz')).toBe(false);
  });

  it('refuses bad usage with exit code 2 and a hint', async () => {
    expect((await runCli(['call'])).code).toBe(2);
    const unknownOption = await runCli(['call', 'tcp://127.0.0.1:1', 'server.banner', '--bogus']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toMatch(/--help/);
    expect((await runCli(['call', 'tcp://127.0.0.1:1', 'server.banner', '--timeout', 'soon'])).stderr).toMatch(/--timeout must be a positive number/);
    expect((await runCli(['call', 'tcp://127.0.0.1:1', 'server.banner', '--tls-pin', 'zz'])).code).toBe(2);
    expect((await runCli(['nonsense'])).code).toBe(2);
    server = await electrum();
    expect((await runCli(['call', server.url, 'no.such.method'])).stderr).toMatch(/unknown Electrum method "no.such.method"/);
  });

  it('says clearly when the server cannot be reached', async () => {
    server = await electrum();
    const url = server.url;
    await server.close();
    server = undefined;
    const r = await runCli(['call', url, 'server.banner']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^CONNECT: 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  });

  it('has help for every command', async () => {
    for (const command of ['call', 'subscribe']) {
      const r = await runCli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: stratum-sdk ${command}`));
    }
    expect((await runCli(['--help'])).stdout).toMatch(/Commands:/);
  });

  it('talks Stratum to a stratum+tcp URL', async () => {
    pool = await startFakePool(standardPool());
    const r = await runCli(['call', pool.url, 'mining.subscribe', 'cli/1.0']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[2]).toBe(4);
  });
});

describe('stratum-sdk subscribe', () => {
  it('prints the answer and then each notification as JSON lines until interrupted', async () => {
    server = await electrum();
    const stop = new AbortController();
    const lines: string[] = [];
    const run = runCli(['subscribe', server.url, 'blockchain.scripthash.subscribe', SH], stop.signal, (line) => {
      lines.push(line);
      if (lines.length === 1) server?.broadcast({ jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [SH, 'ab'.repeat(32)] });
      if (lines.length === 2) stop.abort();
    });
    const r = await run;
    expect(r.code).toBe(0);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { type: 'result', method: 'blockchain.scripthash.subscribe', value: null },
      { type: 'notification', method: 'blockchain.scripthash.subscribe', params: [SH, 'ab'.repeat(32)] },
    ]);
  });

  it('shows a pool\'s difficulty and jobs after mining.subscribe and authorize', async () => {
    pool = await startFakePool(standardPool());
    const stop = new AbortController();
    const lines: unknown[] = [];
    const r = await runCli(['subscribe', pool.url, 'mining.subscribe'], stop.signal, (line) => {
      lines.push(JSON.parse(line));
      if (lines.length === 1) void pool?.connection(0).then((c) => c.notify('mining.set_difficulty', [8]));
      if (lines.length === 2) stop.abort();
    });
    expect(r.code).toBe(0);
    expect(lines[1]).toEqual({ type: 'notification', method: 'mining.set_difficulty', params: [8] });
  });
});
