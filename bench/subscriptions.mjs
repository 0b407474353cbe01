#!/usr/bin/env node
// 100,000 scripthash subscriptions on one connection to the local bench server (forked into its own
// process): what the client keeps per subscription, and how fast it dispatches notifications.
//
// Memory: the V8 heap plus ArrayBuffers (where the client keeps statuses) after a full GC, with the client connected and no subscriptions, then after
// every subscribe call has been answered and its promise dropped. The scripthash strings belong to
// the caller, so two figures are printed: excluding them (the keys were made before the first
// reading, as a wallet holds its own) and including them (made after it, as if only the client held
// them). The status each subscription answered with stays in the client (it is how a change missed
// during a reconnect is seen), so it is counted: once as 64 hex digits (a used address) and once as
// null (an unused one, most of a wallet's gap).
//
// Dispatch: the server writes NOTIFICATIONS blockchain.scripthash.subscribe notifications for the
// subscribed scripthashes; the time runs until the listener has seen the last one. The baseline is a
// bare newline-JSON loop in this process (split, JSON.parse, hand the params to a listener by method)
// receiving the same lines from the same server. Rounds interleave the clients (bench/lib/rounds.mjs);
// each ratio is taken within a round and shown as its median, minimum and maximum.
// Needs the build and --expose-gc: `npm run build && node --expose-gc bench/subscriptions.mjs`.
import { ElectrumClient } from '../dist/electrum.js';
import { fmtRate, fmtRatio, interleave, machine, ratios, verdict as ratioVerdict } from './lib/rounds.mjs';
import { bareConnection, scripthashes, startServer } from './server-process.mjs';

const SUBSCRIPTIONS = 100_000;
const NOTIFICATIONS = 100_000;
// Subscribe calls in flight at once: a wallet's burst after start-up, without 100,000 timers at once.
const WINDOW = 10_000;
const ROUNDS = 7;
const TARGET_BYTES = 120;
const TARGET_DISPATCH = 0.8;
const STATUS_HEX = 'a1'.repeat(32);
/** A 64-hex status of its own for each dispatch round. */
const roundStatus = (round) => `${String(round).padStart(8, '0')}${'b2'.repeat(28)}`;
const METHOD = 'blockchain.scripthash.subscribe';

if (typeof globalThis.gc !== 'function') {
  console.error('bench/subscriptions.mjs needs --expose-gc: node --expose-gc bench/subscriptions.mjs');
  process.exit(1);
}

async function settledHeap() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  // The statuses live in an ArrayBuffer (outside the V8 heap), so its bytes are counted too.
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Subscribes every key through `subscribe`, WINDOW at a time; checks the answers; keeps nothing. */
async function subscribeAll(subscribe, keys, expected) {
  for (let start = 0; start < keys.length; start += WINDOW) {
    const promises = [];
    for (let i = start; i < Math.min(keys.length, start + WINDOW); i++) promises.push(subscribe(keys[i]));
    const answers = await Promise.all(promises);
    if (answers[0] !== expected || answers[answers.length - 1] !== expected) throw new Error(`unexpected subscribe answer ${JSON.stringify(answers[0])}`);
  }
}

async function oursClient(server, name, validate) {
  const client = await ElectrumClient.connect(server.url, { keepAlive: false, validate, clientName: name });
  let seen = 0;
  let target = Infinity;
  let last;
  let done = () => undefined;
  client.on(METHOD, (scripthash, status) => {
    last = status;
    if (++seen === target) done();
  });
  return {
    name,
    client,
    subscribe: (sh) => client.blockchain.scripthash.subscribe(sh),
    expect(count) {
      seen = 0;
      target = count;
      return new Promise((resolve) => {
        done = () => resolve(last);
      });
    },
    close: () => client.close(),
  };
}

// What the baselines that isolate one cost check of a value: the spec's 64 hex digits, by a table read
// per character (as the client's fast check does).
const HEX_DIGIT = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX_DIGIT[c.charCodeAt(0)] = 1;
function isHex64(value) {
  if (typeof value !== 'string' || value.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f || HEX_DIGIT[c] === 0) return false;
  }
  return true;
}

/**
 * The cheapest way we found to find a key among 100,000 (cheaper than a Map by about half in a
 * microbenchmark): open addressing over the key strings themselves, with a seeded hash of the 64
 * characters and linear probing. Fixed capacity, no removal: only to measure the lookup.
 */
class KeyTable {
  #keys = new Array(1 << 18).fill(undefined);
  #mask = (1 << 18) - 1;
  #seed = (Math.random() * 2 ** 32) | 0;
  #hash(key) {
    let h = this.#seed;
    for (let i = 0; i < key.length; i++) {
      h = Math.imul(h ^ key.charCodeAt(i), 0x9e3779b1);
      h ^= h >>> 15;
    }
    return h & this.#mask;
  }
  add(key) {
    let h = this.#hash(key);
    while (this.#keys[h] !== undefined && this.#keys[h] !== key) h = (h + 1) & this.#mask;
    this.#keys[h] = key;
  }
  has(key) {
    for (let h = this.#hash(key); ; h = (h + 1) & this.#mask) {
      const k = this.#keys[h];
      if (k === undefined) return false;
      if (k === key) return true;
    }
  }
}

/**
 * The baseline (see bareConnection): the least a client does to pipeline requests and hand notifications
 * to a listener. `book` adds one cost on top, to show what it alone takes:
 *   'lookup': find the notification's key among the subscriptions (a Map of 100,000 keys, fresh key
 *             strings from JSON.parse), and nothing else: what any client that tells its own
 *             subscriptions' notifications from others pays;
 *   'table':  the same, by KeyTable instead of a Map;
 *   'checked': the Map lookup, and the two params checked as 64 hex digits (the least a validating client does);
 *   'kept': keep each key's last status in the Map (has + set), as any client that renews its
 *           subscriptions after a reconnect must, to see what changed meanwhile.
 */
async function bareClient(server, name, { book = 'none' } = {}) {
  let onStatus = () => undefined;
  const statuses = book === 'none' ? undefined : new Map();
  const table = book === 'table' ? new KeyTable() : undefined;
  let found = 0;
  const onNotification =
    book === 'table'
      ? (method, params) => {
          if (method !== METHOD) return;
          if (table.has(params[0])) found++;
          onStatus(...params);
        }
      : book === 'kept'
      ? (method, params) => {
          if (method !== METHOD) return;
          if (statuses.has(params[0])) statuses.set(params[0], params[1]);
          onStatus(...params);
        }
      : book === 'lookup'
        ? (method, params) => {
            if (method !== METHOD) return;
            if (statuses.get(params[0]) !== undefined) found++;
            onStatus(...params);
          }
        : book === 'checked'
          ? (method, params) => {
              if (method !== METHOD || params.length !== 2 || !isHex64(params[0]) || (params[1] !== null && !isHex64(params[1]))) return;
              if (statuses.get(params[0]) !== undefined) found++;
              onStatus(...params);
            }
          : (method, params) => {
              if (method !== METHOD) return;
              onStatus(...params);
            };
  const conn = await bareConnection(server.port, { name, onNotification });
  let seen = 0;
  let target = Infinity;
  let last;
  let done = () => undefined;
  onStatus = (scripthash, status) => {
    last = status;
    if (++seen === target) done();
  };
  return {
    name,
    subscribe: async (sh) => {
      const status = await conn.call(METHOD, [sh]);
      statuses?.set(sh, book === 'kept' ? status : statuses.size);
      table?.add(sh);
      return status;
    },
    expect(count) {
      seen = 0;
      target = count;
      return new Promise((resolve) => {
        done = () => resolve(last);
      });
    },
    close: () => conn.close(),
  };
}

/** One dispatch run: the server's text is built first, so the clock covers writing, reading and dispatch. */
async function dispatchRate(server, entry, round) {
  const id = `${entry.name}-${round}`;
  // A new status every round, as a real notification brings: each one replaces the value kept for its key.
  const status = roundStatus(round);
  await server.request({ type: 'prepare', client: entry.name, count: NOTIFICATIONS, id, status }, 'prepared');
  const seen = entry.expect(NOTIFICATIONS);
  const started = performance.now();
  const written = server.request({ type: 'notify', id }, 'notified');
  const last = await seen;
  const elapsed = performance.now() - started;
  await written;
  if (last !== status) throw new Error(`${entry.name}: the last notification carried ${JSON.stringify(last)}`);
  return (NOTIFICATIONS / elapsed) * 1000;
}

const server = await startServer();
const wallStarted = performance.now();
const out = (line) => console.log(line);
try {
  // --- Memory, 64-hex statuses (used addresses) ---
  const ours = await oursClient(server, 'bench-ours', true);
  const connected = await settledHeap();
  const keys = scripthashes(SUBSCRIPTIONS);
  const withKeys = await settledHeap();
  let t = performance.now();
  await subscribeAll(ours.subscribe, keys, STATUS_HEX);
  const subscribeMs = performance.now() - t;
  const afterHex = await settledHeap();
  if (ours.client.subscriptionCount !== SUBSCRIPTIONS || ours.client.pendingRequests !== 0) {
    throw new Error(`expected ${SUBSCRIPTIONS} subscriptions and nothing pending, got ${ours.client.subscriptionCount} and ${ours.client.pendingRequests}`);
  }

  // --- Memory, null statuses (unused addresses), on a second connection ---
  await server.request({ type: 'status', value: 'null' }, 'status');
  const unused = await oursClient(server, 'bench-ours-unused', true);
  const beforeNull = await settledHeap();
  await subscribeAll(unused.subscribe, keys, null);
  const afterNull = await settledHeap();
  if (unused.client.subscriptionCount !== SUBSCRIPTIONS) throw new Error('the null-status subscriptions were not all recorded');
  unused.close();
  await server.request({ type: 'status', value: 'hex' }, 'status');

  const perSub = (bytes) => bytes / SUBSCRIPTIONS;
  const verdict = (bytes) => `(target at most ${TARGET_BYTES}): ${perSub(bytes) <= TARGET_BYTES ? 'within' : 'OVER'}`;
  out(`subscriptions: ${SUBSCRIPTIONS.toLocaleString('en-US')} blockchain.scripthash.subscribe on one TCP connection, ${WINDOW.toLocaleString('en-US')} in flight at a time (${Math.round(subscribeMs)} ms)`);
  out('  client memory per subscription, after a full GC (process.memoryUsage(): heapUsed + arrayBuffers):');
  out(`    status 64 hex digits, excluding the caller's key strings: ${perSub(afterHex - withKeys).toFixed(0).padStart(4)} bytes ${verdict(afterHex - withKeys)}`);
  out(`    status 64 hex digits, including the key strings:          ${perSub(afterHex - connected).toFixed(0).padStart(4)} bytes`);
  out(`    status null, excluding the caller's key strings:          ${perSub(afterNull - beforeNull).toFixed(0).padStart(4)} bytes ${verdict(afterNull - beforeNull)}`);
  out(`    (the key strings themselves: ${perSub(withKeys - connected).toFixed(0)} bytes each)`);

  // --- Dispatch ---
  const bare = await bareClient(server, 'bench-bare');
  await subscribeAll(bare.subscribe, keys, STATUS_HEX);
  const bareLookup = await bareClient(server, 'bench-bare-lookup', { book: 'lookup' });
  await subscribeAll(bareLookup.subscribe, keys, STATUS_HEX);
  const bareTable = await bareClient(server, 'bench-bare-table', { book: 'table' });
  await subscribeAll(bareTable.subscribe, keys, STATUS_HEX);
  const bareChecked = await bareClient(server, 'bench-bare-checked', { book: 'checked' });
  await subscribeAll(bareChecked.subscribe, keys, STATUS_HEX);
  const bareKept = await bareClient(server, 'bench-bare-kept', { book: 'kept' });
  await subscribeAll(bareKept.subscribe, keys, STATUS_HEX);
  const noValidate = await oursClient(server, 'bench-ours-novalidate', false);
  await subscribeAll(noValidate.subscribe, keys, STATUS_HEX);
  let round = 0;
  const samples = await interleave(
    {
      bare: () => dispatchRate(server, bare, round++),
      bareLookup: () => dispatchRate(server, bareLookup, round++),
      bareTable: () => dispatchRate(server, bareTable, round++),
      bareChecked: () => dispatchRate(server, bareChecked, round++),
      bareKept: () => dispatchRate(server, bareKept, round++),
      ours: () => dispatchRate(server, ours, round++),
      off: () => dispatchRate(server, noValidate, round++),
    },
    { rounds: ROUNDS, warmUp: 1 },
  );
  for (const c of [bare, bareLookup, bareTable, bareChecked, bareKept, ours, noValidate]) c.close();

  out(`  notification dispatch: ${NOTIFICATIONS.toLocaleString('en-US')} notifications written by the server at once, until the listener saw the last; ${ROUNDS} interleaved rounds after a warm-up; notifications/s median (min-max)`);
  out(`    ${'bare loop (baseline)'.padEnd(42)} ${fmtRate(samples.bare)}`);
  out(`    ${'bare loop + finding the key (Map.get)'.padEnd(42)} ${fmtRate(samples.bareLookup)}   ${fmtRatio(ratios(samples.bareLookup, samples.bare))} the baseline (no target: finding the key among 100,000 alone)`);
  out(`    ${'bare loop + finding the key (own table)'.padEnd(42)} ${fmtRate(samples.bareTable)}   ${fmtRatio(ratios(samples.bareTable, samples.bare))} the baseline (no target: the same by the cheapest lookup we found)`);
  out(`    ${'... Map.get + both params checked as hex'.padEnd(42)} ${fmtRate(samples.bareChecked)}   ${fmtRatio(ratios(samples.bareChecked, samples.bare))} the baseline (no target: the least a validating client adds)`);
  out(`    ${'bare loop keeping the last status per key'.padEnd(42)} ${fmtRate(samples.bareKept)}   ${fmtRatio(ratios(samples.bareKept, samples.bare))} the baseline (no target: what a Map of 100,000 statuses costs by itself)`);
  const vsBare = ratios(samples.ours, samples.bare);
  out(`    ${'stratum-sdk ElectrumClient, validate on'.padEnd(42)} ${fmtRate(samples.ours)}   ${fmtRatio(vsBare)} the baseline ${ratioVerdict(vsBare, TARGET_DISPATCH, true)}`);
  out(`    ${'stratum-sdk ElectrumClient, validate off'.padEnd(42)} ${fmtRate(samples.off)}   ${fmtRatio(ratios(samples.off, samples.bare))} the baseline`);
  out(`  machine: ${await machine()}`);
  t = performance.now() - wallStarted;
  out(`  total ${(t / 1000).toFixed(1)} s`);
} finally {
  await server.stop();
}
