// Every command-line mistake is one line on stderr and exit code 2: bad URLs, missing ports, params the spec
// refuses, unknown flags, a subscribe of something that is not a subscription, and the wrong kind of server
// (an Electrum URL at a pool, a stratum URL at an Electrum server), which is recognised and named.
// Also the offline conversions: scripthash and address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressToScriptPubKey } from '../../src/bitcoin/address.js';
import { addressToScriptHash } from '../../src/bitcoin/scripthash.js';
import { startWorld, type World } from '../../src/regtest/world.js';
import { runCli } from '../helpers/cli.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
});
afterAll(() => world.close());

/** Exit 2, one line, naming the command and where its usage is. */
async function usageError(args: string[]): Promise<string> {
  const r = await runCli(args);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(new RegExp(`^stratum-sdk ${args[0]}: .* \\(see \`stratum-sdk ${args[0]} --help\`\\)$`));
  return r.stderr;
}

describe('usage errors: one line, exit 2', () => {
  it('bad URLs say what to write instead', async () => {
    expect(await usageError(['call', '127.0.0.1:50001', 'server.banner'])).toMatch(/"127\.0\.0\.1:50001" is not a server URL: write it with a scheme, like tcp:\/\/127\.0\.0\.1:50001/);
    expect(await usageError(['call', 'localhost:50001', 'server.banner'])).toMatch(/unknown scheme localhost:\/\/|not a server URL/);
    expect(await usageError(['call', 'http://127.0.0.1:50003', 'server.banner'])).toMatch(/use ws:\/\/ for Electrum over WebSocket \(ws:\/\/127\.0\.0\.1:50003\)/);
    expect(await usageError(['call', 'https://example.org', 'server.banner'])).toMatch(/use wss:\/\//);
    expect(await usageError(['call', 'electrum://127.0.0.1:1', 'server.banner'])).toMatch(/unknown scheme electrum:\/\/ \(expected tcp:\/\/, tls:\/\/, ws:\/\/, wss:\/\/ or stratum\+tcp:\/\/\)/);
    expect(await usageError(['call', 'tcp://:50001', 'server.banner'])).toMatch(/a host is needed|not a valid URL/);
    expect(await usageError(['call', 'tcp://127.0.0.1:99999', 'server.banner'])).toMatch(/port 99999 is out of range|not a valid URL/);
    expect(await usageError(['subscribe', 'stratum+tcps://127.0.0.1:3334', 'mining.subscribe'])).toMatch(/write stratum\+ssl:\/\//);
  });

  it('a pool URL without a port is refused (pools have no standard port); Electrum ones take the documented default', async () => {
    expect(await usageError(['call', 'stratum+tcp://127.0.0.1', 'mining.subscribe'])).toMatch(/a pool URL needs a port, as pools have no standard one \(e\.g\. stratum\+tcp:\/\/127\.0\.0\.1:3333\)/);
    expect(await usageError(['mine', 'stratum+tcp://127.0.0.1', '--user', 'x'])).toMatch(/needs a port/);
    // tcp:// without a port is 50001, as --help says.
    for (const command of ['call', 'subscribe', 'mine']) expect((await runCli([command, '--help'])).stdout).toMatch(/tcp 50001, tls\/ssl 50002, ws 80, wss 443|port is required/);
  });

  it('unknown and malformed flags are named, with the nearest known one', async () => {
    expect(await usageError(['call', 'tcp://127.0.0.1:1', 'server.banner', '--timeuot', '5'])).toMatch(/unknown option --timeuot \(did you mean --timeout\?\)/);
    expect(await usageError(['call', 'tcp://127.0.0.1:1', 'server.banner', '--bogus'])).toMatch(/unknown option --bogus \(see/);
    expect(await usageError(['call', 'tcp://127.0.0.1:1', 'server.banner', '--timeout'])).toMatch(/--timeout needs a value/);
    expect(await usageError(['mine', 'stratum+tcp://127.0.0.1:1', '-u'])).toMatch(/--user needs a value/);
    expect(await usageError(['world', '--help=yes'])).toMatch(/--help takes no value/);
    expect(await usageError(['serve', 'extra'])).toMatch(/unexpected argument "extra"/);
  });

  it('a param of the wrong type is refused before it is sent', async () => {
    expect(await usageError(['call', world.urls.electrumTcp, 'blockchain.block.header', 'tip'])).toMatch(/invalid params for blockchain\.block\.header: /);
    expect(await usageError(['call', world.urls.electrumTcp, 'blockchain.scripthash.get_balance', 'not-a-hash'])).toMatch(/invalid params for blockchain\.scripthash\.get_balance/);
  });

  it('subscribe refuses what is not a subscription, instead of waiting for ever', async () => {
    expect(await usageError(['subscribe', world.urls.electrumTcp, 'server.banner'])).toMatch(/server\.banner is not a subscription: it answers once and sends no notifications; use `stratum-sdk call` \(subscriptions: blockchain\./);
    expect(await usageError(['subscribe', world.urls.stratum, 'mining.authorize', 'me', 'x'])).toMatch(/mining\.authorize is not a subscription/);
    // A subscription still works.
    const stop = new AbortController();
    const r = await runCli(['subscribe', world.urls.electrumTcp, 'blockchain.headers.subscribe'], stop.signal, () => stop.abort());
    expect(r.code).toBe(0);
  });
});

describe('the wrong kind of server is recognised and named', () => {
  it('an Electrum URL at a pool', async () => {
    const pool = new URL(world.urls.stratum.replace('stratum+tcp:', 'http:'));
    const err = await usageError(['call', `tcp://${pool.host}`, 'server.banner']);
    expect(err).toContain(`this looks like a Stratum mining pool, not an Electrum server: try stratum+tcp://${pool.host}`);
    // conformance prints its progress on stderr first; the verdict is the last line.
    const conformance = await runCli(['conformance', `tcp://${pool.host}`]);
    expect(conformance.code).toBe(2);
    expect(conformance.stderr.split('\n').at(-1)).toMatch(/^stratum-sdk conformance: .*this looks like a Stratum mining pool, not an Electrum server/);
  });

  it('a stratum URL at an Electrum server', async () => {
    const electrum = new URL(world.urls.electrumTcp.replace('tcp:', 'http:'));
    const err = await usageError(['call', `stratum+tcp://${electrum.host}`, 'mining.subscribe']);
    expect(err).toContain(`this looks like an Electrum server (stratum-sdk regtest 0.1.0), not a Stratum mining pool: try tcp://${electrum.host}`);
    expect(await usageError(['mine', `stratum+tcp://${electrum.host}`, '--user', 'me', '--threads', '1'])).toMatch(/looks like an Electrum server/);
  });

  it('a server that is simply down is still a connection failure (exit 1)', async () => {
    const r = await runCli(['call', 'tcp://127.0.0.1:1', 'server.banner']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^CONNECT: .*ECONNREFUSED/);
  });
});

describe('stratum-sdk scripthash and address', () => {
  const REGTEST = 'bcrt1qcr8te4kr609gcawutmrza0j4xv80jy8zeqchgx';
  const MAINNET = 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4';

  it('prints the Electrum script hash of an address, and of a script', async () => {
    const r = await runCli(['scripthash', REGTEST]);
    expect(r).toEqual({ code: 0, stdout: addressToScriptHash(REGTEST, 'regtest'), stderr: '' });
    expect((await runCli(['scripthash', MAINNET, '--network', 'mainnet'])).stdout).toBe(addressToScriptHash(MAINNET, 'mainnet'));
    const script = addressToScriptPubKey(REGTEST, 'regtest');
    expect((await runCli(['scripthash', '--script', script])).stdout).toBe(r.stdout);
    // What the world's Electrum server takes.
    const balance = await runCli(['call', world.urls.electrumTcp, 'blockchain.scripthash.get_balance', r.stdout]);
    expect(JSON.parse(balance.stdout)).toEqual({ confirmed: 0, unconfirmed: 0 });
  });

  it('prints the address of a scriptPubKey on a network (mainnet by default)', async () => {
    const script = addressToScriptPubKey(REGTEST, 'regtest');
    expect(await runCli(['address', script, '--network', 'regtest'])).toEqual({ code: 0, stdout: REGTEST, stderr: '' });
    expect((await runCli(['address', script])).stdout).toMatch(/^bc1q/);
    expect((await runCli(['address', '76a914' + '11'.repeat(20) + '88ac', '--network', 'testnet'])).stdout).toMatch(/^[mn]/);
  });

  it('refuses what it cannot convert, saying why', async () => {
    expect(await usageError(['scripthash', MAINNET, '--network', 'regtest'])).toMatch(/is not a regtest address: .*mainnet/);
    expect(await usageError(['scripthash', 'nonsense'])).toMatch(/"nonsense" is not an address/);
    expect(await usageError(['scripthash', '0014' + '11'.repeat(20)])).toMatch(/for a script in hex, use --script/);
    expect(await usageError(['scripthash', REGTEST, '--network', 'moon'])).toMatch(/--network must be one of mainnet, testnet, signet, regtest/);
    expect(await usageError(['scripthash', '--script', 'xyz'])).toMatch(/--script must be a scriptPubKey in hex/);
    expect(await usageError(['address', addressToScriptHash(REGTEST, 'regtest')])).toMatch(/a script hash cannot be turned back into one/);
    expect(await usageError(['address', REGTEST])).toMatch(/it looks like an address: stratum-sdk scripthash takes those/);
    expect(await usageError(['address', '6a0568656c6c6f'])).toMatch(/has no address/);
    expect((await runCli(['scripthash', '--help'])).stdout).toMatch(/^Usage: stratum-sdk scripthash <address>/);
    expect((await runCli(['--help'])).stdout).toMatch(/scripthash +the Electrum script hash of an address/);
  });
});
