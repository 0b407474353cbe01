#!/usr/bin/env node
// npm run bench: how fast a pool can check mining.submit shares with stratum-sdk/bitcoin, against the raw cost
// of the one hash a share needs (double SHA-256 of an 80-byte header with node:crypto), measured in the same
// run, interleaved in rounds (bench/lib/rounds.mjs). Target: at least 0.9x of raw in the usual case. The job and the share are the real Public-Pool capture from the tests.
import { createHash } from 'node:crypto';
import { parseNotify, ShareValidator } from '../dist/bitcoin.js';
import { fmtRate, fmtRatio, interleave, machine, ratios, verdict } from './lib/rounds.mjs';

const NOTIFY = [
  '875b4b7',
  '6b6455fd6db962c101f2d4fc0d67f4a3bc96391d000152960000000000000000',
  '02000000010000000000000000000000000000000000000000000000000000000000000000ffffffff170330c30d5075626c69632d506f6f6c',
  'ffffffff02e5b5c61200000000220020984a77c289084ff2d434c316bdada021c6c183d507c8a20d3b159b09ac02fe280000000000000000266a24aa21a9edb98ee50410ed4abd48401ed484fc874409d086a3faf0816136a8ad6168314c5800000000',
  [
    '21af451ddb51e887ff1feb5592b87290098565035eb8500031aedcc776d4e72a',
    'c5af269519c809a9546d5a58ca6445d3dbb80cb7045448ecc48309af034da8f8',
    'fb9f8f9959f6bb0ceb63fa53aed1d5a615c6b6d3f50a468ea89a45a1234bda74',
    'a4f4fee8e5fc19ca8d93e67b9236c37ddb864982010434745c0abfe9b914980c',
    '33092206642744fbe5499c3e621cd5c6b52733e54fbebd869f070082b807f740',
    '3b857e32c5cff4864efab967b9a456ca03b2167ab96bd9076ce294c8a67a7fe2',
    '881a07cd881d0c3e590b4b090ea8d58e1439dc56c63686f7de23c47045441e30',
    '315e4dbcc8e7b1c9d594a73978268791880dddb2c26eec8e75768668dad99d80',
    '69952b77c632be16b1ac7ac7048f13d4e962b2e215d79a343f01e6e281d7c304',
    'fc63eb4392c4d6c6d689788875fca35143fdcd4f4a82e8698e0e441751a70b4a',
    '09e419bbe20aa3a7640f1b91f50599ceddff899e90d3f18951ad5418c4850a6b',
    '004978aa346b4f1880bcadb3ca3792d771ee6aeca427f61e74baba44b75cfb88',
  ],
  '20000000',
  '17023a04',
  '685468d7',
  false,
];
const SESSION = { extranonce1: '4128064f', extranonce2Size: 4, versionMask: 0x1fffe000 };
const SHARE = { extranonce2: '17000000', ntime: '685468d7', nonce: '7552034c', versionBits: '00b44000' };
const POOL_DIFFICULTY = 8192;

const ROUNDS = 15;
const PER_ROUND = 30_000;
// Rebuilding the coinbase and merkle path costs about 15x more: fewer per round keep the run short.
const COLD_PER_ROUND = 2_000;
const TARGET = 0.9;

// Shares as they come off the wire: hex strings, here with distinct nonces (one accepted, the rest not).
const hex8 = (n) => (n >>> 0).toString(16).padStart(8, '0');
const warm = Array.from({ length: 4096 }, (_, i) => ({
  ...SHARE,
  nonce: i === 0 ? SHARE.nonce : hex8(0x7552034c + i),
}));
const cold = Array.from({ length: 4096 }, (_, i) => ({ ...SHARE, extranonce2: hex8(i * 7919) }));

/** One timed round of PER_ROUND calls; returns operations per second. */
function rate(fn, count = PER_ROUND) {
  const t = performance.now();
  for (let i = 0; i < count; i++) fn(i);
  return count / ((performance.now() - t) / 1000);
}

const header = new Uint8Array(80);
header.set([0x00, 0x40, 0xb4, 0x20], 0);
const rawOnce = (i) => {
  header[76] = i & 0xff;
  header[77] = (i >>> 8) & 0xff;
  createHash('sha256').update(createHash('sha256').update(header).digest()).digest();
};

const job = parseNotify(NOTIFY);
const validator = new ShareValidator(job, SESSION);
if (!validator.check(SHARE, POOL_DIFFICULTY).accepted) throw new Error('the captured share must be accepted');
let accepted = 0;
const steadyOnce = (i) => {
  if (validator.check(warm[i & 4095], POOL_DIFFICULTY).accepted) accepted++;
};

// Worst case: every share brings a new extranonce2, so the coinbase and the 12-step merkle path are rebuilt.
const coldValidator = new ShareValidator(job, SESSION);
const coldOnce = (i) => coldValidator.check(cold[i & 4095], POOL_DIFFICULTY);

// Warm-up (JIT), then the three interleaved, round by round.
for (let i = 0; i < 20_000; i++) {
  rawOnce(i);
  steadyOnce(i);
  if (i < 2000) coldOnce(i);
}
const samples = await interleave({ raw: () => rate(rawOnce), steady: () => rate(steadyOnce), cold: () => rate(coldOnce, COLD_PER_ROUND) }, { rounds: ROUNDS, warmUp: 0 });
if (accepted === 0) throw new Error('the accepted share was never seen');

const usual = ratios(samples.steady, samples.raw);
console.log(`share validation (stratum-sdk/bitcoin ShareValidator, real Public-Pool job with 12 merkle nodes); ${ROUNDS} interleaved rounds of ${PER_ROUND.toLocaleString('en-US')} (${COLD_PER_ROUND.toLocaleString('en-US')} for the rebuilt case), per second median (min-max):`);
console.log(`  validated shares, same extranonce2 (the usual case):  ${fmtRate(samples.steady)}`);
console.log(`  baseline, node:crypto sha256d of an 80-byte header:    ${fmtRate(samples.raw)}`);
console.log(`  ratio ${fmtRatio(usual)} of raw ${verdict(usual, TARGET, true)}`);
console.log(`  every share with a new extranonce2 (coinbase and merkle path rebuilt): ${fmtRate(samples.cold)}, ${fmtRatio(ratios(samples.cold, samples.raw))} of raw`);
console.log(`  machine: ${await machine()}`);
