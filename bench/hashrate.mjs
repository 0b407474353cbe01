#!/usr/bin/env node
// npm run bench: the CLI miner's hashrate per core (stratum-sdk mine's worker threads, mining through a real
// Stratum session on an in-process regtest world at a difficulty no share meets), against the raw cost of the
// hash it repeats: sha256d of an 80-byte header in a tight loop on one core, measured in the same run, with
// each of the candidate implementations. Target: at least 0.8x of the fastest raw loop per thread.
//   node bench/hashrate.mjs [--seconds 5] [--threads N]
import { createHash, hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { sha256 } from '@noble/hashes/sha2.js';
import { ThreadedMiner } from '../dist/cli/miner-workers.js';
import { MiningClient } from '../dist/mining.js';
import { startWorld } from '../dist/regtest.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, threads: { type: 'string' } } });
const SECONDS = Number(values.seconds);
const CORES = availableParallelism();
const THREADS = values.threads === undefined ? CORES : Number(values.threads);

const header = new Uint8Array(80).fill(7);
/** Runs `loop(n)` for about `seconds`, in rounds, and returns hashes per second. */
function rate(loop, seconds = Math.min(2, SECONDS)) {
  loop(20_000); // warm up
  let hashes = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    loop(50_000);
    hashes += 50_000;
  }
  return (hashes * 1000) / (performance.now() - start);
}

const view = new DataView(header.buffer);
const raw = {
  'noble, midstate reused (_cloneInto): the miner threads': rate((n) => {
    const midstate = sha256.create().update(header.subarray(0, 64));
    const tail = header.subarray(64);
    let inner = sha256.create();
    const first = new Uint8Array(32);
    const out = new Uint8Array(32);
    for (let i = 0; i < n; i++) {
      view.setUint32(76, i, true);
      inner = midstate._cloneInto(inner);
      inner.update(tail).digestInto(first);
      sha256.create().update(first).digestInto(out);
    }
  }),
  'noble, midstate clone(): searchNonce (platform-free)': rate((n) => {
    const midstate = sha256.create().update(header.subarray(0, 64));
    const tail = header.subarray(64);
    for (let i = 0; i < n; i++) {
      view.setUint32(76, i, true);
      sha256(midstate.clone().update(tail).digest());
    }
  }),
  'node:crypto hash() twice (one-shot)': rate((n) => {
    for (let i = 0; i < n; i++) {
      view.setUint32(76, i, true);
      hash('sha256', hash('sha256', header, 'buffer'), 'buffer');
    }
  }),
  'node:crypto createHash() twice': rate((n) => {
    for (let i = 0; i < n; i++) {
      view.setUint32(76, i, true);
      createHash('sha256').update(createHash('sha256').update(header).digest()).digest();
    }
  }),
};

const fmt = (hps) => `${(hps / 1000).toFixed(0).padStart(6)} kH/s`;
console.log(`sha256d of an 80-byte header, one core (${CORES} cores here):`);
for (const [name, hps] of Object.entries(raw)) console.log(`  ${fmt(hps)}  ${name}`);
const best = Math.max(...Object.values(raw));

// The miner, through a real session: a share needs difficulty 1000, which no CPU meets in a few seconds.
const world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 }, shareDifficulty: 1000 });
const results = [];
for (const threads of [...new Set([1, THREADS])]) {
  const client = await MiningClient.connect(world.urls.stratum);
  await client.start({ user: 'bench', password: 'x', configure: [['version-rolling'], { 'version-rolling.mask': '1fffe000' }] });
  const miner = new ThreadedMiner(client, { worker: 'bench', threads });
  const stop = new AbortController();
  const running = miner.run(stop.signal);
  // Measured after a second of warm-up, over the rest.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const [h0, t0] = [miner.hashes, performance.now()];
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const hps = ((miner.hashes - h0) * 1000) / (performance.now() - t0);
  stop.abort();
  await running;
  client.close();
  results.push({ threads, hps });
}
await world.close();

console.log('stratum-sdk mine (worker threads, version rolling, through the pool):');
for (const { threads, hps } of results) {
  const perThread = hps / threads;
  console.log(`  ${fmt(hps)}  on ${threads} thread${threads === 1 ? '' : 's'}: ${fmt(perThread).trim()} per thread, ${(perThread / best).toFixed(2)}x the fastest raw loop`);
}
const one = results[0].hps / best;
console.log(`${one >= 0.8 ? 'PASS' : 'FAIL'}: one thread mines at ${one.toFixed(2)}x the raw loop (target 0.8x)`);
