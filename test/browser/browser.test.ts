// The SDK in a real browser, built and bundled as an app would: the package is compiled with tsconfig.build.json,
// the page (page.js) imports it by its package names and esbuild bundles it with default browser settings (no
// shims, no aliases for node:*). Headless Chromium loads it from 127.0.0.1 and talks to the regtest world over
// the browser's own WebSocket: version negotiation, a call, a header subscription and its notification after a
// block is mined, and a merkle proof checked with stratum-sdk/bitcoin. The same entry is bundled with React
// Native's resolution conditions and must hold no node:* import and no `ws`, and for Node, which must keep its
// TCP, TLS and `ws` transports; the browser-facing .d.ts files must compile in a consumer with no @types/node.
// The bundle and declaration checks always run; the Chromium part runs where Chromium is installed (Debian:
// apt-get install chromium; or set CHROMIUM_BIN). CI installs it and sets STRATUM_SDK_BROWSER=required, so there a
// missing browser fails instead of skipping.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressToScriptPubKey } from '../../src/bitcoin/address.js';
import { bytesToHex } from '../../src/bitcoin/bytes.js';
import { serializeTransaction } from '../../src/bitcoin/tx.js';
import { startWorld, type World } from '../../src/regtest.js';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const chromium = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const installed = existsSync(chromium);
const required = process.env.STRATUM_SDK_BROWSER === 'required';

// What the page's scenario returns (test/browser/page.js).
interface Outcome {
  readonly rejected: boolean;
  readonly connectError?: boolean;
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
}
interface Started {
  readonly webSocket: string;
  readonly protocolVersion: string;
  readonly banner: string;
  readonly genesisHash: string;
  readonly tipHeight: number;
  readonly tcp: Outcome;
  readonly tls: Outcome;
  readonly pinnedWss: Outcome;
  readonly mining: Outcome;
  readonly fileTrustStore: Outcome;
  readonly lite: { readonly protocolVersion: string; readonly banner: string; readonly tipHeight: number };
  readonly liteTcp: Outcome;
}
interface AfterBlock {
  readonly height: number;
  readonly hash: string;
  readonly pos: number;
  readonly branchLength: number;
  readonly proven: boolean;
  readonly forgedRejected: boolean;
  readonly liteHeight: number;
}

// No network here: everything Chromium would reach for on its own (updates, sync, QUIC probes) is off.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Bundles the page entry from the built package and returns what esbuild read and wrote. */
async function bundle(dir: string, options: BuildOptions): Promise<{ metafile: Metafile; code: string }> {
  const result = await build({
    entryPoints: [join(dir, 'page.js')],
    absWorkingDir: dir,
    bundle: true,
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: join(dir, 'out.js'),
    ...options,
  });
  const code = result.outputFiles?.find((f) => f.path.endsWith('.js'))?.text;
  if (code === undefined || result.metafile === undefined) throw new Error('esbuild wrote no bundle');
  return { metafile: result.metafile, code };
}

/** Node modules and the `ws` and `socks` packages, wherever a bundle would have met them. */
function nodeOnlyInputs(metafile: Metafile, code: string): string[] {
  const found = Object.keys(metafile.inputs).filter((p) => /(^|\/)node_modules\/(ws|socks)\//.test(p) || p.startsWith('node:'));
  for (const output of Object.values(metafile.outputs)) for (const i of output.imports) if (i.path.startsWith('node:') || i.path === 'ws' || i.path === 'socks') found.push(i.path);
  for (const m of code.matchAll(/(?:from\s*|import\s*\(\s*|require\s*\(\s*)["'](node:[^"']+|ws|socks)["']/g)) found.push(m[1]!);
  return found;
}

// The package as it would be installed: the build output and package.json under node_modules/stratum-sdk, its own
// dependencies from this repository's node_modules, and the page entry beside it. Built once for the whole file.
let dir: string;
let browserBundle: { metafile: Metafile; code: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-sdk-browser-'));
  const pkg = join(dir, 'node_modules', 'stratum-sdk');
  await mkdir(pkg, { recursive: true });
  await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], { cwd: root });
  await cp(join(root, 'package.json'), join(pkg, 'package.json'));
  await symlink(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  await cp(join(root, 'test/browser/page.js'), join(dir, 'page.js'));
  // Minified, as an app ships it: what holds here holds after a minifier renamed every class and function.
  browserBundle = await bundle(dir, { platform: 'browser', minify: true });
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the built package for browsers and React Native', { timeout: 60_000 }, () => {
  it('bundles for the browser with no node:* import and no ws package', () => {
    expect(nodeOnlyInputs(browserBundle.metafile, browserBundle.code)).toEqual([]);
    expect(Object.keys(browserBundle.metafile.inputs).some((p) => p.endsWith('dist/platform/platform.browser.js'))).toBe(true);
    expect(Object.keys(browserBundle.metafile.inputs).some((p) => p.endsWith('dist/platform/platform.js'))).toBe(false);
  });

  it('bundles with React Native resolution and holds no node:* import and no ws package', async () => {
    const rn = await bundle(dir, {
      platform: 'browser',
      conditions: ['react-native', 'browser', 'import', 'default'],
      mainFields: ['react-native', 'browser', 'module', 'main'],
    });
    expect(nodeOnlyInputs(rn.metafile, rn.code)).toEqual([]);
    // Metro reads the "react-native" map (esbuild only the "browser" one): both must swap the same module.
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest['react-native']).toEqual(manifest['browser']);
  });

  it('still gives Node its TCP, TLS and ws transports', async () => {
    const node = await bundle(dir, { platform: 'node' });
    expect(Object.keys(node.metafile.inputs).some((p) => p.endsWith('dist/platform/platform.js'))).toBe(true);
    expect(Object.keys(node.metafile.inputs).some((p) => p.endsWith('dist/platform/platform.browser.js'))).toBe(false);
  });

  it('has browser-facing declarations that compile without @types/node', async () => {
    // A consumer with no Node types at all: DOM and ES2022 only, bundler resolution, full checking of the .d.ts.
    const consumer = join(dir, 'consumer');
    await mkdir(consumer);
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          module: 'ESNext',
          moduleResolution: 'bundler',
          types: [],
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: false,
          noEmit: true,
        },
        files: ['consumer.ts'],
      }),
    );
    await writeFile(
      join(consumer, 'consumer.ts'),
      [
        "import { ConnectError, webSocketConnector, type Connector } from 'stratum-sdk';",
        "import { ElectrumClient, memoryTrustStore, type ElectrumClientOptions, type TlsSettings } from 'stratum-sdk/electrum';",
        "import { MiningClient, type MiningClientOptions } from 'stratum-sdk/mining';",
        "import { ElectrumClient as LiteClient } from 'stratum-sdk/electrum/lite';",
        "import { blockHash, verifyTransactionInHeader, type MerkleProof } from 'stratum-sdk/bitcoin';",
        'const connector: Connector = webSocketConnector("wss://example.invalid");',
        'const options: ElectrumClientOptions = { connector, tls: {} satisfies TlsSettings, reconnect: true };',
        'const mining: MiningClientOptions = { connector };',
        'export async function main(proof: MerkleProof): Promise<boolean> {',
        '  const client = await ElectrumClient.connect("wss://example.invalid", options);',
        '  const header = await client.blockchain.block.header(0);',
        '  void MiningClient.connect("stratum+tcp://example.invalid:3333", mining);',
        '  void memoryTrustStore();',
        '  const lite = await LiteClient.connect("wss://example.invalid", { reconnect: true });',
        '  void (await lite.blockchain.scripthash.getBalance("00")).confirmed;',
        '  void ConnectError;',
        '  return verifyTransactionInHeader(blockHash(header), proof, header);',
        '}',
        '',
      ].join('\n'),
    );
    await symlink(join(dir, 'node_modules'), join(consumer, 'node_modules'), 'dir');
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const checked = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer }).then(
      () => '',
      (e: { stdout?: string }) => e.stdout ?? String(e),
    );
    expect(checked).toBe('');
    const { stdout: files } = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFilesOnly'], { cwd: consumer });
    expect(files.split('\n').filter((f) => /@types\/(node|ws)\//.test(f))).toEqual([]);
  });
});

describe.runIf(required && !installed)('the browser test', () => {
  it('has Chromium, as STRATUM_SDK_BROWSER=required says it must', () => {
    expect.fail(`no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_BIN)`);
  });
});

describe.runIf(installed)('the SDK in headless Chromium', { timeout: 60_000 }, () => {
  let world: World;
  let server: Server;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const www = join(dir, 'www');
    await mkdir(www);
    await writeFile(join(www, 'bundle.js'), browserBundle.code);
    await writeFile(join(www, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>stratum-sdk</title><script type="module" src="/bundle.js"></script>\n');

    world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
    const payout = addressToScriptPubKey(world.payoutAddress, 'regtest');
    for (let i = 0; i < 101; i++) world.chain.mine(payout); // block 1's coinbase is spendable in block 102

    server = createServer((request, response) => {
      const name = request.url === '/' ? 'index.html' : request.url === '/bundle.js' ? 'bundle.js' : undefined;
      if (!name) return void response.writeHead(404).end();
      readFile(join(www, name)).then(
        (body) => response.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(body),
        () => response.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${join(dir, 'profile')}`],
      protocolTimeout: 30_000,
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => void (m.type() === 'error' && pageErrors.push(m.text())));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the page server has no port');
    await page.goto(`http://127.0.0.1:${address.port}/`, { waitUntil: 'load', timeout: 20_000 });
    await page.waitForFunction('globalThis.scenario !== undefined', { timeout: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await world?.close();
  });

  it('connects over the browser WebSocket, calls, subscribes, gets the notification and proves a transaction', async () => {
    const started = (await page.evaluate(
      (ws, tcp, stratum) => (globalThis as unknown as { scenario: { start(...a: string[]): Promise<unknown> } }).scenario.start(ws, tcp, stratum),
      world.urls.electrumWs,
      world.urls.electrumTcp,
      world.urls.stratum,
    )) as Started;
    expect(pageErrors).toEqual([]);
    expect(started.webSocket).toBe('function');
    expect(started.protocolVersion).toMatch(/^1\.[46]/);
    expect(typeof started.banner).toBe('string');
    expect(started.genesisHash).toBe(world.chain.genesisHash);
    expect(started.tipHeight).toBe(101);
    // No raw sockets in a browser: a clear ConnectError that says how to bring one.
    expect(started.lite).toEqual({ protocolVersion: started.protocolVersion, banner: started.banner, tipHeight: 101 });
    for (const outcome of [started.tcp, started.tls, started.mining, started.liteTcp]) {
      // The class's own name, although the page is minified (a minifier renames classes).
      expect(outcome).toMatchObject({ rejected: true, connectError: true, code: 'CONNECT', name: 'ConnectError' });
      expect(outcome.message).toMatch(/no raw TCP or TLS sockets.*`connector` option.*streamConnector/);
    }
    expect(started.pinnedWss).toMatchObject({ rejected: true, connectError: true, code: 'CONNECT' });
    expect(started.pinnedWss.message).toMatch(/tls\.pin cannot be applied by this platform's WebSocket/);
    expect(started.fileTrustStore).toMatchObject({ rejected: true, connectError: true });
    expect(started.fileTrustStore.message).toMatch(/no file system/);

    // A block with two transactions, so the proof has a real branch: block 1's coinbase spent to the payout script.
    const payout = addressToScriptPubKey(world.payoutAddress, 'regtest');
    const spend = bytesToHex(
      serializeTransaction({
        version: 2,
        inputs: [{ txid: world.chain.block(1)!.txids[0]!, vout: 0, scriptSig: '', sequence: 0xfffffffd, witness: ['01'] }],
        outputs: [{ scriptPubKey: payout, value: 49_0000_0000n }],
        locktime: 0,
      }),
    );
    const txid = world.chain.acceptTransaction(spend);
    const block = world.chain.mine(payout);
    expect(block.txids).toEqual([expect.any(String), txid]);

    const after = (await page.evaluate(
      (id) => (globalThis as unknown as { scenario: { afterBlock(id: string): Promise<unknown> } }).scenario.afterBlock(id),
      txid,
    )) as AfterBlock;
    expect(after).toEqual({ height: 102, hash: block.hash, pos: 1, branchLength: 1, proven: true, forgedRejected: true, liteHeight: 102 });
    expect(pageErrors).toEqual([]);
  });
});
