#!/usr/bin/env node
// npm run bench: timings printed as ratios against a baseline measured in the same run, never asserted
// in tests. For now: the full code generation against loading (reading and parsing) the same spec.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../codegen/generate.mjs';
import { loadSpec } from '../codegen/load.mjs';

const SPEC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'spec');

async function time(fn, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

await generate(SPEC); // warm up module caches, as a developer's second run would
const full = await time(async () => {
  const { errors } = await generate(SPEC);
  if (errors.length) throw new Error(errors.join('\n'));
}, 5);
const load = await time(() => loadSpec(SPEC), 20);
const methods = loadSpec(SPEC).files.length;

console.log(`generate: ${methods} method files`);
console.log(`  full generate (validate, types, wrappers, validators, format): ${full.toFixed(0)} ms median of 5 (target under 5000 ms)`);
console.log(`  baseline, read and parse the spec:                           ${load.toFixed(1)} ms median of 20`);
console.log(`  ratio full / baseline: ${(full / load).toFixed(1)}x; ${full < 5000 ? 'within' : 'OVER'} the 5 s target`);
