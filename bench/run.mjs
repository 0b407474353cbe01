#!/usr/bin/env node
// npm run bench: timings printed as ratios against a baseline measured in the same run, never asserted
// in tests. Here: the full code generation against loading (reading and parsing) the same spec.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../codegen/generate.mjs';
import { loadSpec } from '../codegen/load.mjs';
import { fmtMs, fmtRatio, interleave, machine, ratios, spread } from './lib/rounds.mjs';

const SPEC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'spec');

/** One timed run, in milliseconds. */
async function timed(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

await generate(SPEC); // warm up module caches, as a developer's second run would
// Interleaved (bench/lib/rounds.mjs): each round one full generate, then the baseline; the ratio is per round.
const t = await interleave(
  {
    full: () =>
      timed(async () => {
        const { errors } = await generate(SPEC);
        if (errors.length) throw new Error(errors.join('\n'));
      }),
    load: () => timed(() => loadSpec(SPEC)),
  },
  { rounds: 5, warmUp: 0 },
);
const methods = loadSpec(SPEC).files.length;
const full = spread(t.full);

console.log(`generate: ${methods} method files; 5 interleaved rounds, times median (min-max)`);
console.log(`  machine: ${await machine()}`);
console.log(`  full generate (validate, types, wrappers, validators, format): ${fmtMs(t.full, 0)} (target under 5000 ms)`);
console.log(`  baseline, read and parse the spec:                           ${fmtMs(t.load)}`);
console.log(`  ratio full / baseline: ${fmtRatio(ratios(t.full, t.load), 1)}; ${full.median < 5000 ? 'within' : 'OVER'} the 5 s target${full.max >= 5000 && full.median < 5000 ? ' (the slowest round was over)' : ''}`);
