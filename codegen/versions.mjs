// Dotted protocol versions, for the generator and the spec diff. The comparison itself is the runtime's,
// so the generator and the SDK can never disagree on which version is newer. In the repository,
// src/runtime/versions.ts is read and run here as it is (its types stripped by esbuild, a devDependency),
// so `npm run generate` needs no build step; that file must stay self-contained (no imports). In an
// installed package without esbuild (`stratum-sdk spec-diff`, 'stratum-sdk/spec-diff'), the compiled
// dist/runtime/versions.js is used instead: the spec diff needs none of the generator's dependencies.
import fs from 'node:fs';

export const RUNTIME_VERSIONS_SOURCE = new URL('../src/runtime/versions.ts', import.meta.url);
const RUNTIME_VERSIONS_COMPILED = new URL('../dist/runtime/versions.js', import.meta.url);

async function loadRuntimeVersions() {
  const esbuild = await import('esbuild').catch(() => null);
  let exports;
  if (esbuild && fs.existsSync(RUNTIME_VERSIONS_SOURCE)) {
    const source = fs.readFileSync(RUNTIME_VERSIONS_SOURCE, 'utf8');
    const { code } = esbuild.transformSync(source, { loader: 'ts', format: 'cjs', target: 'es2022', sourcefile: 'src/runtime/versions.ts' });
    if (/\brequire\(/.test(code)) throw new Error('src/runtime/versions.ts imports another module; the generator runs it alone, so it must import nothing');
    const module = { exports: {} };
    new Function('module', 'exports', code)(module, module.exports);
    exports = module.exports;
  } else if (fs.existsSync(RUNTIME_VERSIONS_COMPILED)) {
    exports = await import(RUNTIME_VERSIONS_COMPILED.href);
  } else {
    throw new Error('codegen/versions.mjs: neither esbuild (to run src/runtime/versions.ts) nor dist/runtime/versions.js (run `npm run build`) is available');
  }
  for (const name of ['compareVersions', 'inVersionRange', 'isVersion']) {
    if (typeof exports[name] !== 'function') throw new Error(`src/runtime/versions.ts no longer exports ${name}, which the generator uses`);
  }
  return exports;
}

const runtime = await loadRuntimeVersions();

/** The runtime's compareVersions: -1, 0 or 1; missing trailing parts count as zero ("1.6.0" equals "1.6"). */
export const compareVersions = runtime.compareVersions;
/** The runtime's inVersionRange: since inclusive, until exclusive. */
export const inVersionRange = runtime.inVersionRange;
export const isVersion = runtime.isVersion;

/** Whether `v` lies in a method file's `versions` (since inclusive, removed exclusive). */
export function inVersions(v, versions) {
  return inVersionRange(v, versions ? { since: versions.since, until: versions.removed } : undefined);
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
