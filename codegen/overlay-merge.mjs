// The overlay merge itself, pure and free of the generator's dependencies: `stratum-sdk generate`
// (overlay.mjs) validates before and after it, and the spec diff (`spec-diff --overlay`) merges two revisions
// of an overlay with it to compare them. An overlay adds facts; one that would change a fact of the spec it
// is merged over is refused.
import { fileURLToPath } from 'node:url';

/** The package's own spec, beside codegen/ in the repository and in the installed package. */
export const PACKAGE_SPEC = fileURLToPath(new URL('../spec', import.meta.url));

/** The fields an extension file (`"extends": true`) may carry: each adds to the package's method. */
export const EXTENSION_FIELDS = ['params', 'versions', 'implementations', 'errors', 'deviations', 'sources', 'examples', 'invalidExamples'];
/** The list fields an extension appends to (its items keep their order, after the package's). */
export const APPENDED = ['params', 'implementations', 'errors', 'deviations', 'sources', 'examples', 'invalidExamples'];

export const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The deepest nesting of [ and { in JSON text, strings skipped; one pass, no recursion. */
export function jsonDepth(text) {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

// ---- Merging -----------------------------------------------------------------------------------------

/** The package's method with an extension's additions; null (and errors) where one would change a fact. */
export function extend(baseDoc, ext, err) {
  let ok = true;
  const names = new Set(baseDoc.params.map((p) => p.name));
  (ext.params ?? []).forEach((p, i) => {
    if (names.has(p.name)) {
      err(`/params/${i}/name`, `"${p.name}" is already a param of ${baseDoc.method} in the package's spec (an overlay adds params after the package's; it cannot redefine one)`);
      ok = false;
    }
  });
  const versions = baseDoc.versions ? { ...baseDoc.versions } : undefined;
  for (const [k, v] of Object.entries(ext.versions ?? {})) {
    if (!versions) {
      err(`/versions/${k}`, `${baseDoc.method} has no protocol versions in the package's spec (Stratum V1 has none)`);
      ok = false;
    } else if (versions[k] !== undefined && versions[k] !== v) {
      err(`/versions/${k}`, `the package's spec says ${baseDoc.method} is ${k} in ${versions[k]}; an overlay adds facts, it cannot change this one`);
      ok = false;
    } else versions[k] = v;
  }
  const codes = new Set((baseDoc.errors ?? []).map((e) => `${e.code} ${e.message}`));
  (ext.errors ?? []).forEach((e, i) => {
    if (codes.has(`${e.code} ${e.message}`)) {
      err(`/errors/${i}`, `the package's spec already lists error ${e.code} "${e.message}" for ${baseDoc.method}`);
      ok = false;
    }
  });
  if (!ok) return null;
  const merged = { ...baseDoc, ...(versions ? { versions } : {}) };
  for (const k of APPENDED) {
    if (ext[k] === undefined) continue;
    const list = [...(baseDoc[k] ?? []), ...ext[k]];
    merged[k] = k === 'implementations' ? [...new Set(list)] : list;
  }
  return merged;
}

/** The package's definitions with the overlay's added; a name or a type name the package uses is refused unless identical. */
export function mergeDefinitions(baseDefs, overlayDefs, errors) {
  if (overlayDefs === undefined) return baseDefs;
  const file = 'definitions.json';
  const err = (pointer, msg) => errors.push(`${file} (overlay): ${pointer}: ${msg}`);
  if (!isObject(overlayDefs) || !isObject(overlayDefs.$defs)) {
    err('/', 'must be an object with "$defs": { name: schema } (the overlay\'s own shared definitions)');
    return baseDefs;
  }
  const extra = Object.keys(overlayDefs).filter((k) => !['$schema', '$id', 'title', 'description', '$defs'].includes(k));
  if (extra.length) err(`/${extra[0]}`, `unknown property "${extra[0]}"`);
  const titles = new Map(Object.entries(baseDefs.$defs).map(([n, d]) => [d.title, n]));
  const $defs = { ...baseDefs.$defs };
  for (const [name, schema] of Object.entries(overlayDefs.$defs)) {
    const at = `/$defs/${name}`;
    if (!/^[A-Za-z0-9_]+$/.test(name)) err(at, 'a definition name is letters, digits and _ (methods refer to it as ../definitions.json#/$defs/<name>)');
    else if (!isObject(schema) || typeof schema.title !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(schema.title)) err(`${at}/title`, 'each definition needs a "title", its TypeScript type name (PascalCase)');
    else if (name in baseDefs.$defs) {
      if (JSON.stringify(baseDefs.$defs[name]) !== JSON.stringify(schema)) err(at, `the package's spec already defines "${name}" differently; an overlay cannot redefine it (give yours another name)`);
    } else if (titles.has(schema.title)) err(`${at}/title`, `"${schema.title}" is already the type name of the package's definition "${titles.get(schema.title)}"`);
    else {
      titles.set(schema.title, name);
      $defs[name] = schema;
    }
  }
  return { ...baseDefs, $defs };
}

