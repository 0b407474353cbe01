// A CPU profile of a stretch of one process (node:inspector, the same profiler as `node --cpu-prof`),
// summarised as the functions that spent the most time themselves: where the time goes, in a few lines
// of bench output instead of a file to open in a viewer.
import inspector from 'node:inspector';

/** Starts profiling this process; the returned function stops and resolves with the profile. */
export async function startProfile() {
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  // 1 ms between samples: enough detail for a run of seconds, little overhead.
  await post('Profiler.setSamplingInterval', { interval: 1000 });
  await post('Profiler.start');
  return async () => {
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    return profile;
  };
}

/**
 * Self time by function (name, file, line), largest first: `top` rows, each with its share of the
 * profiled time and of the busy (non-idle) time.
 */
export function summarizeProfile(profile, top = 15) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    const frame = nodes.get(profile.samples[i]).callFrame;
    total += dt;
    if (frame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    const file = frame.url ? frame.url.split('/').slice(-2).join('/') : '';
    const key = `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const busy = total - idle;
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    rows: rows.map(([name, micros]) => ({ name, ms: micros / 1000, ofBusy: busy ? micros / busy : 0 })),
  };
}

/** The summary as indented lines. */
export function formatProfile(summary, indent = '    ') {
  const lines = [`${indent}busy ${summary.busyMs.toFixed(0)} ms of ${summary.totalMs.toFixed(0)} ms profiled; self time, largest first:`];
  for (const r of summary.rows) lines.push(`${indent}  ${(r.ofBusy * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}`);
  return lines.join('\n');
}
