// examples/: every program type-checks against the built package (its entry points resolved through its
// "exports" to dist/*.d.ts, as the README's blocks are in readme.test.ts), and the two that finish on their own run to completion as a user runs them,
// a Node process each: the balance check against an in-process regtest world, and the server of your own.
// Each is bundled from its TypeScript with esbuild, 'stratum-sdk/*' resolved to the sources.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressToScriptPubKey } from '../src/bitcoin/address.js';
import { bytesToHex } from '../src/bitcoin/bytes.js';
import { addressToScriptHash } from '../src/bitcoin/scripthash.js';
import { serializeTransaction } from '../src/bitcoin/tx.js';
import { startWorld, type World } from '../src/regtest/world.js';
import { removeBuiltPackage, repo, sdkFilesRead, typecheckAsPackage } from './helpers/typecheck.js';

const examples = path.join(repo, 'examples');
const src = path.join(repo, 'src');
const run = promisify(execFile);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stratum-sdk-examples-'));
  // The bundles sit outside the repository; their dependencies (ws, @noble/hashes, @scure/base) come from its node_modules.
  await symlink(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await removeBuiltPackage();
});

/** 'stratum-sdk' and 'stratum-sdk/x' to src/index.ts and src/x.ts, as the package's exports map them to dist/. */
const sdkFromSources: Plugin = {
  name: 'stratum-sdk-from-src',
  setup(b) {
    b.onResolve({ filter: /^stratum-sdk(\/.*)?$/ }, (args) => ({ path: path.join(src, `${args.path === 'stratum-sdk' ? 'index' : args.path.slice('stratum-sdk/'.length)}.ts`) }));
  },
};

/** Bundles an example for Node and runs it with `args`; resolves with what it printed. */
async function runExample(name: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const outfile = path.join(dir, name.replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [path.join(examples, name)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    plugins: [sdkFromSources],
    // Only the SDK is bundled; its dependencies load from node_modules as they would for a user.
    packages: 'external',
    logLevel: 'silent',
  });
  return run(process.execPath, [outfile, ...args], { cwd: repo, timeout: 30_000 });
}

describe('examples/', () => {
  it('has small programs, each saying how to run it, and every one type-checks against the package', { timeout: 60_000 }, async () => {
    const names = (await readdir(examples)).filter((n) => n.endsWith('.ts')).sort();
    expect(names).toEqual(['balance-check.ts', 'miner.ts', 'pool.ts', 'server.ts', 'wallet-watcher.ts']);
    for (const name of names) {
      const text = await readFile(path.join(examples, name), 'utf8');
      expect(text.split('\n').length, name).toBeLessThanOrEqual(60);
      expect(text, name).toMatch(/^\/\/ Run \(after `npm run build`/m);
      expect(text, name).toMatch(new RegExp(`npx tsx examples/${name.replace('.', '\\.')}`));
      // Imports as a user writes them: the package's entry points, nothing from src/.
      for (const [, from] of text.matchAll(/from '([^']+)'/g)) expect(from, name).toMatch(/^stratum-sdk\/(bitcoin|electrum|mining|server|regtest)$/);
    }
    // Copied out of the repository: there 'stratum-sdk' would resolve to the repository's own (maybe stale) dist/.
    const consumer = path.join(dir, 'typecheck');
    await mkdir(path.join(consumer, 'examples'), { recursive: true });
    await Promise.all(names.map((n) => copyFile(path.join(examples, n), path.join(consumer, 'examples', n))));
    const output = await typecheckAsPackage(consumer, names.map((n) => `examples/${n}`));
    expect(output.replaceAll(`${consumer}${path.sep}`, '')).toBe('');
    const read = await sdkFilesRead(consumer);
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((f) => !f.endsWith('.d.ts'))).toEqual([]);
  });

  describe('run to completion', () => {
    let world: World;
    const address = 'bcrt1qcr8te4kr609gcawutmrza0j4xv80jy8zeqchgx';
    beforeAll(async () => {
      world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
      const script = addressToScriptPubKey(address, 'regtest');
      for (let i = 0; i < 101; i++) world.chain.mine(script);
      // Spend block 1's coinbase back to the address less a fee, so the balance has a spend to account for.
      const coinbase = world.chain.block(1)!.txids[0]!;
      world.chain.acceptTransaction(
        bytesToHex(serializeTransaction({ version: 2, inputs: [{ txid: coinbase, vout: 0, scriptSig: '', sequence: 0xffffffff, witness: ['00'] }], outputs: [{ value: 49_9990_0000n, scriptPubKey: script }], locktime: 0 })),
      );
      world.chain.mine(`0014${'77'.repeat(20)}`);
    });
    afterAll(() => world?.close());

    it('balance-check.ts proves every confirmed transaction and agrees with the server', { timeout: 60_000 }, async () => {
      const { stdout } = await runExample('balance-check.ts', [world.urls.electrumTcp, address, 'regtest']);
      const expected = world.chain.balance(addressToScriptHash(address, 'regtest')).confirmed;
      expect(expected).toBe(101 * 50e8 - 10_0000);
      expect(stdout).toBe(`102 confirmed transactions, every one proven in its block\nverified balance ${expected} sat; the server says ${expected} sat confirmed\n`);
    });

    it('server.ts serves its two handlers, negotiates the version, and refuses what it does not know', { timeout: 60_000 }, async () => {
      const { stdout } = await runExample('server.ts', []);
      expect(stdout).toMatch(/^serving on tcp:\/\/127\.0\.0\.1:\d+\nnegotiated 1\.6 with example-server\/1\.0\nbanner: hello example-client\nheader 1: (11){80}\nheader 7: blockchain\.block\.header: server error 1: height 7 out of range\n$/);
    });
  });
});
