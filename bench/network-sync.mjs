#!/usr/bin/env node
// Issue 16 item 5: syncing a wallet from the regtest world, side by side in one run. The world (a child process)
// gives 1,000 addresses 20,000 transactions (buildWalletHistory) and serves them over Electrum TCP; each client then
// fetches every address's history, every transaction, every merkle proof and the headers, and the wall time is
// measured:
//   - ElectrumNetwork with verify on: headers checked from genesis (proof of work, difficulty rules), every history
//     entry proven by its merkle proof against them, every transaction hashed against its txid;
//   - ElectrumNetwork with verify off (headers are verified either way);
//   - electrum-cash 3.2 (TCP), a client of the same server, which verifies nothing;
//   - the Electrum wallet (/usr/bin/electrum, if installed): a watch-only wallet of the same addresses, from the
//     daemon's start until `is_synchronized` (it fetches the same data and checks merkle proofs and headers).
// All run against the same server process, interleaved round by round after a warm-up (bench/lib/rounds.mjs: a noisy
// neighbour slows each alike); each time is shown as its median (min-max), each ratio is taken within a round, with
// the CPU time the client (this process) and the server (the world's) spent, which tells a client that computes from
// one that waits, and the time the client's event loop sat idle during the sync (waiting for the server: near zero
// means the client's own work, not the server, sets the pace). `--profile` adds the functions a verify-on sync spends its time in (self time, this process).
// Targets, printed as ratios and never asserted: verify on at least 5x faster than the Electrum wallet, and no
// slower than electrum-cash without verification.
//
// The server memoizes merkle branches (one tree per block, built once, its nodes kept as the hex sent) so that what is
// timed is the client: the regtest backend recomputes a 1,000-leaf tree for each get_merkle, and re-encoding the
// branch for each reply cost the server more than half its CPU, which all clients paid alike.
//
// Run: npm run build && node bench/network-sync.mjs [--addresses 1000] [--transactions 20000] [--rounds 5]
//      [--no-electrum] [--profile]   (or env ADDRESSES, TRANSACTIONS, ROUNDS)
import { execFile, fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProfile, startProfile, summarizeProfile } from './lib/profile.mjs';
import { fmtRatio, interleave, machine, ratios, spread, verdict } from './lib/rounds.mjs';

const SELF = fileURLToPath(import.meta.url);
const HOST = '127.0.0.1';
const TARGET_VS_ELECTRUM = 5;
const TARGET_VS_CASH = 1;
/** Satoshis each wallet transaction pays (buildWalletHistory's default). */
const AMOUNT = 1_000;
// Electrum wallet runs are long: one is enough to compare against, and a deadline keeps a stuck daemon from
// holding the bench forever.
const ELECTRUM_DEADLINE_MS = 15 * 60_000;

function option(name, env, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at !== -1 ? process.argv[at + 1] : process.env[env];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`--${name} must be a positive integer, got ${raw}`);
  return value;
}

const ADDRESSES = option('addresses', 'ADDRESSES', 1000);
const TRANSACTIONS = option('transactions', 'TRANSACTIONS', 20_000);
const ROUNDS = option('rounds', 'ROUNDS', 5);
const WITH_ELECTRUM = !process.argv.includes('--no-electrum');
const PROFILE = process.argv.includes('--profile');

if (process.argv.includes('--serve')) await serve();
else await main();

// ---- The world, in its own process ----

async function serve() {
  const { RegtestChain, buildWalletHistory } = await import('../dist/regtest/chain.js');
  const { electrumBackend, notifyChainEvents } = await import('../dist/regtest/electrum-backend.js');
  const { createElectrumServer } = await import('../dist/servers/electrum-server.js');
  const { scriptHash, scriptPubKeyToAddress, merkleParent, hashFromHex } = await loadBitcoin();
  const chain = new RegtestChain();
  const scripts = Array.from({ length: ADDRESSES }, (_, i) => `0014${(i + 1).toString(16).padStart(40, '0')}`);
  const started = performance.now();
  buildWalletHistory(chain, scripts, { transactions: TRANSACTIONS, amount: AMOUNT });
  const buildMs = performance.now() - started;

  // Merkle branches, one tree per block, built on first use, its nodes kept as the hex they are sent as, each one flat
  // string (Buffer's encoder; a string built by concatenation would be flattened by every reply that sends it).
  const trees = new Map();
  const branch = (height, pos) => {
    let levels = trees.get(height);
    if (!levels) {
      const bytes = [chain.block(height).txids.map((t) => hashFromHex(t))];
      while (bytes[bytes.length - 1].length > 1) {
        const level = bytes[bytes.length - 1];
        const next = [];
        for (let j = 0; j < level.length; j += 2) next.push(merkleParent(level[j], level[j + 1] ?? level[j]));
        bytes.push(next);
      }
      levels = bytes.slice(0, -1).map((level) => level.map((node) => Buffer.from(node).reverse().toString('hex')));
      trees.set(height, levels);
    }
    const out = new Array(levels.length);
    for (let l = 0, i = pos; l < levels.length; l++, i >>= 1) out[l] = levels[l][i ^ 1] ?? levels[l][i];
    return out;
  };
  const handlers = electrumBackend(chain);
  const honestMerkle = handlers['blockchain.transaction.get_merkle'];
  handlers['blockchain.transaction.get_merkle'] = (params, ctx) => {
    const found = chain.transaction(params[0]);
    if (!found || found.pos < 0 || (params[1] !== undefined && params[1] !== found.height)) return honestMerkle(params, ctx);
    return { block_height: found.height, merkle: branch(found.height, found.pos), pos: found.pos };
  };
  const server = await createElectrumServer({
    handlers,
    listen: { tcp: { host: HOST, port: 0 } },
    serverSoftware: 'stratum-sdk bench 0.1.0',
    // Electrum's own sync pipelines hundreds of requests; none of the clients should be slowed by our defaults.
    limits: { maxPendingRequests: 100_000, maxSubscriptions: 1_000_000 },
  });
  notifyChainEvents(chain, server);
  process.send({
    type: 'ready',
    port: Number(new URL(server.url('tcp')).port),
    height: chain.height,
    buildMs,
    scripthashes: scripts.map((s) => scriptHash(s)),
    addresses: scripts.map((s) => scriptPubKeyToAddress(s, 'regtest')),
  });
  process.on('message', (m) => {
    if (m?.type === 'stop') void server.close().then(() => process.exit(0));
    if (m?.type === 'cpu') process.send({ type: 'cpu', usage: process.cpuUsage() });
  });
}

async function loadBitcoin() {
  const bitcoin = await import('../dist/bitcoin.js');
  const { merkleParent } = await import('../dist/bitcoin/merkle.js');
  const { hashFromHex } = await import('../dist/bitcoin/bytes.js');
  return { ...bitcoin, merkleParent, hashFromHex };
}

// ---- The clients ----

async function syncOurs(port, scripthashes, verify) {
  const { ElectrumNetwork } = await import('../dist/electrum.js');
  const started = performance.now();
  const network = await ElectrumNetwork.connect({ servers: [`tcp://${HOST}:${port}`], network: 'regtest', verify, keepAlive: false, timeout: 300_000, clientName: 'bench' });
  // Histories: with verify, each confirmed entry's merkle proof is fetched and checked against the verified header.
  const histories = await network.batch(scripthashes.map((sh) => ['blockchain.scripthash.get_history', [sh]]));
  const txids = [];
  for (const h of histories) {
    if (!h.ok) throw h.error;
    for (const e of h.value) txids.push(e.tx_hash);
  }
  // Without verify, the proofs are fetched as they are (with it, the history check has fetched and proven them).
  if (!verify) {
    const proofs = await network.batch(txids.map((t) => ['blockchain.transaction.get_merkle', [t]]));
    for (const p of proofs) if (!p.ok) throw p.error;
  }
  const txs = await network.batch(txids.map((t) => ['blockchain.transaction.get', [t]]));
  for (const t of txs) if (!t.ok) throw t.error;
  const ms = performance.now() - started;
  await network.close();
  return { ms, transactions: txids.length };
}

async function syncCash(port, scripthashes, height) {
  // Unmodified: the server reads a client's JSON-RPC dialect as aiorpcX does (src/runtime/server/dialects.ts), and
  // answers electrum-cash, which sends no "jsonrpc", in 2.0, without the `"error": null` it would take for an error.
  const { ElectrumClient, ElectrumTransport } = await import('electrum-cash');
  const ask = async (client, method, ...params) => {
    const value = await client.request(method, ...params);
    if (value instanceof Error) throw value; // electrum-cash resolves (not rejects) with an Error
    return value;
  };
  const started = performance.now();
  const client = new ElectrumClient('bench-electrum-cash', '1.4', HOST, port, ElectrumTransport.TCP.Scheme, 300_000, 600_000, 600_000);
  await client.connect();
  for (let start = 0; start <= height; start += 2016) await ask(client, 'blockchain.block.headers', start, Math.min(2016, height + 1 - start));
  const histories = await Promise.all(scripthashes.map((sh) => ask(client, 'blockchain.scripthash.get_history', sh)));
  const entries = histories.flat();
  await Promise.all(entries.map((e) => ask(client, 'blockchain.transaction.get_merkle', e.tx_hash, e.height)));
  await Promise.all(entries.map((e) => ask(client, 'blockchain.transaction.get', e.tx_hash)));
  const ms = performance.now() - started;
  await client.disconnect(true);
  return { ms, transactions: entries.length };
}

function run(file, args, timeout = 120_000) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.slice(0, 4).join(' ')} ...: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The Electrum wallet: a watch-only wallet of the addresses, timed from the daemon's start to is_synchronized. */
async function syncElectrum(port, addresses) {
  const dir = mkdtempSync(join(tmpdir(), 'electrum-bench-'));
  const base = ['--regtest', '--dir', dir];
  try {
    await run('electrum', [...base, '--offline', 'restore', addresses.join(' ')]);
    const started = performance.now();
    await run('electrum', [...base, 'daemon', '-d', '--oneserver', '--server', `${HOST}:${port}:t`]);
    await run('electrum', [...base, 'load_wallet']);
    const deadline = Date.now() + ELECTRUM_DEADLINE_MS;
    for (;;) {
      const out = (await run('electrum', [...base, 'is_synchronized'])).trim();
      if (out === 'true') {
        // is_synchronized is true before the first address is even asked for: the confirmed balance must be all
        // there too (each transaction pays its address AMOUNT satoshis).
        const { confirmed } = JSON.parse(await run('electrum', [...base, 'getbalance']));
        if (Math.round(Number(confirmed) * 1e8) === TRANSACTIONS * AMOUNT) return { ms: performance.now() - started, transactions: TRANSACTIONS };
      }
      if (Date.now() > deadline) throw new Error(`not synchronized after ${ELECTRUM_DEADLINE_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await run('electrum', [...base, 'stop']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- The run ----

function serverCpu(child) {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve((m.usage.user + m.usage.system) / 1000));
    child.send({ type: 'cpu' });
  });
}

async function main() {
  const child = fork(SELF, ['--serve', ...process.argv.slice(2)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const world = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the world exited (code ${code})`)));
  });
  console.log(`network-sync: ${ADDRESSES} addresses, ${TRANSACTIONS} transactions in ${world.height} blocks (the world built them in ${(world.buildMs / 1000).toFixed(1)} s)`);
  console.log(`  machine: ${await machine()}`);
  const clients = {
    'ElectrumNetwork, verify on': () => syncOurs(world.port, world.scripthashes, true),
    'ElectrumNetwork, verify off': () => syncOurs(world.port, world.scripthashes, false),
    'electrum-cash 3.2 (no verification)': () => syncCash(world.port, world.scripthashes, world.height),
  };
  const cpu = Object.fromEntries(Object.keys(clients).map((name) => [name, { client: [], server: [], idle: [] }]));
  const timed = Object.fromEntries(
    Object.entries(clients).map(([name, sync]) => [
      name,
      async () => {
        const server = await serverCpu(child);
        const client = process.cpuUsage();
        const loop = performance.eventLoopUtilization();
        const { ms, transactions } = await sync();
        const used = process.cpuUsage(client);
        cpu[name].idle.push(performance.eventLoopUtilization(loop).idle);
        cpu[name].client.push((used.user + used.system) / 1000);
        cpu[name].server.push((await serverCpu(child)) - server);
        if (transactions !== TRANSACTIONS) throw new Error(`${name} synced ${transactions} transactions, not ${TRANSACTIONS}`);
        return ms;
      },
    ]),
  );
  try {
    const times = await interleave(timed, { rounds: ROUNDS, warmUp: 1 });
    // The warm-up's CPU figures are dropped with its times.
    for (const c of Object.values(cpu)) for (const k of ['client', 'server', 'idle']) c[k].splice(0, c[k].length - ROUNDS);
    let electrum;
    if (WITH_ELECTRUM) {
      if (!existsSync('/usr/bin/electrum')) electrum = { skipped: 'no /usr/bin/electrum' };
      else {
        try {
          electrum = await syncElectrum(world.port, world.addresses);
        } catch (e) {
          electrum = { skipped: e.message.split('\n')[0] };
        }
      }
    }
    const s = (xs, digits = 2) => {
      const { min, median, max } = spread(xs);
      return `${(median / 1000).toFixed(digits)} s (${(min / 1000).toFixed(digits)}-${(max / 1000).toFixed(digits)})`;
    };
    const med = (xs) => spread(xs).median;
    console.log(`  ${ROUNDS} interleaved rounds after a warm-up; wall time median (min-max); CPU medians, this process and the server's`);
    for (const [name, xs] of Object.entries(times)) {
      console.log(`  ${name.padEnd(38)} ${s(xs).padEnd(22)} client CPU ${med(cpu[name].client).toFixed(0).padStart(5)} ms, server CPU ${med(cpu[name].server).toFixed(0).padStart(5)} ms, client idle ${med(cpu[name].idle).toFixed(0).padStart(4)} ms`);
    }
    const on = times['ElectrumNetwork, verify on'];
    const off = times['ElectrumNetwork, verify off'];
    const cash = times['electrum-cash 3.2 (no verification)'];
    if (electrum?.ms !== undefined) console.log(`  ${'Electrum wallet 4 (watch-only, to synced)'.padEnd(38)} ${(electrum.ms / 1000).toFixed(2)} s (one run)`);
    else if (electrum) console.log(`  Electrum wallet: skipped (${electrum.skipped})`);
    const vsCash = ratios(cash, on);
    console.log(`  verify on vs electrum-cash: ${fmtRatio(vsCash)} as fast ${verdict(vsCash, TARGET_VS_CASH, true)}`);
    if (electrum?.ms !== undefined) {
      const vsElectrum = on.map((t) => electrum.ms / t);
      console.log(`  verify on vs Electrum wallet: ${fmtRatio(vsElectrum)} as fast ${verdict(vsElectrum, TARGET_VS_ELECTRUM, true)}`);
    }
    console.log(`  verify off vs electrum-cash: ${fmtRatio(ratios(cash, off))} as fast`);
    console.log(`  verification costs ${fmtRatio(ratios(on, off))} the time of verify off`);
    if (PROFILE) {
      const stop = await startProfile();
      await syncOurs(world.port, world.scripthashes, true);
      console.log('  profile of one verify-on sync (this process; "dispatch" is the profiler starting and stopping):');
      console.log(formatProfile(summarizeProfile(await stop(), 20)));
    }
  } finally {
    child.send({ type: 'stop' });
  }
}
