#!/usr/bin/env node
// Pipelined request throughput on one connection: blockchain.scripthash.get_balance against the
// local bench server (bench/electrum-echo-server.mjs, forked into its own process), issued
// REQUESTS at a time and all awaited, for:
//   - the floor: a bare newline-JSON socket loop in this process (the requests of one turn in one
//     write, replies split on newline, JSON.parse, matched by id in a Map, one promise per request),
//     and the same loop with one write per request, to show what the writes alone cost;
//   - stratum-sdk's ElectrumClient, with result validation on (the default) and off;
//   - the npm peers @mempool/electrum-client, @samouraiwallet/electrum-client and electrum-cash (TCP).
// Every client is connected and warmed up first; then ROUNDS rounds run each client once in turn (so
// a noisy neighbour slows all of them alike; bench/lib/rounds.mjs). Each ratio is taken within a round
// and printed as its median with its minimum and maximum over the rounds, never asserted.
// Needs the build: `npm run build && node bench/throughput.mjs`.
import mempoolModule from '@mempool/electrum-client';
import { ElectrumClient as SamouraiClient } from '@samouraiwallet/electrum-client';
import { ElectrumClient as CashClient, ElectrumTransport } from 'electrum-cash';
import { ElectrumClient } from '../dist/electrum.js';
import { PendingRing } from '../dist/runtime/pending-ring.js';
import { RpcSession } from '../dist/runtime/session.js';
import { fmtRate, fmtRatio, interleave, machine, median, ratios, verdict } from './lib/rounds.mjs';
import { bareConnection, scripthashes, startServer } from './server-process.mjs';

const REQUESTS = 20_000;
const ROUNDS = 9;
const TARGET_VS_PEER = 2;
const TARGET_VS_FLOOR = 0.9;
const HOST = '127.0.0.1';
const EXPECTED_CONFIRMED = 103873966;

const MempoolClient = mempoolModule.default ?? mempoolModule;
const keys = scripthashes(1000);

/** The floor (see bareConnection): with `coalesce` false, every request is its own write, as the peers do. */
async function bareClient(port, coalesce) {
  const conn = await bareConnection(port, { name: `bench-bare${coalesce ? '' : '-naive'}`, coalesce });
  return {
    getBalance: (sh) => conn.call('blockchain.scripthash.get_balance', [sh]),
    close: async () => conn.close(),
  };
}

async function oursClient(port, validate) {
  const client = await ElectrumClient.connect(`tcp://${HOST}:${port}`, { keepAlive: false, validate });
  return {
    getBalance: (sh) => client.blockchain.scripthash.getBalance(sh),
    close: async () => client.close(),
  };
}

async function mempoolClient(port) {
  const client = new MempoolClient(port, HOST, 'tcp', {}, { onLog: () => undefined, onError: () => undefined });
  // maxRetry 0 and no callback: no reconnect timer is left behind when the bench closes it.
  await client.initElectrum({ client: 'bench-mempool', version: '1.4' }, { retryPeriod: 10_000, maxRetry: 0, pingPeriod: 120_000, callback: null });
  return {
    getBalance: (sh) => client.blockchainScripthash_getBalance(sh),
    close: async () => client.close(),
  };
}

async function samouraiClient(port) {
  const client = await SamouraiClient.createClient({
    port,
    host: HOST,
    protocol: 'tcp',
    electrumConfig: { client: 'bench-samourai', version: '1.4' },
    persistencePolicy: { retryPeriod: 10_000, maxRetry: 0, pingPeriod: 120_000, callback: null },
    callbacks: { onLog: () => undefined, onError: () => undefined },
  });
  return {
    getBalance: (sh) => client.blockchainScripthash_getBalance(sh),
    close: async () => client.close(),
  };
}

async function cashClient(port) {
  // Plain TCP is one of electrum-cash 3.x's own transports in Node; the version must match exactly.
  // Its keep-alive ping is pushed past the benchmark so that only requests are timed.
  const client = new CashClient('bench-electrum-cash', '1.4', HOST, port, ElectrumTransport.TCP.Scheme, 120_000, 600_000, 600_000);
  await client.connect();
  return {
    getBalance: async (sh) => {
      // electrum-cash resolves (not rejects) with an Error on failure.
      const value = await client.request('blockchain.scripthash.get_balance', sh);
      if (value instanceof Error) throw value;
      return value;
    },
    close: async () => {
      await client.disconnect(true);
    },
  };
}

const CLIENTS = [
  { name: 'bare loop, one write per turn (floor)', kind: 'floor', open: (port) => bareClient(port, true) },
  { name: 'bare loop, one write per request', kind: 'naive', open: (port) => bareClient(port, false) },
  { name: 'stratum-sdk ElectrumClient, validate on', kind: 'ours', open: (port) => oursClient(port, true) },
  { name: 'stratum-sdk ElectrumClient, validate off', kind: 'ours-off', open: (port) => oursClient(port, false) },
  { name: '@mempool/electrum-client 1.1.9', kind: 'peer', open: mempoolClient },
  { name: '@samouraiwallet/electrum-client 1.5.2', kind: 'peer', open: samouraiClient },
  { name: 'electrum-cash 3.2.0 (tcp)', kind: 'peer', open: cashClient },
];

// `--only ours` (a kind: naive, ours, ours-off, peer) runs that and the floor, e.g. under `node --cpu-prof`.
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const selected = only ? CLIENTS.filter((c) => c.kind === only || c.kind === 'floor') : CLIENTS;

/**
 * What the ring's giving back its room costs: REQUESTS at once through a session alone (no socket, no
 * parsing, so the table's share is as large as it gets), answered in order, with the client's ring (back
 * to 64 slots after each round, grown again by the next) against a ring that never goes under the
 * burst's size. Returns the rounds' ratios, shrinking over kept.
 */
async function ringRegrowth() {
  const make = (ring) => {
    const session = new RpcSession({ dialect: '2.0', send: () => undefined, timeout: 30_000, onNotification: () => undefined, onRequest: () => undefined, onProtocolError: () => undefined });
    session.pendingTable = ring;
    let next = 1;
    const check = (method, params, result) => {
      if (typeof result !== 'number') throw new TypeError('not a number');
    };
    return async () => {
      const promises = new Array(REQUESTS);
      const started = performance.now();
      for (let i = 0; i < REQUESTS; i++) promises[i] = session.request('m', [i], undefined, check);
      for (let i = 0; i < REQUESTS; i++) session.handle({ type: 'result', id: next + i, result: i });
      next += REQUESTS;
      await Promise.all(promises);
      return (REQUESTS / (performance.now() - started)) * 1000;
    };
  };
  const samples = await interleave({ shrinking: make(new PendingRing()), kept: make(new PendingRing(32_768)) }, { rounds: 4 * ROUNDS, warmUp: 3 });
  return ratios(samples.shrinking, samples.kept);
}

/** REQUESTS get_balance calls issued at once and all awaited; returns requests per second. */
async function pipelined(client) {
  const promises = new Array(REQUESTS);
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) promises[i] = client.getBalance(keys[i % keys.length]);
  const results = await Promise.all(promises);
  const elapsed = performance.now() - started;
  for (const r of [results[0], results[REQUESTS - 1]]) {
    if (r?.confirmed !== EXPECTED_CONFIRMED) throw new Error(`wrong get_balance result: ${JSON.stringify(r)}`);
  }
  return (REQUESTS / elapsed) * 1000;
}

const server = await startServer();
const wallStarted = performance.now();
try {
  const opened = [];
  for (const spec of selected) {
    const client = await spec.open(server.port);
    opened.push({ ...spec, client, serverShare: [] });
  }
  const timed = (entry) => async () => {
    const cpuBefore = await server.cpuMicros();
    const t = performance.now();
    const rate = await pipelined(entry.client);
    const wallMicros = (performance.now() - t) * 1000;
    entry.serverShare.push((await server.cpuMicros() - cpuBefore) / wallMicros);
    return rate;
  };
  // One warm-up round (JIT, socket buffers, the peers' own first-run costs), then ROUNDS kept.
  const samples = await interleave(Object.fromEntries(opened.map((e) => [e.kind === 'peer' ? e.name : e.kind, timed(e)])), { rounds: ROUNDS, warmUp: 1 });
  for (const entry of opened) {
    entry.rates = samples[entry.kind === 'peer' ? entry.name : entry.kind];
    entry.serverShare = entry.serverShare.slice(-ROUNDS);
    await entry.client.close();
  }

  const rate = (e) => median(e.rates);
  const floor = opened.find((e) => e.kind === 'floor');
  const ours = opened.find((e) => e.kind === 'ours');
  const oursOff = opened.find((e) => e.kind === 'ours-off');
  const peers = opened.filter((e) => e.kind === 'peer');
  const fastest = peers.length ? peers.reduce((a, b) => (rate(b) > rate(a) ? b : a)) : undefined;

  console.log(`throughput: ${REQUESTS.toLocaleString('en-US')} pipelined blockchain.scripthash.get_balance requests on one TCP connection, all at once (every client, peers included, the same way); ${ROUNDS} interleaved rounds after a warm-up`);
  console.log(`  machine: ${await machine()}`);
  console.log('  (server in its own process; "server busy" is its CPU time over the run\'s wall time: near 100% would mean the server, not the client, set the pace)');
  console.log('  req/s: median (min-max)');
  for (const e of opened) {
    console.log(`  ${e.name.padEnd(44)} ${fmtRate(e.rates).padEnd(30)} server busy ${(median(e.serverShare) * 100).toFixed(0).padStart(3)}%`);
  }
  if (ours && fastest) {
    // Against the fastest peer of each round.
    const best = ours.rates.map((_, i) => Math.max(...peers.map((p) => p.rates[i])));
    const vsPeer = ratios(ours.rates, best);
    console.log(`  ours (validate on) vs the fastest peer of each round: ${fmtRatio(vsPeer)} ${verdict(vsPeer, TARGET_VS_PEER, true)}`);
  }
  if (ours) {
    const vsFloor = ratios(ours.rates, floor.rates);
    console.log(`  ours (validate on) vs the bare loop:  ${fmtRatio(vsFloor)} ${verdict(vsFloor, TARGET_VS_FLOOR, true)}`);
  }
  if (oursOff) console.log(`  ours (validate off) vs the bare loop: ${fmtRatio(ratios(oursOff.rates, floor.rates))}`);
  const naive = opened.find((e) => e.kind === 'naive');
  if (naive) console.log(`  bare loop with one write per request vs the floor: ${fmtRatio(ratios(naive.rates, floor.rates))}`);
  if (!only || only === 'ours') {
    console.log(`  the session alone, ${REQUESTS.toLocaleString('en-US')} at once: the ring going back to 64 slots after each round vs one kept at 32,768: ${fmtRatio(await ringRegrowth())}`);
  }
  console.log(`  total ${((performance.now() - wallStarted) / 1000).toFixed(1)} s`);
} finally {
  await server.stop();
}
