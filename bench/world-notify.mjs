#!/usr/bin/env node
// Issue 5 item 6: the regtest world's Electrum server with 1,000 connections, each subscribed to the
// block headers and 10 script hashes, while one block a second for 30 s pays a rotating set of those
// script hashes. Reports every notification expected vs received, the latency from the block's mining
// to each client receiving it (median and p99), and the server's memory at start and end.
//
// The server (bench/world-notify-server.mjs) runs in a forked process so its memory is its own. The
// clients are raw net sockets speaking newline JSON in this process: 1,000 ElectrumClient instances
// would measure the client as much as the server. Latency uses Date.now() in both processes (same
// machine, same wall clock; millisecond resolution). Each changed script hash is notified twice per
// block: when its paying transaction enters the mempool (timed from the acceptance), then when the
// block confirms it (timed, like the header, from the start of the mining).
//
// Run: npx tsc -p tsconfig.build.json && node bench/world-notify.mjs [--connections 1000] [--seconds 30]
//      [--per-connection 10] [--changes 1000]   (or env CONNECTIONS, SECONDS, PER_CONNECTION, CHANGES)
import { fork } from 'node:child_process';
import net from 'node:net';
import { scriptHash } from '../dist/bitcoin.js';
import { benchScripts } from './world-notify-server.mjs';

function option(name, env, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at !== -1 ? process.argv[at + 1] : process.env[env];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`--${name} must be a positive integer, got ${raw}`);
  return value;
}

const CONNECTIONS = option('connections', 'CONNECTIONS', 1000);
const SECONDS = option('seconds', 'SECONDS', 30);
const PER_CONNECTION = option('per-connection', 'PER_CONNECTION', 10);
// Script hashes paid per block (one transaction, one output each), rotating through all of them. Not
// 1,000: RegtestChain.mempoolHistory re-hashes every mempool output for each status asked, so a
// 1,000-output transaction costs about 2.6 s to accept (1,000 statuses × 1,000 outputs).
const CHANGES = Math.min(option('changes', 'CHANGES', 100), CONNECTIONS * PER_CONNECTION);
// Connections opened at once: enough to be quick, few enough not to overflow the listen backlog.
const CONNECT_WINDOW = 100;
// After the last block, how long to wait for notifications still on their way.
const DRAIN_MS = 3000;

const SERVER = new URL('./world-notify-server.mjs', import.meta.url);

function startChild() {
  const child = fork(SERVER, [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  child.on('message', (message) => {
    if (message?.type === 'error') {
      for (const w of waiting.splice(0)) w.reject(new Error(`world server: ${message.message}`));
      return;
    }
    const index = waiting.findIndex((w) => w.type === message?.type);
    if (index !== -1) waiting.splice(index, 1)[0].resolve(message);
  });
  child.on('exit', (code, signal) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`world server exited (code ${code}, signal ${signal})`));
  });
  return {
    child,
    request(message, replyType) {
      const reply = new Promise((resolve, reject) => waiting.push({ type: replyType, resolve, reject }));
      child.send(message);
      return reply;
    },
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main() {
  const scripts = benchScripts(CONNECTIONS * PER_CONNECTION);
  const hashes = scripts.map((s) => scriptHash(s));

  const server = startChild();
  const stopChild = () =>
    new Promise((resolve) => {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
      const timer = setTimeout(() => server.child.kill('SIGKILL'), 3000);
      server.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      server.child.send({ type: 'stop' });
    });

  const sockets = [];
  try {
    const ready = await server.request({ type: 'start-world', changesPerBlock: CHANGES, totalScripthashes: hashes.length }, 'ready');
    const { port } = new URL(ready.url);
    const memStart = (await server.request({ type: 'memory', label: 'start' }, 'memory')).usage;

    // Notifications are attributed after the run: one can arrive before the IPC message saying what was
    // mined. Headers are matched by height, script hashes by the status they announce (it hashes the
    // history, so it is unique per block).
    const arrivals = [];
    const onNotification = (message, now) => arrivals.push({ message, now });

    // Connect and subscribe; a connection counts once its 12 replies are in.
    let fdError;
    const openOne = (c) =>
      new Promise((resolve, reject) => {
        const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
        sockets.push(socket);
        socket.setEncoding('utf8');
        let buffer = '';
        let replies = 0;
        const expectedReplies = 2 + PER_CONNECTION;
        socket.on('data', (chunk) => {
          const now = Date.now();
          buffer += chunk;
          let nl;
          while ((nl = buffer.indexOf('\n')) !== -1) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            const message = JSON.parse(line);
            if (message.id !== undefined && message.id !== null) {
              if (message.error) return reject(new Error(`connection ${c}: ${JSON.stringify(message.error)}`));
              if (++replies === expectedReplies) resolve();
            } else onNotification(message, now);
          }
        });
        socket.on('error', (e) => {
          if (e.code === 'EMFILE' || e.code === 'ENFILE') fdError = e;
          reject(e);
        });
        socket.on('connect', () => {
          const lines = [
            { id: 0, method: 'server.version', params: ['world-notify bench', '1.4'] },
            { id: 1, method: 'blockchain.headers.subscribe', params: [] },
          ];
          for (let k = 0; k < PER_CONNECTION; k++) lines.push({ id: 2 + k, method: 'blockchain.scripthash.subscribe', params: [hashes[c * PER_CONNECTION + k]] });
          socket.write(lines.map((l) => JSON.stringify({ jsonrpc: '2.0', ...l })).join('\n') + '\n');
        });
      });

    const connectStarted = Date.now();
    let connected = 0;
    try {
      for (let start = 0; start < CONNECTIONS; start += CONNECT_WINDOW) {
        const batch = [];
        for (let c = start; c < Math.min(CONNECTIONS, start + CONNECT_WINDOW); c++) batch.push(openOne(c));
        await Promise.all(batch);
        connected = Math.min(CONNECTIONS, start + CONNECT_WINDOW);
      }
    } catch (e) {
      if (!fdError) throw e;
      console.log(`file-descriptor limit hit after ${connected} connections (${fdError.message}); raise \`ulimit -n\` or pass --connections ${connected}`);
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
    const first = Date.now();
    for (let index = 0; index < SECONDS; index++) {
      const wait = first + index * 1000 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const mined = await server.request({ type: 'mine', index }, 'mined');
      const block = { minedAt: mined.minedAt, acceptedAt: mined.acceptedAt };
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
    const memEnd = (await server.request({ type: 'memory', label: 'end' }, 'memory')).usage;

    const latencies = { header: [], mempool: [], confirmed: [] };
    const received = { header: 0, mempool: 0, confirmed: 0, unattributed: 0 };
    for (const { message, now } of arrivals) {
      const entry =
        message.method === 'blockchain.headers.subscribe'
          ? { block: blocksByHeight.get(message.params[0].height), kind: 'header' }
          : statusIndex.get(`${message.params[0]}:${message.params[1]}`) ?? {};
      if (!entry.block) {
        received.unattributed++;
        continue;
      }
      received[entry.kind]++;
      latencies[entry.kind].push(now - (entry.kind === 'mempool' ? entry.block.acceptedAt : entry.block.minedAt));
    }

    const report = (kind) => {
      const sorted = latencies[kind].sort((a, b) => a - b);
      return `${String(received[kind]).padStart(7)} / ${String(expected[kind]).padEnd(7)} median ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms`;
    };
    const all = [...latencies.header, ...latencies.mempool, ...latencies.confirmed].sort((a, b) => a - b);
    const totalExpected = expected.header + expected.mempool + expected.confirmed;
    const totalReceived = received.header + received.mempool + received.confirmed;
    console.log(`world-notify: ${CONNECTIONS} connections × ${PER_CONNECTION} script hashes + headers, ${SECONDS} blocks at 1/s, ${CHANGES} script hashes paid per block`);
    console.log(`  connect + subscribe all: ${connectMs} ms; server work per block, notify calls included: accept tx ${(acceptWorkMs / SECONDS).toFixed(1)} ms, mine ${(mineWorkMs / SECONDS).toFixed(1)} ms (averages)`);
    console.log(`  notifications received / expected, latency from the transaction's acceptance (mempool) or the block's mining (the rest):`);
    console.log(`    headers            ${report('header')}`);
    console.log(`    scripthash mempool ${report('mempool')}`);
    console.log(`    scripthash block   ${report('confirmed')}`);
    console.log(`    all                ${String(totalReceived).padStart(7)} / ${String(totalExpected).padEnd(7)} median ${percentile(all, 50)} ms, p99 ${percentile(all, 99)} ms${received.unattributed ? `; ${received.unattributed} unattributed` : ''}`);
    console.log(`  server memory (after GC)  heapUsed / RSS:`);
    console.log(`    ${'start (world + 101 blocks, no clients)'.padEnd(40)} ${mb(memStart.heapUsed)} / ${mb(memStart.rss)}`);
    console.log(`    ${`${CONNECTIONS} clients subscribed`.padEnd(40)} ${mb(memSubscribed.heapUsed)} / ${mb(memSubscribed.rss)}`);
    console.log(`    ${`end (after ${SECONDS} blocks)`.padEnd(40)} ${mb(memEnd.heapUsed)} / ${mb(memEnd.rss)}`);
    if (totalReceived !== totalExpected) process.exitCode = 1;
  } finally {
    for (const s of sockets) s.destroy();
    await stopChild();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
