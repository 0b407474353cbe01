#!/usr/bin/env node
// Server scale (issue 19 item 4): the regtest world's Electrum server with 10,000 connections, each
// subscribed to the block headers and 10 script hashes, while one block a second pays 1,000 of those
// script hashes (a rotating set). Reports every notification expected vs received, the latency from the
// block's mining to each client receiving it (p50 and p99 overall, and the spread of each block's p99),
// the server's memory per connection, and a CPU profile summary of the server while the blocks are mined
// (where the time of the fan-out goes).
//
// The server (bench/world-notify-server.mjs) runs in a forked process so its memory and profile are its
// own. The clients are raw net sockets speaking newline JSON in this process: 10,000 ElectrumClient
// instances would measure the client as much as the server, and one process reading 12,000 short lines a
// second is far from busy, so it does not hold the server's notifications back (one core each on a
// 2-core machine). Latency uses Date.now() in both processes (same machine, same wall clock; millisecond
// resolution). Each changed script hash is notified twice per block: when its paying transaction enters
// the mempool (timed from the acceptance), then when the block confirms it (timed, like the header, from
// the start of the mining).
//
// File descriptors: each process needs one per connection and a few more. Node raises its own soft
// limit to the hard one at start-up, so the hard limit is what counts; when the soft limit is still too
// low (a runtime that does not) and the hard limit allows, the bench runs itself again under
// `sh -c 'ulimit -n N && exec node ...'`; when the hard limit is too low it stops and says how to raise it.
//
// Run: npm run build && node bench/world-notify.mjs [--connections 10000] [--seconds 20]
//      [--per-connection 10] [--changes 1000]   (or env CONNECTIONS, SECONDS, PER_CONNECTION, CHANGES)
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { scriptHash } from '../dist/bitcoin.js';
import { formatProfile } from './lib/profile.mjs';
import { machine, spread } from './lib/rounds.mjs';
import { benchScripts } from './world-notify-server.mjs';

function option(name, env, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at !== -1 ? process.argv[at + 1] : process.env[env];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`--${name} must be a positive integer, got ${raw}`);
  return value;
}

const CONNECTIONS = option('connections', 'CONNECTIONS', 10_000);
const SECONDS = option('seconds', 'SECONDS', 20);
const PER_CONNECTION = option('per-connection', 'PER_CONNECTION', 10);
// Script hashes paid per block (one transaction, one output each), rotating through all of them.
const CHANGES = Math.min(option('changes', 'CHANGES', 1000), CONNECTIONS * PER_CONNECTION);
// Connections opened at once: enough to be quick, few enough not to overflow the listen backlog.
const CONNECT_WINDOW = 200;
// After the last block, how long to wait for notifications still on their way.
const DRAIN_MS = 3000;
// The p99 target on this 2-core machine (printed, never asserted).
const TARGET_P99_MS = 250;
// Descriptors beyond one per connection: stdio, the IPC channel, the listeners, Node's own.
const FD_SPARE = 256;

/** Makes sure this process (and the server it forks) may open enough sockets; false when it cannot. */
function ensureDescriptors() {
  const needed = CONNECTIONS + FD_SPARE;
  const read = (flag) => {
    try {
      const text = execFileSync('sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).trim();
      return text === 'unlimited' ? Infinity : Number(text);
    } catch {
      return NaN;
    }
  };
  const soft = read('-n');
  if (!(soft < needed)) return true; // enough, or unknown (no sh): try and report EMFILE if it comes
  const hard = read('-Hn');
  if (hard >= needed && process.env.WORLD_NOTIFY_FD_RAISED === undefined) {
    console.log(`world-notify: raising the file-descriptor limit from ${soft} to ${needed} (ulimit -n) and running again`);
    const result = spawnSync('sh', ['-c', `ulimit -n ${needed} && exec "$0" "$@"`, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, WORLD_NOTIFY_FD_RAISED: '1' },
    });
    process.exitCode = result.status ?? 1;
    return false;
  }
  console.log(
    `world-notify: ${CONNECTIONS} connections need about ${needed} file descriptors per process, but the limit is ${soft} (hard limit ${hard}). ` +
      `Raise it (as root: \`ulimit -Hn ${needed}\` in the shell, or LimitNOFILE in a systemd unit, or nofile in /etc/security/limits.conf), ` +
      `or run fewer: --connections ${Math.max(1, Math.min(soft, hard) - FD_SPARE)}`,
  );
  process.exitCode = 1;
  return false;
}

const SERVER = new URL('./world-notify-server.mjs', import.meta.url);
const CLIENTS = new URL('./world-notify-clients.mjs', import.meta.url);
// Client processes: the connections are split between them (see world-notify-clients.mjs).
const CLIENT_PROCESSES = option('client-processes', 'CLIENT_PROCESSES', 2);

function startChild(module, execArgv = []) {
  const child = fork(module, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  child.on('message', (message) => {
    if (message?.type === 'error') {
      const error = Object.assign(new Error(`${module.pathname.split('/').pop()}: ${message.message}`), { fd: message.fd });
      for (const w of waiting.splice(0)) w.reject(error);
      return;
    }
    const index = waiting.findIndex((w) => w.type === message?.type);
    if (index !== -1) waiting.splice(index, 1)[0].resolve(message);
  });
  child.on('exit', (code, signal) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${module.pathname.split('/').pop()} exited (code ${code}, signal ${signal})`));
  });
  return {
    child,
    request(message, replyType) {
      const reply = new Promise((resolve, reject) => waiting.push({ type: replyType, resolve, reject }));
      child.send(message);
      return reply;
    },
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' });
      });
    },
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main() {
  const hashes = benchScripts(CONNECTIONS * PER_CONNECTION).map((s) => scriptHash(s));

  const server = startChild(SERVER, ['--expose-gc']);
  const clients = [];
  try {
    const ready = await server.request({ type: 'start-world', changesPerBlock: CHANGES, totalScripthashes: hashes.length }, 'ready');
    const port = Number(new URL(ready.url).port);
    const memStart = (await server.request({ type: 'memory', label: 'start' }, 'memory')).usage;

    // Connect and subscribe, each client process its share; a connection counts once its replies are in.
    const connectStarted = Date.now();
    const share = Math.ceil(CONNECTIONS / CLIENT_PROCESSES);
    for (let from = 0; from < CONNECTIONS; from += share) clients.push({ process: startChild(CLIENTS), from, to: Math.min(CONNECTIONS, from + share) });
    try {
      await Promise.all(
        clients.map((c) =>
          c.process.request({ type: 'connect', port, from: c.from, to: c.to, perConnection: PER_CONNECTION, window: Math.ceil(CONNECT_WINDOW / clients.length) }, 'connected'),
        ),
      );
    } catch (e) {
      if (e.fd) console.log(`file-descriptor limit hit (${e.message.split('\n')[0]}); raise \`ulimit -n\` or pass a smaller --connections`);
      throw e;
    }
    const connectMs = Date.now() - connectStarted;
    const memSubscribed = (await server.request({ type: 'memory', label: 'subscribed' }, 'memory')).usage;

    // One block a second; the expected counts follow from which script hashes each block paid.
    const blocksByHeight = new Map();
    const statusIndex = new Map();
    const expected = { header: 0, mempool: 0, confirmed: 0 };
    let mineWorkMs = 0;
    let acceptWorkMs = 0;
    await server.request({ type: 'profile-start' }, 'profile-started');
    const first = Date.now();
    for (let index = 0; index < SECONDS; index++) {
      const wait = first + index * 1000 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const mined = await server.request({ type: 'mine', index }, 'mined');
      const block = { height: mined.height, minedAt: mined.minedAt, acceptedAt: mined.acceptedAt, latencies: [] };
      blocksByHeight.set(mined.height, block);
      mineWorkMs += mined.doneAt - mined.minedAt;
      acceptWorkMs += mined.acceptDoneAt - mined.acceptedAt;
      mined.chosen.forEach((i, k) => {
        statusIndex.set(`${hashes[i]}:${mined.mempoolStatuses[k]}`, { block, kind: 'mempool' });
        statusIndex.set(`${hashes[i]}:${mined.confirmedStatuses[k]}`, { block, kind: 'confirmed' });
      });
      expected.header += CONNECTIONS;
      expected.mempool += mined.chosen.length;
      expected.confirmed += mined.chosen.length;
    }
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
    const { summary: profile } = await server.request({ type: 'profile-stop', top: 15 }, 'profile');
    const memEnd = (await server.request({ type: 'memory', label: 'end' }, 'memory')).usage;

    // Attribution happens in the client processes (see world-notify-clients.mjs); the results are merged here.
    const blocks = [...blocksByHeight.values()].map((b) => [b.height, b.minedAt, b.acceptedAt]);
    const statuses = [...statusIndex].map(([key, { block, kind }]) => [key, block.height, kind]);
    const latencies = { header: [], mempool: [], confirmed: [] };
    const received = { header: 0, mempool: 0, confirmed: 0, unattributed: 0 };
    for (const c of clients) {
      const part = await c.process.request({ type: 'collect', blocks, statuses }, 'collected');
      for (const kind of Object.keys(received)) received[kind] += part.received[kind];
      for (const kind of Object.keys(latencies)) for (const l of part.latencies[kind]) latencies[kind].push(l);
      for (const [height, values] of Object.entries(part.perBlock)) for (const l of values) blocksByHeight.get(Number(height)).latencies.push(l);
    }

    const report = (kind) => {
      const sorted = latencies[kind].sort((a, b) => a - b);
      return `${String(received[kind]).padStart(7)} / ${String(expected[kind]).padEnd(7)} median ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms`;
    };
    const all = [...latencies.header, ...latencies.mempool, ...latencies.confirmed].sort((a, b) => a - b);
    const totalExpected = expected.header + expected.mempool + expected.confirmed;
    const totalReceived = received.header + received.mempool + received.confirmed;
    const perBlockP99 = [...blocksByHeight.values()].map((b) => percentile(b.latencies.sort((x, y) => x - y), 99)).filter((v) => !Number.isNaN(v));
    const p99 = percentile(all, 99);
    const p99Spread = perBlockP99.length ? spread(perBlockP99) : undefined;
    const perConnection = (from, to, field) => `${((to[field] - from[field]) / CONNECTIONS / 1024).toFixed(1)} kB`;
    console.log(`world-notify (server scale): ${CONNECTIONS.toLocaleString('en-US')} connections × ${PER_CONNECTION} script hashes + headers, ${SECONDS} blocks at 1/s, ${CHANGES.toLocaleString('en-US')} script hashes paid per block`);
    console.log(`  machine: ${await machine()}`);
    console.log(`  connect + subscribe all: ${connectMs} ms; server work per block, notify calls included: accept tx ${(acceptWorkMs / SECONDS).toFixed(1)} ms, mine ${(mineWorkMs / SECONDS).toFixed(1)} ms (averages)`);
    console.log(`  notifications received / expected, latency from the transaction's acceptance (mempool) or the block's mining (the rest):`);
    console.log(`    headers            ${report('header')}`);
    console.log(`    scripthash mempool ${report('mempool')}`);
    console.log(`    scripthash block   ${report('confirmed')}`);
    console.log(`    all                ${String(totalReceived).padStart(7)} / ${String(totalExpected).padEnd(7)} median ${percentile(all, 50)} ms, p99 ${p99} ms (target under ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'within' : 'OVER'})${received.unattributed ? `; ${received.unattributed} unattributed` : ''}`);
    if (p99Spread) console.log(`    each block's p99: median ${p99Spread.median} ms (min ${p99Spread.min}, max ${p99Spread.max} over ${p99Spread.n} blocks)`);
    console.log(`  server memory (after GC)  heapUsed / RSS:`);
    console.log(`    ${'start (world + 101 blocks, no clients)'.padEnd(40)} ${mb(memStart.heapUsed)} / ${mb(memStart.rss)}`);
    console.log(`    ${`${CONNECTIONS} clients subscribed`.padEnd(40)} ${mb(memSubscribed.heapUsed)} / ${mb(memSubscribed.rss)}`);
    console.log(`    ${`end (after ${SECONDS} blocks)`.padEnd(40)} ${mb(memEnd.heapUsed)} / ${mb(memEnd.rss)}`);
    console.log(`    per connection (subscribed less start): heap ${perConnection(memStart, memSubscribed, 'heapUsed')}, RSS ${perConnection(memStart, memSubscribed, 'rss')} (${PER_CONNECTION + 1} subscriptions each; RSS includes socket buffers)`);
    console.log(`  server CPU profile while the blocks were mined and notified (node:inspector, 1 ms samples):`);
    console.log(formatProfile(profile));
    if (totalReceived !== totalExpected) process.exitCode = 1;
  } finally {
    await Promise.all(clients.map((c) => c.process.stop()));
    await server.stop();
  }
}

if (ensureDescriptors()) main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
