// Stage 4b: ajv standalone validators, so ajv is a build-time dependency only. The schemas are the
// model's (each method's params tuple, result variants, variant conditions and notification tuple).
//
// One module per method, so that a bundler keeps only the validators an application imports: a browser
// wallet that checks ten methods carries those ten, and a client built without validators carries none.
// What every method's code shares (the hex pattern engine) is one small module of its own; `index.ts`
// re-exports each method's validators by name and gathers them all as one set for the servers and the
// default client.
import standaloneCode from 'ajv/dist/standalone/index.js';
import { compileFastCheck, HEX_BATCH_CODE, worthFastCheck } from './fast-validators.mjs';
import { addDefinitions, methodKey, newAjv, patternEngine } from './schemas.mjs';

/** The folder, under the protocol's generated folder, that holds the validator modules. */
export const VALIDATORS_DIR = 'validators';

/** The file of one method's validators, relative to the validators folder. */
export function validatorFile(method) {
  return `${method}.ts`;
}

/**
 * @param {import('./model.mjs').ProtocolModel} model @param {object} definitions
 * @param {{ banner: string, runtimeImport: string, packageImport?: string }} options runtimeImport: as seen from
 *   <protocol>/; packageImport: the package name, for code generated outside it.
 * @returns {{ files: Record<string, { code: string, format: boolean }> }} paths relative to <protocol>/.
 */
export function emitValidators(model, definitions, { banner, runtimeImport, packageImport }) {
  const files = {};
  // One directory deeper than the protocol's other generated files; code generated outside the package
  // (`stratum-sdk generate`) takes the runtime's types from the package's public entry point instead.
  const runtime = packageImport ?? `${runtimeImport.startsWith('.') ? `../${runtimeImport}` : runtimeImport}/validation.js`;
  const shared = `${banner}\n// @ts-nocheck\n/* eslint-disable */\n// The pattern engine every method's validators use (see codegen/schemas.mjs), once for all of them.\nexport const patternEngine = ${patternEngine.code};\n\n// The hex test of the fast checks in front of large results' validators (see codegen/fast-validators.mjs).\nexport const hexBatch = ${HEX_BATCH_CODE};\n\n// Adds an error to a validator's list, starting it with the first (ajv's vErrors: null until an error).\nexport const pushError = (list, instancePath, keyword, params) => {\n  const error = { instancePath, keyword, params };\n  return list === null ? [error] : (list.push(error), list);\n};\n`;
  files[`${VALIDATORS_DIR}/shared.ts`] = { code: shared, format: false };
  const index = [];
  for (const m of model.methods) {
    const { code, hasFast, floors } = methodModule(m, definitions, banner, runtime);
    files[`${VALIDATORS_DIR}/${validatorFile(m.method)}`] = { code, format: false };
    // What a client acts on itself: answers that change the session, and whatever the peer sends of its
    // own accord. A client keeps its session state from spec-valid values only, so it carries these always.
    const session = Boolean(m.sessionState) || m.serverSends || (m.kind === 'notification' && m.serverNotifies);
    index.push({ method: m.method, name: methodKey(m.method), hasFast, session, floors: floors.map((f) => f.name) });
  }
  files[`${VALIDATORS_DIR}/index.ts`] = { code: indexModule(model, index, banner, runtime), format: true };
  return { files };
}

function methodModule(m, definitions, banner, runtime) {
  // An ajv of its own per method: the functions' names restart in every file, so a change to one method
  // leaves the other methods' files as they were.
  const results = m.schemas.filter((s) => s.role === 'result');
  const floors = versionFloors(m);
  const entries = [...m.schemas, ...floors.flatMap((f) => (f.notification ? [f.notification] : []))];
  const schemas = entries.map((s) => (s.role === 'notification' ? withResultRefs(s.schema, results) : s.schema));
  // ajv inlines references unless told not to; told only where one was made, so the other files stay as they were.
  const ajv = newAjv({ messages: false, inlineRefs: schemas.every((schema, i) => schema === entries[i].schema) });
  addDefinitions(ajv, definitions);
  const exports = {};
  entries.forEach((s, i) => {
    ajv.addSchema(schemas[i]);
    exports[s.name] = s.id;
  });
  let code = standaloneCode(ajv, exports);
  // A notification that carries a result shape calls that result's function (see withResultRefs): only the
  // path prefix of ajv's context is passed, which is all the callee reads.
  code = code.replace(/\{instancePath:(instancePath\+"[^"]*"),parentData:data,parentDataProperty:\d+,rootData\}/g, '{instancePath:$1}');
  // A runtime import would make ajv (or its helpers) a dependency of every user of the SDK.
  if (/\brequire\(/.test(code) || /^\s*import\s/m.test(code)) {
    throw new Error('codegen: the standalone validators import ajv at run time; avoid the keyword that needs it (object const/enum, uniqueItems, unicode string lengths)');
  }
  // The engine's source, embedded by ajv in every file that has a hex pattern, comes from the shared module.
  const imports = [];
  const engine = /^const (func\d+) = /gm;
  code = code.replace(new RegExp(`^const (func\\d+) = ${escapeRegExp(patternEngine.code)};\\n`, 'gm'), (_, name) => {
    imports.push(`import { patternEngine as ${name} } from './shared.js';`);
    return '';
  });
  if (engine.test(code)) throw new Error(`codegen: ${m.method}: ajv emitted a helper function other than the pattern engine`);
  // Where in the schema an error arose: the runtime never reads it (CompiledErrorObject has no such
  // field), and each error site would carry it into every bundle.
  code = code.replace(/schemaPath:"(?:[^"\\]|\\.)*",/g, '');
  // Each error site's six lines that start or extend the list become one call to the shared pushError (the
  // same list, the same order): a browser wallet's validators are a fifth smaller for it (an eighth gzipped).
  const sites = code.length;
  code = code.replace(/^const (err\d+) = \{instancePath(?::((?:(?!;\n)[\s\S])*?))?,keyword:("[^"]*"),params:(\{(?:(?!;\n)[\s\S])*?\})\};\nif\(vErrors === null\)\{\nvErrors = \[\1\];\n\}\nelse \{\nvErrors\.push\(\1\);\n\}\n/gm, (_, __, path, keyword, params) => `vErrors = pushError(vErrors, ${path ?? 'instancePath'}, ${keyword}, ${params});\n`);
  // ajv's number checks, said the short way (the same verdicts: a number, finite, and for integers no fraction).
  code = code
    .replace(/\(\(typeof (data\d*) == "number"\) && \(!\(\1 % 1\) && !isNaN\(\1\)\)\) && \(isFinite\(\1\)\)/g, 'Number.isInteger($1)')
    .replace(/\(typeof (data\d*) == "number"\) && \(isFinite\(\1\)\)/g, 'Number.isFinite($1)')
    // A bound checked inside that finite test: NaN cannot get there, so ajv's isNaN() after it never holds.
    .replace(/^(if\(Number\.isFinite\((data\d*)\)\)\{\nif\(\2 [<>]=? [^\n|]+?) \|\| isNaN\(\2\)\)\{$/gm, '$1){');
  if (code.length !== sites) imports.push(`import { pushError } from './shared.js';`);
  // Nothing calls these functions with a context but the runtime, which passes none: the other names ajv's
  // signature takes are never read while the definitions are inlined, only the path prefix. (Code generated
  // from another spec, where a definition stays a reference, keeps them: one function calls another.)
  const lean = code.replace(/\{instancePath="", parentData, parentDataProperty, rootData=data\}=\{\}\)\{$/gm, '{instancePath=""}={}){');
  if (!/\b(?:parentData|parentDataProperty|rootData)\b/.test(lean)) code = lean;
  // Patterns are made when the module loads: marked pure, so a bundler may drop a module nothing uses.
  code = code.replace(/^(const pattern\d+ = )(func\d+\()/gm, '$1/* @__PURE__ */ $2');
  // ajv's "use strict" and its exports: the module's own export below replaces them.
  code = code.replace(/^"use strict";\n/, '').replace(/^export const (\w+) = (validate\d+);\n/gm, (_, name, fn) => {
    exports[name] = fn;
    return '';
  });
  // Results that can be large get a verdict-only check first; ajv's function runs when it says anything
  // but valid, so the errors are always ajv's (see codegen/fast-validators.mjs). They are a second export
  // (<name>_fast), so a bundle that takes the plain one (a browser wallet's set) carries none of their code:
  // speed on 12 MB replies is the servers' and the Node client's concern, bytes the browser's.
  const fast = [];
  const fastExports = { ...exports };
  for (const s of m.schemas) {
    if (s.role !== 'result' || !worthFastCheck(s.schema)) continue;
    const ajvFn = exports[s.name];
    const n = ajvFn.replace(/^validate/, '');
    const check = compileFastCheck(s.schema, `fast${n}`);
    if (check === undefined) continue;
    fast.push(
      check,
      `function checked${n}(data) {\nif (fast${n}(data)) {\nchecked${n}.errors = null;\nreturn true;\n}\nconst valid = ${ajvFn}(data);\nchecked${n}.errors = ${ajvFn}.errors;\nreturn valid;\n}`,
    );
    fastExports[s.name] = `checked${n}`;
  }
  if (fast.length) {
    imports.push(`import { hexBatch } from './shared.js';`);
    code = `${code.trimEnd()}\n\n${fast.join('\n\n')}\n`;
  }
  const byRole = (role) => m.schemas.filter((s) => s.role === role);
  // `floor`: one of versionFloors', for its own set (its version, only the result shapes that go on, its notification).
  const fieldsOf = (names, floor) => {
    const fn = (s) => names[s.name];
    const kept = (s) => floor === undefined || floor.variants.includes(s.variant);
    const params = byRole('params')[0];
    const results = byRole('result')
      .filter(kept)
      .map((s) => `${JSON.stringify(s.variant)}: ${fn(s)}`);
    const conditions = new Map();
    for (const s of byRole('condition').filter(kept)) {
      if (!conditions.has(s.variant)) conditions.set(s.variant, []);
      conditions.get(s.variant).push(`${JSON.stringify(s.param)}: ${fn(s)}`);
    }
    // A notification method's notification is its params; a subscription's is its own tuple.
    const notification = floor?.notification ?? byRole('notification')[0] ?? (m.kind === 'notification' ? params : undefined);
    return [
      `method: ${JSON.stringify(m.method)}`,
      ...(floor ? [`since: ${JSON.stringify(floor.version)}`] : []),
      `params: ${fn(params)}`,
      `results: { ${results.join(', ')} }`,
      ...(conditions.size ? [`conditions: { ${[...conditions].map(([v, list]) => `${JSON.stringify(v)}: { ${list.join(', ')} }`).join(', ')} }`] : []),
      ...(notification ? [`notification: ${fn(notification)}`] : []),
      // The wording of these validators' errors comes with them: a client without validators carries none.
      'format: formatErrors',
    ];
  };
  const fields = fieldsOf(exports);
  const text = [
    banner,
    '// @ts-nocheck',
    '/* eslint-disable */',
    `import { formatErrors, type MethodValidators } from '${runtime}';`,
    ...imports,
    code.trimEnd(),
    '',
    `/** The spec's checks of \`${m.method}\`: its params, result${m.schemas.some((s) => s.role === 'notification') || m.kind === 'notification' ? ' and notification' : ''}. */`,
    `export const ${methodKey(m.method)}: MethodValidators<${JSON.stringify(m.method)}> = { ${fields.join(', ')} };`,
    ...(fast.length
      ? [
          '',
          `/** The same checks, with a verdict-only fast check in front of its large results (ajv's errors when it fails): what the full set uses. */`,
          `export const ${methodKey(m.method)}_fast: MethodValidators<${JSON.stringify(m.method)}> = { ${fieldsOf(fastExports).join(', ')} };`,
        ]
      : []),
    ...floors.flatMap((f) => [
      '',
      `/**`,
      ` * The same checks for protocol ${f.version} and later, without the result shapes that end before it (${f.dropped.join(', ')}): a client`,
      ` * takes them only if its version range starts at ${f.version} or later, and refuses a value of an older version.`,
      ` */`,
      `export const ${f.name}: MethodValidators<${JSON.stringify(m.method)}> = { ${fieldsOf(exports, f).join(', ')} };`,
    ]),
    '',
  ].join('\n');
  return { code: text, hasFast: fast.length > 0, floors };
}

/**
 * The model's floors (eras.mjs: the versions from which some result shapes end), each with the notification it
 * checks where the method is a subscription whose result shape varies: such a subscription carries its value in
 * its notifications in the shapes of its result (see eras.mjs), so from a floor on its notification is checked
 * against the shapes that go on, not the spec's notification schema, which names them all.
 */
function versionFloors(m) {
  const base = m.schemas.find((s) => s.role === 'notification');
  return m.floors.map((floor) => {
    const suffix = `_from_${floor.version.replace(/\./g, '_')}`;
    let notification;
    if (base && m.kind === 'subscription') {
      const shapes = floor.variants.map((name) => withoutId(m.schemas.find((s) => s.role === 'result' && s.variant === name).schema));
      const items = [...base.schema.items];
      items[items.length - 1] = shapes.length === 1 ? shapes[0] : { anyOf: shapes };
      const id = base.id.replace(/\.json$/, `.from-${floor.version}.json`);
      notification = { role: 'notification', name: `${base.name}${suffix}`, id, schema: { ...base.schema, items, $id: id } };
    }
    return { ...floor, name: `${methodKey(m.method)}${suffix}`, notification };
  });
}

// A shape under this many characters of JSON is cheaper inlined than called.
const MIN_SHARED_SHAPE = 200;

/**
 * A notification schema with each large part that is one of the method's result shapes (blockchain.headers.subscribe
 * sends its result's header again) replaced by a reference to that result's schema, so its checks are compiled once
 * and called, not inlined twice: the same keywords on the same values, so the same verdict and errors.
 */
function withResultRefs(schema, results) {
  const shapes = new Map(results.map((r) => [stableJson(withoutId(r.schema)), r.id]));
  const walk = (node) => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const json = stableJson(node);
    if (json.length >= MIN_SHARED_SHAPE && shapes.has(json)) return { $ref: shapes.get(json) };
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
  };
  const { $id, ...rest } = schema;
  const out = { ...walk(rest), $id };
  return stableJson(out) === stableJson(schema) ? schema : out;
}

function withoutId(schema) {
  const { $id: _id, ...rest } = schema;
  return rest;
}

function stableJson(value) {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

function indexModule(model, index, banner, runtime) {
  const Proto = model.protocol[0].toUpperCase() + model.protocol.slice(1);
  const names = index.map((e) => `'${e.method}'`).join(' | ') || 'never';
  return [
    banner,
    `import type { MethodValidators } from '${runtime}';`,
    ...index.map((e) => `import { ${[e.name, ...(e.hasFast ? [`${e.name}_fast`] : []), ...e.floors].join(', ')} } from './${validatorFile(e.method).replace(/\.ts$/, '.js')}';`),
    '',
    `export { ${index.flatMap((e) => [e.name, ...(e.hasFast ? [`${e.name}_fast`] : []), ...e.floors]).join(', ')} };`,
    '',
    `/** Wire names of every method with validators. */`,
    `export type ${Proto}ValidatedMethod = ${names};`,
    '',
    `/**`,
    ` * A set of validators by wire name: what a client checks. Build one from the per-method exports`,
    ` * (\`{ 'server.version': server_version }\`) to bundle only those methods' checks.`,
    ` */`,
    `export type ${Proto}Validators = { readonly [M in ${Proto}ValidatedMethod]?: MethodValidators<M> };`,
    '',
    `/** Every method's validators, with the fast checks of large results: what the servers check with, and a client by default. */`,
    `export const ${model.protocol}Validators = {`,
    ...index.map((e) => `  '${e.method}': ${e.hasFast ? `${e.name}_fast` : e.name},`),
    `} satisfies ${Proto}Validators;`,
    '',
    `/**`,
    ` * The validators a client carries whatever else it is given: of the requests whose answers change the`,
    ` * session (the spec's sessionState) and of what the peer sends of its own accord, since the client keeps`,
    ` * its session state from spec-valid values only.`,
    ` */`,
    `export const ${model.protocol}SessionValidators = {`,
    ...index.filter((e) => e.session).map((e) => `  '${e.method}': ${e.name},`),
    `} satisfies ${Proto}Validators;`,
    '',
  ].join('\n');
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
