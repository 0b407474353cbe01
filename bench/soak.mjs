#!/usr/bin/env node
// The soak test (issue 12): minutes of traffic against the regtest world, memory sampled, not part of CI
// or `npm test`. Run: `npm run soak` (builds first), or `node --expose-gc bench/soak.mjs [--minutes 10]
// [--clients 6] [--pipeline 50] [--sample-seconds 5] [--drop-seconds 15]` against an existing build.
//
// The world (Electrum over TCP and WebSocket, the pool) runs in a child process (this file, forked with
// --world) so each side's memory is its own. It mines a block a second paying one of 60 scripts in turn
// (each subscribed by two clients), so header and script hash notifications flow all along. In this process:
//   - `--clients` ElectrumClients (half over TCP, half over WebSocket; half with reconnect on), each
//     subscribed to the headers and 20 script hashes, pipelining `--pipeline` requests at a time
//     (server.ping, get_balance, block.header, and a subscription swapped now and then);
//   - one MiningClient, subscribed and authorized, receiving a job per block;
//   - a chaos client on raw sockets sending hostile lines (deep nesting, invalid UTF-8, an id of 1e400,
//     __proto__, a batch of 2,000, a long method name, now and then an oversize line that gets it
//     disconnected) to the Electrum port and the pool, each followed by a normal request;
//   - every `--drop-seconds`, connections dropped: the world destroys two Electrum sessions (clients with
//     reconnect on come back and renew their subscriptions), or a client is closed and replaced.
// Every `--sample-seconds` both processes are sampled (after a full GC when --expose-gc is given): RSS
// and heap used. The table at the end gives the messages exchanged, requests per second, memory min /
// median / max per process and whether memory grew (median of the last third of the samples against the
// first third).
import { fork } from 'node:child_process';
import net from 'node:net';

const HERE = new URL(import.meta.url);
const SCRIPTS = 60;
const SUBSCRIBED_PER_CLIENT = 20;
const BLOCK_EVERY_MS = 1_000;

/** Script i of the ones the world pays in turn; both processes derive the same list. */
const script = (i) => `0014${i.toString(16).padStart(8, '0')}${'cd'.repeat(16)}`;

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`--${name} must be a positive number, got ${process.argv[at + 1]}`);
  return value;
}

async function settledMemory() {
  if (typeof globalThis.gc === 'function') {
    for (let i = 0; i < 2; i++) {
      globalThis.gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

// ---------------------------------------------------------------------------------------------------
// The world, in the child process

async function runWorld() {
  const { startWorld } = await import('../dist/regtest.js');
  const world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
  let blocks = 0;
  const miner = setInterval(() => world.chain.mine(script(blocks++ % SCRIPTS)), BLOCK_EVERY_MS);
  const counts = { protocolErrors: 0, handlerErrors: 0, drops: 0 };
  for (const server of [world.electrum, world.stratum]) {
    server.on('protocol-error', () => void counts.protocolErrors++);
    server.on('error', () => void counts.handlerErrors++);
  }
  process.on('message', async (message) => {
    switch (message?.type) {
      case 'memory':
        process.send({ type: 'memory', usage: await settledMemory(), sessions: world.electrum.sessions.size + world.stratum.sessions.size });
        return;
      case 'drop': {
        const sessions = [...world.electrum.sessions];
        for (let i = 0; i < message.count && sessions.length > 0; i++) {
          const [session] = sessions.splice(Math.floor(Math.random() * sessions.length), 1);
          session.destroy();
          counts.drops++;
        }
        process.send({ type: 'dropped' });
        return;
      }
      case 'stop':
        clearInterval(miner);
        process.send({ type: 'stopped', blocks, counts });
        await world.close();
        process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', urls: world.urls, height: world.chain.height });
}

function startWorldProcess() {
  const child = fork(HERE, ['--world'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = [];
  child.on('message', (message) => {
    const index = waiting.findIndex((w) => w.type === message?.type);
    if (index !== -1) waiting.splice(index, 1)[0].resolve(message);
  });
  child.on('exit', (code, signal) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`the world process exited (code ${code}, signal ${signal})`));
  });
  const expect = (type) => new Promise((resolve, reject) => waiting.push({ type, resolve, reject }));
  return {
    child,
    ready: expect('ready'),
    request(message, replyType) {
      const reply = expect(replyType);
      child.send(message);
      return reply;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The hostile lines

const HOSTILE = [
  `${'['.repeat(6000)}${']'.repeat(6000)}`,
  `${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}`,
  Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0x7d]),
  '{"jsonrpc":"2.0","id":1e400,"method":"server.ping","params":[]}',
  '{"__proto__":{"x":1},"id":1,"method":"server.ping","params":[]}',
  `[${Array.from({ length: 2000 }, (_, i) => `{"jsonrpc":"2.0","id":${i},"method":"server.ping","params":[]}`).join(',')}]`,
  `{"jsonrpc":"2.0","id":7,"error":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
  `{"jsonrpc":"2.0","method":"${'m'.repeat(100_000)}","params":[]}`,
  '}{',
  '['.repeat(100_000),
];
/** One byte over the servers' 1,000,000: the connection is closed, and the chaos client comes back. */
const OVERSIZE = `{"jsonrpc":"2.0","id":0,"method":"server.ping","params":[]${' '.repeat(1_000_000)}}`;

/** A raw newline-JSON connection that sends hostile lines, each followed by a normal request, and counts answers. */
function chaosClient(port, normal, stats, isStopping) {
  let socket;
  let timer;
  let n = 0;
  const open = () => {
    if (isStopping()) return;
    socket = net.connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) stats.hostileReplies++;
    });
    socket.on('close', () => {
      clearInterval(timer);
      stats.chaosReconnects++;
      setTimeout(open, 50);
    });
    socket.once('connect', () => {
      timer = setInterval(() => {
        // Stop sending while the socket is backed up: the point is hostile content, not a write flood.
        if (socket.writableLength > 1_000_000) return;
        n++;
        const line = n % 500 === 0 ? OVERSIZE : HOSTILE[n % HOSTILE.length];
        socket.write(line);
        socket.write('\n');
        socket.write(`${normal(n)}\n`);
        stats.hostileLines++;
      }, 10);
    });
  };
  open();
  return () => {
    clearInterval(timer);
    socket?.destroy();
  };
}

// ---------------------------------------------------------------------------------------------------
// The clients, in this process

async function main() {
  const minutes = option('minutes', 10);
  const clientCount = Math.round(option('clients', 6));
  const pipeline = Math.round(option('pipeline', 50));
  const sampleMs = option('sample-seconds', 5) * 1000;
  const dropMs = option('drop-seconds', 15) * 1000;
  const { ElectrumClient } = await import('../dist/electrum.js');
  const { MiningClient } = await import('../dist/mining.js');
  const { scriptHash } = await import('../dist/bitcoin.js');
  const hashes = Array.from({ length: SCRIPTS }, (_, i) => scriptHash(script(i)));

  const world = startWorldProcess();
  const { urls } = await world.ready;
  const stats = {
    requests: 0,
    notifications: 0,
    jobs: 0,
    failures: {},
    hostileLines: 0,
    hostileReplies: 0,
    chaosReconnects: 0,
    serverDrops: 0,
    replaced: 0,
    reconnects: 0,
    subscriptionsLost: 0,
    protocolErrors: 0,
  };
  let stopping = false;
  let tip = 0;

  /** One Electrum client in a slot: connected, subscribed, and a loop pipelining requests. */
  const slots = [];
  const connectSlot = async (index) => {
    const url = index % 2 === 0 ? urls.electrumTcp : urls.electrumWs;
    const reconnect = index % 4 < 2;
    const client = new ElectrumClient(url, { clientName: `soak-${index}`, timeout: 10_000, keepAlive: false, reconnect: reconnect ? { initialDelay: 50, maxDelay: 1000 } : false });
    client.on('blockchain.headers.subscribe', (header) => {
      stats.notifications++;
      tip = Math.max(tip, header.height);
    });
    client.on('blockchain.scripthash.subscribe', () => void stats.notifications++);
    client.on('reconnect', () => void stats.reconnects++);
    client.on('subscription-lost', () => void stats.subscriptionsLost++);
    client.on('protocol-error', () => void stats.protocolErrors++);
    await client.connect();
    const header = await client.request('blockchain.headers.subscribe', []);
    tip = Math.max(tip, header.height);
    const mine = Array.from({ length: SUBSCRIBED_PER_CLIENT }, (_, k) => hashes[(index * SUBSCRIBED_PER_CLIENT + k) % SCRIPTS]);
    await Promise.all(mine.map((sh) => client.request('blockchain.scripthash.subscribe', [sh])));
    slots[index] = { client, mine, reconnect };
  };

  const count = (promise) =>
    promise.then(
      () => void stats.requests++,
      (e) => {
        const code = e?.code ?? String(e);
        stats.failures[code] = (stats.failures[code] ?? 0) + 1;
      },
    );

  const work = async (index) => {
    let round = 0;
    while (!stopping) {
      const slot = slots[index];
      if (!slot || slot.client.closed) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      const { client, mine } = slot;
      const wave = [];
      for (let i = 0; i < pipeline; i++) {
        const sh = mine[(round + i) % mine.length];
        switch (i % 4) {
          case 0:
            wave.push(count(client.request('server.ping', [])));
            break;
          case 1:
            wave.push(count(client.request('blockchain.scripthash.get_balance', [sh])));
            break;
          case 2:
            wave.push(count(client.request('blockchain.block.header', [(round * 7 + i) % (tip + 1)])));
            break;
          default:
            wave.push(count(client.request('server.banner', [])));
        }
      }
      // Now and then one subscription is swapped for another: unsubscribe, subscribe a new one.
      if (round % 50 === 49 && client.protocolVersion >= '1.6') {
        const old = mine.shift();
        const next = hashes[(hashes.indexOf(old) + SCRIPTS / 2) % SCRIPTS];
        mine.push(next);
        wave.push(count(client.request('blockchain.scripthash.unsubscribe', [old])), count(client.request('blockchain.scripthash.subscribe', [next])));
      }
      await Promise.all(wave);
      round++;
    }
  };

  for (let i = 0; i < clientCount; i++) await connectSlot(i);
  const workers = Array.from({ length: clientCount }, (_, i) => work(i));

  const miner = await MiningClient.connect(urls.stratum, { agent: 'soak-miner/1.0' });
  miner.on('job', () => void stats.jobs++);
  await miner.start({ user: 'soak.worker', password: 'x' });

  const stopChaos = [
    chaosClient(Number(new URL(urls.electrumTcp).port), (n) => `{"jsonrpc":"2.0","id":"c${n}","method":"server.ping","params":[]}`, stats, () => stopping),
    chaosClient(Number(new URL(urls.stratum.replace('stratum+', '')).port), (n) => `{"id":"c${n}","method":"mining.subscribe","params":["chaos/1.0"]}`, stats, () => stopping),
  ];

  // Drops: the world destroys two Electrum sessions, or a client is closed and replaced, in turn.
  let drops = 0;
  const dropper = setInterval(async () => {
    if (stopping) return;
    if (drops++ % 2 === 0) {
      await world.request({ type: 'drop', count: 2 }, 'dropped');
      stats.serverDrops += 2;
    } else {
      const index = slots.findIndex((s) => s && !s.reconnect);
      if (index === -1) return;
      slots[index].client.close();
      slots[index] = undefined;
      stats.replaced++;
      await connectSlot(index).catch((e) => console.error(`replacing client ${index}: ${e.message}`));
    }
  }, dropMs);
  // A client without reconnect whose connection the world dropped is replaced too.
  const replacer = setInterval(() => {
    for (let i = 0; i < clientCount; i++) {
      const slot = slots[i];
      if (!stopping && slot && slot.client.closed) {
        slots[i] = undefined;
        stats.replaced++;
        void connectSlot(i).catch((e) => console.error(`replacing client ${i}: ${e.message}`));
      }
    }
  }, 200);

  const samples = [];
  const started = Date.now();
  const sample = async () => {
    const [client, server] = [await settledMemory(), await world.request({ type: 'memory' }, 'memory')];
    const row = { at: (Date.now() - started) / 1000, client, server: server.usage, sessions: server.sessions, requests: stats.requests };
    samples.push(row);
    return row;
  };
  const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  const sampler = setInterval(async () => {
    const row = await sample();
    const rate = Math.round(stats.requests / row.at);
    process.stderr.write(
      `[${row.at.toFixed(0).padStart(5)} s] ${stats.requests.toLocaleString('en-US')} requests (${rate.toLocaleString('en-US')}/s), ${stats.notifications} notifications, ` +
        `${stats.hostileLines} hostile lines; heap ${mb(row.client.heapUsed)} / ${mb(row.server.heapUsed)} MB, rss ${mb(row.client.rss)} / ${mb(row.server.rss)} MB (clients / world)\n`,
    );
  }, sampleMs);

  await new Promise((resolve) => setTimeout(resolve, minutes * 60_000));
  stopping = true;
  const elapsed = (Date.now() - started) / 1000;
  clearInterval(sampler);
  clearInterval(dropper);
  clearInterval(replacer);
  for (const stop of stopChaos) stop();
  await Promise.all(workers);
  const pendingAtEnd = slots.reduce((n, s) => n + (s?.client.pendingRequests ?? 0), 0);
  for (const slot of slots) slot?.client.close();
  miner.close();
  const stopped = await world.request({ type: 'stop' }, 'stopped');

  // ---------------------------------------------------------------------------------------------------
  // The report
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const sorted = (values) => [...values].sort((a, b) => a - b);
  const median = (values) => sorted(values)[Math.floor(values.length / 2)];
  // The first 30 s are warm-up (code compiled, buffers grown) when enough samples come after them.
  const warm = samples.filter((s) => s.at >= 30).length >= 9 ? samples.filter((s) => s.at >= 30) : samples;
  const third = Math.max(1, Math.floor(warm.length / 3));
  const rows = [
    ['client heap', (s) => s.client.heapUsed],
    ['client rss', (s) => s.client.rss],
    ['world heap', (s) => s.server.heapUsed],
    ['world rss', (s) => s.server.rss],
  ];
  const pad = (text, width) => String(text).padStart(width);
  const lines = [];
  lines.push('');
  lines.push(`stratum-sdk soak: ${(elapsed / 60).toFixed(1)} min, ${clientCount} ElectrumClients (TCP and WebSocket, ${slots.filter((s) => s?.reconnect).length} with reconnect) pipelining ${pipeline}, 1 MiningClient, 2 chaos connections; the world in a child process (${stopped.blocks} blocks)`);
  lines.push(
    `messages: ${fmt(stats.requests)} requests answered (${fmt(stats.requests / elapsed)}/s), ${fmt(stats.notifications)} notifications, ${fmt(stats.jobs)} mining jobs, ` +
      `${fmt(stats.hostileLines)} hostile lines (+ as many normal requests; ${fmt(stats.hostileReplies)} lines answered, ${stats.chaosReconnects} chaos reconnects)`,
  );
  lines.push(`about ${fmt(2 * stats.requests + stats.notifications + stats.jobs + 2 * stats.hostileLines + stats.hostileReplies)} messages exchanged in all`);
  lines.push(
    `drops: ${stats.serverDrops} sessions destroyed by the world, ${stats.replaced} clients replaced, ${stats.reconnects} reconnects, ${stats.subscriptionsLost} subscriptions lost; ` +
      `request failures: ${Object.entries(stats.failures).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}; requests pending at the end: ${pendingAtEnd}`,
  );
  lines.push(`world: ${stopped.counts.protocolErrors} protocol errors reported, ${stopped.counts.handlerErrors} handler failures; client protocol-errors: ${stats.protocolErrors}`);
  lines.push(
    `memory, ${samples.length} samples every ${sampleMs / 1000} s${typeof globalThis.gc === 'function' ? ' after a full GC' : ' (no --expose-gc: without a GC first)'}` +
      `; thirds of the ${warm.length} samples${warm === samples ? '' : ' after the first 30 s'}:`,
  );
  lines.push(`${'MB'.padEnd(12)} ${pad('min', 8)} ${pad('median', 8)} ${pad('max', 8)} ${pad('1st third', 10)} ${pad('last third', 11)}  grew?`);
  for (const [name, get] of rows) {
    const values = samples.map(get);
    if (values.length === 0) continue;
    const steady = warm.map(get);
    const first = median(steady.slice(0, third));
    const last = median(steady.slice(-third));
    // Growth: the last third's median above the first third's by more than 10% and 2 MB.
    const grew = last > first * 1.1 && last - first > 2 * 1024 * 1024;
    lines.push(
      `${name.padEnd(12)} ${pad(mb(Math.min(...values)), 8)} ${pad(mb(median(values)), 8)} ${pad(mb(Math.max(...values)), 8)} ${pad(mb(first), 10)} ${pad(mb(last), 11)}  ${grew ? `yes (+${mb(last - first)} MB)` : 'no'}`,
    );
  }
  console.log(lines.join('\n'));
  process.exit(0);
}

if (process.argv.includes('--world')) await runWorld();
else await main();
