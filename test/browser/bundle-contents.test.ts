// What a browser bundle of the Electrum client holds of the validators, read from esbuild's metafile: the
// package is built and installed as test/browser/browser.test.ts does, each app is bundled with esbuild's
// browser settings, minified and tree-shaken. A lean client with validate: false holds no validator module;
// one given walletValidators (or a set of its own) holds those methods' modules and no others; the default
// client of stratum-sdk/electrum holds them all. The lean Mining client holds its session's validators and no
// others; the default one all of them.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electrumMethodTable } from '../../src/generated/electrum/table.js';
import { miningMethodTable } from '../../src/generated/mining/table.js';
import { miningSessionValidators } from '../../src/generated/mining/validators/index.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

const WALLET = [
  'server.version',
  'blockchain.headers.subscribe',
  'blockchain.scripthash.subscribe',
  'blockchain.scripthash.get_history',
  'blockchain.scripthash.get_balance',
  'blockchain.scripthash.listunspent',
  'blockchain.transaction.get',
  'blockchain.transaction.broadcast',
  'blockchain.transaction.get_merkle',
];

const APP = `c.on('blockchain.headers.subscribe', (h) => console.log(h));
  await c.blockchain.headers.subscribe();
  console.log(await c.blockchain.scripthash.get_history('00'.repeat(32)), await c.server.features());`;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-sdk-bundle-'));
  const pkg = join(dir, 'node_modules', 'stratum-sdk');
  await mkdir(pkg, { recursive: true });
  await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], { cwd: root });
  await cp(join(root, 'package.json'), join(pkg, 'package.json'));
  await symlink(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * The methods whose validator modules end up in the bundle of `code`, with the bytes each contributes; whether it
 * holds the wording of validation errors, and the other modules of the package it holds code of.
 */
async function contentsOf(
  code: string,
  protocol = 'electrum',
): Promise<{ methods: string[]; shared: boolean; bytes: number; wording: boolean; modules: string[]; text: string }> {
  const entry = join(dir, `app-${Math.random().toString(36).slice(2)}.js`);
  await writeFile(entry, code);
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: dir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: join(dir, 'out.js'),
  });
  const inputs = Object.values(result.metafile.outputs)[0]!.inputs;
  const methods: string[] = [];
  let shared = false;
  let bytes = 0;
  const modules: string[] = [];
  for (const [path, input] of Object.entries(inputs)) {
    const other = /dist\/(.+)\.js$/.exec(path);
    if (other && input.bytesInOutput > 0) modules.push(other[1]!);
    const m = new RegExp(`dist/generated/${protocol}/validators/(.+)\\.js$`).exec(path);
    if (!m) continue;
    bytes += input.bytesInOutput;
    if (m[1] === 'shared') shared = input.bytesInOutput > 0;
    // The index only re-exports: what counts is which method modules it led to.
    else if (m[1] !== 'index') methods.push(m[1]!);
  }
  // A sentence only the error formatter holds (runtime/validation.ts: ajvMessage).
  const wording = result.outputFiles[0]!.text.includes('must NOT have');
  return { methods: methods.sort(), shared, bytes, wording, modules, text: result.outputFiles[0]!.text };
}

async function validatorsIn(code: string, protocol = 'electrum'): Promise<{ methods: string[]; shared: boolean; bytes: number }> {
  const { methods, shared, bytes } = await contentsOf(code, protocol);
  return { methods, shared, bytes };
}

describe('validators in a browser bundle of the Electrum client', { timeout: 120_000 }, () => {
  it('lean, validate: false: no validator module at all', async () => {
    const found = await validatorsIn(`import { ElectrumClient } from 'stratum-sdk/electrum/lean';
      const c = await ElectrumClient.connect('wss://electrum.example.org:50004', { validate: false });
      ${APP}`);
    expect(found).toEqual({ methods: [], shared: false, bytes: 0 });
  });

  it('lite: no validator, method table, list of method names, registry, iterator or batch code', async () => {
    const found = await contentsOf(`import { ElectrumClient } from 'stratum-sdk/electrum/lite';
      const c = await ElectrumClient.connect('wss://electrum.example.org:50004');
      ${APP}`);
    expect({ methods: found.methods, wording: found.wording }).toEqual({ methods: [], wording: false });
    // Its wrappers make wire names from the accessors read: the names are in no list (only in its subscription facts).
    for (const name of ['blockchain.transaction.get_merkle', 'blockchain.block.header', 'mempool.get_fee_histogram', 'server.banner']) {
      expect(found.text).not.toContain(name);
    }
    expect(found.modules).toContain('clients/electrum-lite-client');
    expect(found.modules).toContain('generated/electrum/lite');
    for (const heavy of ['generated/electrum/table', 'runtime/registry', 'runtime/channel', 'clients/electrum-batch', 'clients/electrum-subscriptions', 'platform/proxy']) {
      expect(found.modules).not.toContain(heavy);
    }
  });

  it('lean, validate: false: no error wording, proxy URL parsing or TLS pin checks either', async () => {
    const found = await contentsOf(`import { ElectrumClient } from 'stratum-sdk/electrum/lean';
      const c = await ElectrumClient.connect('wss://electrum.example.org:50004', { validate: false });
      ${APP}`);
    expect(found.wording).toBe(false);
    expect(found.modules).toContain('platform/platform.browser');
    expect(found.modules).not.toContain('platform/proxy');
    expect(found.modules).not.toContain('runtime/tls-settings');
  });

  it("lean clients carry none of the default client's hand-written notification fast paths", async () => {
    for (const options of ['{ validate: false }', '{ validators: walletValidators }']) {
      const found = await contentsOf(`import { ElectrumClient, walletValidators } from 'stratum-sdk/electrum/lean';
        const c = await ElectrumClient.connect('wss://electrum.example.org:50004', ${options});
        ${APP}`);
      expect(found.modules).not.toContain('clients/electrum-status-lines');
      expect(found.modules).not.toContain('clients/electrum-notification-shapes');
      // Nor the book's part that serves them (HexKeyedBook), nor their decision (takeStatus).
      expect(found.text).not.toContain('updateHexKeyed');
      expect(found.text).not.toContain('statusShape');
      expect(found.modules).not.toContain('runtime/pending-ring');
    }
    const full = await contentsOf(`import { ElectrumClient } from 'stratum-sdk/electrum';
      const c = await ElectrumClient.connect('wss://electrum.example.org:50004');
      ${APP}`);
    expect(full.modules).toContain('clients/electrum-status-lines');
    expect(full.modules).toContain('clients/electrum-notification-shapes');
    expect(full.text).toContain('updateHexKeyed');
    expect(full.text).toContain('statusShape');
    expect(full.modules).toContain('runtime/pending-ring');
  });

  it('lean with no validators given: none either', async () => {
    const found = await validatorsIn(`import { ElectrumClient } from 'stratum-sdk/electrum/lean';
      const c = await ElectrumClient.connect('wss://electrum.example.org:50004');
      ${APP}`);
    expect(found.methods).toEqual([]);
  });

  it("lean with walletValidators: the wallet methods' modules and no others", async () => {
    const found = await validatorsIn(`import { ElectrumClient, walletValidators } from 'stratum-sdk/electrum/lean';
      const c = await ElectrumClient.connect('wss://electrum.example.org:50004', { validators: walletValidators });
      ${APP}`);
    expect(found.methods).toEqual([...WALLET].sort());
    expect(found.shared).toBe(true);
    const contents = await contentsOf(`import { ElectrumClient, walletValidators } from 'stratum-sdk/electrum/lean';
      const c = await ElectrumClient.connect('wss://electrum.example.org:50004', { validators: walletValidators });
      ${APP}`);
    expect(contents.wording).toBe(true);
    // Its versions only (1.4 and later): no check of the deserialized headers servers sent before 1.4.
    expect(contents.text).not.toContain('prev_block_hash');
  });

  it('lean with a set of its own from stratum-sdk/electrum/validators: exactly those methods', async () => {
    const found = await validatorsIn(`import { ElectrumClient } from 'stratum-sdk/electrum/lean';
      import { server_features, blockchain_block_header } from 'stratum-sdk/electrum/validators';
      const validators = { 'server.features': server_features, 'blockchain.block.header': blockchain_block_header };
      const c = await ElectrumClient.connect('wss://electrum.example.org:50004', { validators });
      ${APP}`);
    expect(found.methods).toEqual(['blockchain.block.header', 'server.features']);
  });

  it('the default client of stratum-sdk/electrum: every method', async () => {
    const found = await validatorsIn(`import { ElectrumClient } from 'stratum-sdk/electrum';
      const c = await ElectrumClient.connect('wss://electrum.example.org:50004');
      ${APP}`);
    expect(found.methods).toEqual(Object.keys(electrumMethodTable).sort());
  });
});

const MINER = `m.on('job', (j) => console.log(j));
  await m.start({ user: 'me' });
  console.log(await m.mining.submit('me', 'bf', '00000001', '504e86ed', 'b2957c02'));`;

describe('validators in a browser bundle of the Mining client', { timeout: 120_000 }, () => {
  it("lean: the session's validators and no others, whatever validate says", async () => {
    const found = await validatorsIn(
      `import { streamConnector } from 'stratum-sdk';
      import { MiningClient } from 'stratum-sdk/mining/lean';
      const m = await MiningClient.connect('stratum+tcp://pool.example.org:3333', { connector: streamConnector(async () => globalThis.socket), validate: false });
      ${MINER}`,
      'mining',
    );
    expect(found.methods).toEqual(Object.keys(miningSessionValidators).sort());
    expect(found.methods).not.toContain('mining.submit');
  });

  it('the default client of stratum-sdk/mining: every method', async () => {
    const found = await validatorsIn(
      `import { streamConnector } from 'stratum-sdk';
      import { MiningClient } from 'stratum-sdk/mining';
      const m = await MiningClient.connect('stratum+tcp://pool.example.org:3333', { connector: streamConnector(async () => globalThis.socket) });
      ${MINER}`,
      'mining',
    );
    expect(found.methods).toEqual(Object.keys(miningMethodTable).sort());
  });
});
