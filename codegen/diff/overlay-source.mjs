// A spec overlay (the folder `stratum-sdk generate --spec` takes) as the diff sees it: merged over the
// package's spec, from a folder or a git revision, so `spec-diff --overlay <old> <new>` compares what a
// project's own protocol was and is. The merge is the generator's (overlay-merge.mjs) without its
// validation, which needs ajv: only what the merge itself needs is checked here.
import { PROTOCOLS } from '../load.mjs';
import { extend, isObject, jsonDepth, mergeDefinitions, PACKAGE_SPEC } from '../overlay-merge.mjs';
import { loadSpecSource, MAX_SPEC_DEPTH, readSpecFiles, SpecSourceError } from './source.mjs';

const LISTS = ['params', 'implementations', 'errors', 'deviations', 'sources', 'examples', 'invalidExamples'];

/**
 * @param {string} ref an overlay folder, or a git revision (its `specPath` tree is the overlay)
 * @param {{ cwd?: string, specPath?: string, baseDir?: string }} [options] baseDir: the spec merged over
 *   (default: the package's own)
 * @returns {import('./diff.mjs').LoadedSpec}
 */
export function loadOverlaySource(ref, { cwd = process.cwd(), specPath = 'spec', baseDir = PACKAGE_SPEC } = {}) {
  const base = loadSpecSource(baseDir);
  const { label, files } = readSpecFiles(ref, { cwd, specPath, requireDefinitions: false });
  const problems = [];
  const parse = (rel) => {
    const text = files.get(rel);
    const depth = jsonDepth(text);
    if (depth > MAX_SPEC_DEPTH) return void problems.push(`${rel}: /: nested ${depth} deep, more than the ${MAX_SPEC_DEPTH} a spec file may be`);
    try {
      return JSON.parse(text);
    } catch (e) {
      return void problems.push(`${rel}: /: invalid JSON: ${e.message}`);
    }
  };
  const overlayDefinitions = files.has('definitions.json') ? parse('definitions.json') : undefined;
  const definitions = overlayDefinitions === undefined ? base.definitions : mergeDefinitions(base.definitions, overlayDefinitions, problems);
  const methods = Object.fromEntries(PROTOCOLS.map((p) => [p, new Map(base.methods[p])]));
  for (const rel of [...files.keys()].sort()) {
    const [protocol, name] = rel.split('/');
    if (!name || !methods[protocol]) continue;
    const doc = parse(rel);
    if (doc === undefined) continue;
    const err = (pointer, msg) => problems.push(`${rel}: ${pointer || '/'}: ${msg}`);
    const method = name.replace(/\.json$/, '');
    const shape = shapeProblem(doc, method, protocol);
    if (shape) {
      err(...shape);
      continue;
    }
    const existing = methods[protocol].get(method);
    if (doc.extends === true) {
      if (!existing) err('/extends', `the package's spec has no ${protocol} method "${method}" to extend`);
      else {
        const merged = extend(existing, doc, err);
        if (merged) methods[protocol].set(method, merged);
      }
    } else if (existing) err('/method', `${protocol} method "${method}" is already in the package's spec; an overlay cannot redefine it`);
    else methods[protocol].set(method, { ...doc, params: doc.params ?? [] });
  }
  if (problems.length) throw new SpecSourceError(`${ref}: the overlay does not merge over the package's spec: ${problems.join('; ')}`);
  return { label, definitions, methods };
}

/** [pointer, reason] when a file is not shaped as the merge needs; undefined when it is. */
function shapeProblem(doc, method, protocol) {
  if (!isObject(doc)) return ['', 'must be an object (a method file)'];
  if (doc.method !== method) return ['/method', `must equal the file name "${method}"`];
  if (doc.protocol !== protocol) return ['/protocol', `must be "${protocol}", the folder it is in`];
  for (const k of LISTS) if (doc[k] !== undefined && !Array.isArray(doc[k])) return [`/${k}`, 'must be a list'];
  const bad = (doc.params ?? []).findIndex((p) => !isObject(p) || typeof p.name !== 'string');
  if (bad >= 0) return [`/params/${bad}`, 'must be a param with a name'];
  if (doc.extends !== undefined) {
    if (doc.extends !== true) return ['/extends', 'must be true'];
    if (doc.versions !== undefined && (!isObject(doc.versions) || Object.entries(doc.versions).some(([k, v]) => !['deprecated', 'removed'].includes(k) || typeof v !== 'string'))) {
      return ['/versions', 'an extension may only add "deprecated" or "removed" (a version each)'];
    }
  }
  return undefined;
}
