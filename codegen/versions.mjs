// Dotted protocol versions; kept in step with src/runtime/versions.ts, which the generated code uses at run time.

export function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Every protocol version a set of method files names (method, param and notification gates, variant conditions), sorted. */
export function namedVersions(docs) {
  const found = new Set();
  const addRange = (r) => {
    for (const k of ['since', 'deprecated', 'removed', 'until']) if (typeof r?.[k] === 'string') found.add(r[k]);
  };
  for (const doc of docs) {
    addRange(doc.versions);
    for (const p of doc.params ?? []) addRange(p.versions);
    addRange(doc.notification?.versions);
    for (const p of doc.notification?.params ?? []) addRange(p.versions);
    for (const v of doc.result?.variants ?? []) addRange(v.when?.versions);
  }
  return sortVersions([...found]);
}

/** Sorted numerically and without duplicates by value ("1.6.0" and "1.6" are one version; the first spelling wins). */
export function sortVersions(versions) {
  const out = [];
  for (const v of [...versions].sort(compareVersions)) if (!out.length || compareVersions(out[out.length - 1], v) !== 0) out.push(v);
  return out;
}
