// Interleaved rounds for every benchmark: the contestants run one after another (A, B, C, A, B, C, ...)
// for several rounds, so a noisy neighbour on the shared machine slows each of them alike, and every
// ratio is taken within one round, then shown as its median with its minimum and maximum over the
// rounds. A single figure on a loaded 2-core machine can be off by half; the spread shows how far.

/**
 * Runs `contestants` interleaved. Each `run` returns one sample (a rate or a time, the caller says which
 * by how it builds ratios). `warmUp` rounds run first and are not kept (JIT, caches, socket buffers).
 * `collect`, when given (see fullCollection), runs before every contestant alike, untimed: a benchmark
 * whose contestants each leave megabytes of garbage would otherwise charge a contestant for the full
 * collection that the one before it made due, and always the same one, as the order only rotates.
 * @template {string} K
 * @param {{ [name in K]: () => number | Promise<number> }} contestants
 * @param {{ rounds: number, warmUp?: number, collect?: () => void }} options
 * @returns {Promise<{ [name in K]: number[] }>}
 */
export async function interleave(contestants, { rounds, warmUp = 1, collect }) {
  const names = Object.keys(contestants);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = -warmUp; round < rounds; round++) {
    // Each round starts with a different contestant, so none always runs right after the same other.
    const offset = ((round % names.length) + names.length) % names.length;
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + offset) % names.length];
      collect?.();
      const value = await contestants[name]();
      if (round >= 0) samples[name].push(value);
    }
  }
  return samples;
}

/** The per-round ratios a[i] / b[i] (same round, so the same conditions). */
export function ratios(a, b) {
  if (a.length !== b.length) throw new Error(`ratios: ${a.length} samples against ${b.length}`);
  return a.map((x, i) => x / b[i]);
}

/** Minimum, median and maximum of some samples. */
export function spread(samples) {
  if (samples.length === 0) throw new Error('spread: no samples');
  const sorted = [...samples].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1], n: sorted.length };
}

export function median(samples) {
  return spread(samples).median;
}

/** "0.91x (0.84-0.97x over 7 rounds)": a ratio's median with its spread. */
export function fmtRatio(values, digits = 2) {
  const s = spread(values);
  return `${s.median.toFixed(digits)}x (${s.min.toFixed(digits)}-${s.max.toFixed(digits)}x over ${s.n} rounds)`;
}

/** "1,234,567 (1,100,000-1,300,000)": a rate's median with its spread. */
export function fmtRate(values) {
  const s = spread(values);
  const f = (n) => Math.round(n).toLocaleString('en-US');
  return `${f(s.median)} (${f(s.min)}-${f(s.max)})`;
}

/** "12.3 ms (11.9-14.0)": a time's median with its spread. */
export function fmtMs(values, digits = 1) {
  const s = spread(values);
  return `${s.median.toFixed(digits)} ms (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
}

/**
 * A verdict on a ratio against a target: by its median, with a note when the spread crosses the target
 * (so a figure near its target is not read as settled). `atLeast` true: higher is better.
 */
export function verdict(values, target, atLeast) {
  const s = spread(values);
  const ok = (v) => (atLeast ? v >= target : v <= target);
  const word = ok(s.median) ? 'within' : atLeast ? 'BELOW' : 'OVER';
  const crosses = ok(s.min) !== ok(s.max) ? ', the spread crosses it' : '';
  return `(target ${atLeast ? 'at least' : 'at most'} ${target}x): ${word}${crosses}`;
}

/** The machine, for the record: cores, CPU model, Node version. */
export async function machine() {
  const os = await import('node:os');
  const cpus = os.cpus();
  return `${cpus.length} cores, ${cpus[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

/**
 * A full garbage collection, for interleave's `collect`, without needing node --expose-gc on the command
 * line (so `node bench/x.mjs` and `npm run bench` measure the same way).
 * @returns {Promise<() => void>}
 */
export async function fullCollection() {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  const v8 = await import('node:v8');
  const vm = await import('node:vm');
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
}
