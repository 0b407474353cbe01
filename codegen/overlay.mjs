// `stratum-sdk generate --spec <overlay> --out <dir>`: a folder of the user's own method files (new
// methods, params added to the package's methods, later protocol versions, deviations) merged over the
// package's spec, validated as the package's own spec is, and emitted as code that imports only the
// package's public entry points. The merge itself is overlay-merge.mjs's (its rules also in the README
// and `stratum-sdk generate --help`): an overlay adds facts; it never changes one the package's spec states.
//
// The overlay is input from outside: it is read within named limits (OVERLAY_LIMITS), its JSON depth is
// checked without recursion before anything walks it, and every problem is one line,
// "<file>: <JSON pointer>: <reason>", as for the package's spec. Nothing is written while there is one.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { emitAll, BANNER } from './generate.mjs';
import { loadSpec, PROTOCOLS } from './load.mjs';
import { buildModel } from './model.mjs';
import { addDefinitions, methodSchemas, newAjv } from './schemas.mjs';
import { upperFirst } from './names.mjs';
import { describeMetaError, validateSpec } from './validate.mjs';
import { APPENDED, EXTENSION_FIELDS, extend, isObject, jsonDepth, mergeDefinitions, PACKAGE_SPEC } from './overlay-merge.mjs';

export { EXTENSION_FIELDS, jsonDepth, PACKAGE_SPEC };

export const OVERLAY_LIMITS = Object.freeze({
  // Method files in one protocol folder: the package's spec has about a hundred in all; thousands mean a
  // wrong --spec folder, not a protocol.
  maxFiles: 1000,
  // Bytes of one file: the package's largest method file is under 40 KB.
  maxFileBytes: 1_048_576,
  // Nesting of arrays and objects in one file: the package's deepest is under 20. Checked before any
  // recursive walk (schema inlining, type generation), so no file can exhaust the stack.
  maxDepth: 64,
});

/**
 * Reads, checks and merges an overlay over the package's spec.
 * @param {string} overlayDir
 * @param {{ baseDir?: string, limits?: Partial<typeof OVERLAY_LIMITS> }} [options]
 * @returns {{ spec: { meta: object, definitions: object, files: object[] } | null, errors: string[], touched: string[] }}
 *   touched: the protocols the overlay has files for.
 */
export function mergeOverlay(overlayDir, { baseDir = PACKAGE_SPEC, limits = {} } = {}) {
  const lim = { ...OVERLAY_LIMITS, ...limits };
  const errors = [];
  const base = loadSpec(baseDir);
  if (base.errors.length) return { spec: null, errors: base.errors.map((e) => `the package's spec: ${e}`), touched: [] };
  const overlay = readOverlay(overlayDir, lim, errors);
  if (!overlay) return { spec: null, errors, touched: [] };

  const checkMeta = new Ajv({ allErrors: true, strict: false }).compile(base.meta);
  const checkExtension = new Ajv({ allErrors: true, strict: false }).compile(extensionSchema(base.meta));
  const definitions = mergeDefinitions(base.definitions, overlay.definitions, errors);

  const byKey = new Map(base.files.map((f) => [`${f.protocolDir}/${f.doc.method}`, f]));
  const files = [...base.files];
  // Where each extension's own items start in the merged lists, to point errors into the overlay file.
  const offsets = new Map();
  for (const { file, protocolDir, doc } of overlay.files) {
    const err = (pointer, msg) => errors.push(`${file}: ${pointer || '/'}: ${msg}`);
    if (!isObject(doc)) {
      err('', 'must be an object (a method file)');
      continue;
    }
    const name = path.basename(file, '.json');
    const key = `${protocolDir}/${name}`;
    const existing = byKey.get(key);
    if (doc.extends !== undefined) {
      if (!checkExtension(doc)) {
        for (const e of checkExtension.errors ?? []) err(e.instancePath, describeMetaError(e));
        continue;
      }
      if (doc.method !== name) err('/method', `must equal the file name "${name}"`);
      else if (doc.protocol !== protocolDir) err('/protocol', `is "${doc.protocol}" but the file is in ${protocolDir}/`);
      else if (!existing) err('/extends', `the package's spec has no ${protocolDir} method "${name}" to extend (leave "extends" out to add a new method)`);
      else {
        const merged = extend(existing.doc, doc, err);
        if (merged) {
          offsets.set(file, Object.fromEntries(APPENDED.map((k) => [k, (existing.doc[k] ?? []).length])));
          files[files.indexOf(existing)] = { file, protocolDir, doc: merged };
          byKey.set(key, { file, protocolDir, doc: merged });
        }
      }
      continue;
    }
    if (!checkMeta(doc)) {
      for (const e of checkMeta.errors ?? []) err(e.instancePath, describeMetaError(e));
      continue;
    }
    if (existing) {
      const where = existing.file.startsWith(baseDir) ? "the package's spec" : path.relative(process.cwd(), existing.file);
      err('/method', `${protocolDir} method "${doc.method}" is already in ${where}; an overlay cannot redefine it: add to it with "extends": true and only the additions (${EXTENSION_FIELDS.join(', ')})`);
      continue;
    }
    files.push({ file, protocolDir, doc });
    byKey.set(key, { file, protocolDir, doc });
  }
  if (errors.length) return { spec: null, errors, touched: [] };

  // The merged spec is judged exactly as the package's own: the same checks, file by file and across files.
  const spec = { meta: base.meta, definitions, files };
  const judged = validateSpec(spec);
  if (!judged.length) judged.push(...checkExamples(files.filter((f) => !f.file.startsWith(baseDir)), definitions));
  if (judged.length) return { spec: null, errors: judged.map((e) => pointIntoOverlay(e, offsets)), touched: [] };
  const touched = PROTOCOLS.filter((p) => overlay.files.some((f) => f.protocolDir === p));
  return { spec, errors: [], touched: touched.length ? touched : [...PROTOCOLS] };
}

/**
 * The whole generation: merge, model, emit. `files`: paths relative to --out. Only the protocols the
 * overlay touches are emitted (all of them when it only adds definitions), each with an index.ts.
 * @param {string} overlayDir
 * @param {{ baseDir?: string, limits?: Partial<typeof OVERLAY_LIMITS>, packageName?: string }} [options]
 */
export async function generateOverlay(overlayDir, options = {}) {
  const { spec, errors, touched } = mergeOverlay(overlayDir, options);
  if (!spec) return { files: new Map(), errors, protocols: [] };
  const model = buildModel(spec);
  const packageName = options.packageName ?? 'stratum-sdk';
  let all;
  try {
    ({ files: all } = await emitAll({ ...model, protocols: model.protocols.filter((p) => touched.includes(p.protocol)) }, { packageImport: packageName }));
  } catch (e) {
    // What the emitters refuse (a schema keyword the standalone validators cannot do without ajv at run
    // time, two types of one name) is a problem of the overlay too: reported, not thrown.
    return { files: new Map(), errors: [`${overlayDir}: /: ${e instanceof Error ? e.message : String(e)}`], protocols: [] };
  }
  const files = new Map([...all].map(([name, text]) => [name, text.replace(BANNER, OVERLAY_BANNER)]));
  for (const p of model.protocols) {
    if (!touched.includes(p.protocol)) continue;
    for (const [name, text] of Object.entries(emitEntryModules(p, packageName))) files.set(`${p.protocol}/${name}`, text);
  }
  return { files, errors: [], protocols: touched };
}

/** Writes generated files into `outDir`, replacing what a previous run wrote there (and only that). */
export function writeGenerated(outDir, files) {
  const marker = path.join(outDir, '.stratum-sdk-generated');
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length && !fs.existsSync(marker)) {
    throw new OverlayOutputError(`${outDir}: not empty, and not a folder stratum-sdk generate wrote (no .stratum-sdk-generated): choose an empty or new folder`);
  }
  const previous = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').split('\n').filter(Boolean) : [];
  for (const rel of previous) if (!files.has(rel) && isInside(outDir, rel)) fs.rmSync(path.join(outDir, rel), { force: true });
  for (const [rel, text] of files) {
    const file = path.join(outDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  fs.writeFileSync(marker, `${[...files.keys()].sort().join('\n')}\n`);
}

/** An output folder that is not the generator's to write. */
export class OverlayOutputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'OverlayOutputError';
    this.code = 'OVERLAY_OUTPUT';
  }
}

const isInside = (dir, rel) => !path.isAbsolute(rel) && !path.normalize(rel).startsWith('..');

// ---- Reading -----------------------------------------------------------------------------------------

function readOverlay(dir, lim, errors) {
  let stat;
  try {
    stat = fs.statSync(dir);
  } catch {
    errors.push(`${dir}: no such folder (--spec names a folder of method files: electrum/, mining/, definitions.json)`);
    return null;
  }
  if (!stat.isDirectory()) {
    errors.push(`${dir}: not a folder (--spec names a folder of method files: electrum/, mining/, definitions.json)`);
    return null;
  }
  const files = [];
  let definitions;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('.') || entry.name.endsWith('.md')) continue;
    if (entry.name === 'definitions.json') {
      definitions = readJson(full, lim, errors);
      continue;
    }
    if (!PROTOCOLS.includes(entry.name) || !fs.statSync(full).isDirectory()) {
      errors.push(`${full}: unexpected here (an overlay holds ${PROTOCOLS.map((p) => `${p}/`).join(', ')} and definitions.json)`);
      continue;
    }
    const names = fs.readdirSync(full).sort();
    if (names.length > lim.maxFiles) {
      errors.push(`${full}: ${names.length} entries, more than the ${lim.maxFiles} an overlay folder may hold`);
      continue;
    }
    for (const name of names) {
      const file = path.join(full, name);
      if (name.startsWith('.')) continue;
      if (!name.endsWith('.json')) {
        errors.push(`${file}: not a .json file (protocol folders hold method files only)`);
        continue;
      }
      const doc = readJson(file, lim, errors);
      if (doc !== undefined) files.push({ file, protocolDir: entry.name, doc });
    }
  }
  if (!files.length && definitions === undefined && !errors.length) errors.push(`${dir}: no method files (expected ${PROTOCOLS.map((p) => `${p}/<method>.json`).join(' or ')})`);
  return errors.length ? null : { files, definitions };
}

function readJson(file, lim, errors) {
  let text;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    if (stat.size > lim.maxFileBytes) {
      errors.push(`${file}: /: ${stat.size} bytes, more than the ${lim.maxFileBytes} a spec file may have`);
      return undefined;
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    errors.push(`${file}: cannot read: ${e.message}`);
    return undefined;
  }
  // Depth first, without recursion: JSON.parse itself is iterative, but every later stage walks the
  // value recursively.
  const depth = jsonDepth(text);
  if (depth > lim.maxDepth) {
    errors.push(`${file}: /: nested ${depth} deep, more than the ${lim.maxDepth} a spec file may be`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    errors.push(`${file}: /: invalid JSON: ${e.message}`);
    return undefined;
  }
}

/**
 * The overlay's examples must validate, as the package's own do in its tests: params against the params
 * tuple, a result against one of the result shapes, a notification against its tuple. (Which shape applies
 * at which version and params is the runtime's to say; here any of them will do.)
 */
function checkExamples(files, definitions) {
  const errors = [];
  const ajv = newAjv();
  addDefinitions(ajv, definitions);
  for (const { file, doc } of files) {
    const schemas = methodSchemas(doc, definitions);
    const compiled = (role) => schemas.filter((x) => x.role === role).map((x) => ajv.compile(x.schema));
    const [params] = compiled('params');
    const results = compiled('result');
    const [notification] = doc.kind === 'notification' ? [params] : compiled('notification');
    doc.examples.forEach((ex, i) => {
      const err = (part, msg) => errors.push(`${file}: /examples/${i}/${part}: ${msg}`);
      if (params && Array.isArray(ex.params) && !params(ex.params)) err('params', `does not match the params: ${ajv.errorsText(params.errors)}`);
      if ('result' in ex && results.length && !results.some((v) => v(ex.result))) err('result', `matches none of the result shapes: ${ajv.errorsText(results[0].errors)}`);
      if ('notification' in ex && notification && !notification(ex.notification)) err('notification', `does not match the notification: ${ajv.errorsText(notification.errors)}`);
    });
  }
  return errors;
}

/** The meta-schema's own pieces, for a file that adds to a method of the package's spec. */
function extensionSchema(meta) {
  const p = meta.properties;
  return {
    type: 'object',
    additionalProperties: false,
    required: ['method', 'protocol', 'extends'],
    properties: {
      $schema: p.$schema,
      method: p.method,
      protocol: p.protocol,
      extends: { const: true },
      versions: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: { deprecated: { $ref: '#/definitions/version' }, removed: { $ref: '#/definitions/version' } },
      },
      params: p.params,
      implementations: p.implementations,
      errors: p.errors,
      deviations: p.deviations,
      sources: p.sources,
      examples: p.examples,
      invalidExamples: p.invalidExamples,
    },
    definitions: meta.definitions,
  };
}

/** An error about a merged method, pointed at the extension file's own item where it is one. */
function pointIntoOverlay(error, offsets) {
  for (const [file, offset] of offsets) {
    if (!error.startsWith(`${file}: `)) continue;
    const rest = error.slice(file.length + 2);
    const m = /^\/([A-Za-z]+)\/(\d+)(\S*): (.*)$/.exec(rest);
    if (m && m[1] in offset) {
      const i = Number(m[2]) - offset[m[1]];
      return i >= 0 ? `${file}: /${m[1]}/${i}${m[3]}: ${m[4]}` : `${file}: /${m[1]}: the package's ${m[1]}[${m[2]}]${m[3]}, once this file is merged: ${m[4]}`;
    }
    return `${file}: ${rest.replace(/^(\S+): /, '$1 (of the merged method): ')}`;
  }
  return error;
}

// ---- The entry modules of each protocol --------------------------------------------------------------

/** The banner of every file `stratum-sdk generate` writes. */
export const OVERLAY_BANNER = [
  '// This file is generated by `stratum-sdk generate` from your spec overlay merged over the package\'s spec.',
  '// Do not edit it by hand: edit the overlay and run `stratum-sdk generate` again.',
].join('\n');

/**
 * <protocol>/index.ts: everything generated, and the client helper; platform-free like 'stratum-sdk', so a
 * browser bundle can import it. <protocol>/server.ts: the server helper (it imports 'stratum-sdk/server').
 * The client and servers take the registry through their `protocol` option; the helpers pass it and type
 * what goes in and out by this spec.
 */
function emitEntryModules(model, pkg) {
  const Proto = upperFirst(model.protocol);
  const proto = model.protocol;
  const versioned = model.versions.length > 0;
  const index = [
    OVERLAY_BANNER,
    `import type { CallFunction } from '${pkg}';`,
    `import { bind${Proto}ClientApi, type ${Proto}ClientApi${versioned ? `, type ${Proto}ClientApiIn` : ''} } from './client-api.js';`,
    `import type { ${versioned ? `${Proto}NamedVersion, ` : ''}${Proto}ServerNotifications } from './types.js';`,
    '',
    `export type * from '../definitions.js';`,
    `export type * from './types.js';`,
    `export * from './methods.js';`,
    `export * from './client-api.js';`,
    `export type * from './server-api.js';`,
    '',
    `/** Whatever sends requests by wire name: the package's ${Proto}Client built with \`protocol: ${proto}Protocol\`. */`,
    'export interface Requester {',
    '  request(...args: never[]): Promise<unknown>;',
    '}',
    '',
    ...(versioned
      ? [
          `/**`,
          ` * This spec's typed wrappers on a client built with \`protocol: ${proto}Protocol\`, for the named versions \`S\``,
          ` * it speaks (default: all of them). The client checks params and results by the same registry.`,
          ` */`,
          `export function ${proto}ClientApi<S = ${Proto}NamedVersion>(client: Requester): ${Proto}ClientApiIn<S>;`,
          `export function ${proto}ClientApi(client: Requester): ${Proto}ClientApi {`,
        ]
      : [
          `/** This spec's typed wrappers on a client built with \`protocol: ${proto}Protocol\`; it checks params and results by the same registry. */`,
          `export function ${proto}ClientApi(client: Requester): ${Proto}ClientApi {`,
        ]),
    `  // The package's request is typed by the package's own spec; this spec's wrappers type the same call.`,
    `  const call: CallFunction = (method, params) => (client as unknown as { request: CallFunction }).request(method, params);`,
    `  return bind${Proto}ClientApi(call);`,
    '}',
    '',
    `/** Whatever emits notifications by wire name: the package's ${Proto}Client built with \`protocol: ${proto}Protocol\`. */`,
    'export interface Listenable {',
    '  on(...args: never[]): () => void;',
    '}',
    '',
    `/** A client's notifications, typed by this spec's event map (${Proto}ServerNotifications). */`,
    `export interface ${Proto}ClientEvents {`,
    `  /** Listens to a notification by wire name, with its params; returns the remover. */`,
    `  on<M extends keyof ${Proto}ServerNotifications>(method: M, listener: (...params: ${Proto}ServerNotifications[M]) => void): () => void;`,
    '}',
    '',
    `/** This spec's notifications on a client built with \`protocol: ${proto}Protocol\`, which validates them by it. */`,
    `export function ${proto}ClientEvents(client: Listenable): ${Proto}ClientEvents {`,
    `  const on = (client as unknown as { on: (event: string, listener: (...params: unknown[]) => void) => () => void }).on.bind(client);`,
    `  return { on: (method, listener) => on(method, listener as (...params: unknown[]) => void) };`,
    '}',
    '',
  ];
  const server = [
    OVERLAY_BANNER,
    `import { create${Proto}Server as createPackageServer, type ${Proto}ServerOptions, type RpcServer, type ServerSession } from '${pkg}/server';`,
    `import { ${proto}Protocol } from './methods.js';`,
    `import type { ${Proto}ServerHandlers${versioned ? `, ${Proto}ServerHandlersIn` : ''} } from './server-api.js';`,
    `import type { ${Proto}Methods, ${Proto}ServerNotifications, ${Proto}ServerRequestName } from './types.js';`,
    '',
    `/** Requests the server sends its clients, by this spec. */`,
    `export type ${Proto}ServerRequests = Pick<${Proto}Methods, ${Proto}ServerRequestName>;`,
    `/** One client connection: \`notify\` and \`request\` typed by this spec's notifications and server requests. */`,
    `export type ${Proto}Session<Ctx = undefined> = ServerSession<Ctx, ${Proto}ServerNotifications, ${Proto}ServerRequests>;`,
    `/** The server: \`notifySubscribers\` and \`broadcast\` typed by this spec's notifications. */`,
    `export type ${Proto}Server<Ctx = undefined> = RpcServer<Ctx, ${Proto}ServerNotifications, ${Proto}ServerRequests>;`,
    `/** Handlers by this spec's wire names: each gets its params (validated by this spec) and the session. */`,
    `export type ${Proto}Handlers<Ctx = undefined> = ${Proto}ServerHandlers<${Proto}Session<Ctx>>;`,
    ...(versioned
      ? [
          `/** Handlers of a server of the named versions S: each answers with this spec's result shapes there. */`,
          `export type ${Proto}HandlersIn<Ctx, S> = ${Proto}ServerHandlersIn<${Proto}Session<Ctx>, S>;`,
        ]
      : []),
    '',
    `/** The options of the package's create${Proto}Server, with handlers typed by this spec. */`,
    `export type ${Proto}ServerOptionsOf<Ctx> = Omit<${Proto}ServerOptions<Ctx>, 'handlers' | 'protocol'> & { readonly handlers: ${Proto}Handlers<Ctx> };`,
    '',
    `/** The package's create${Proto}Server serving this spec: \`protocol: ${proto}Protocol\` given, handlers and sessions typed by it. */`,
    `export async function create${Proto}Server<Ctx = undefined>(options: ${Proto}ServerOptionsOf<Ctx>): Promise<${Proto}Server<Ctx>> {`,
    `  // The server validates every request by this registry before a handler runs (and, with validateOutgoing,`,
    `  // what it sends), which is what makes this spec's types fit the package's server.`,
    `  const handlers = options.handlers as unknown as ${Proto}ServerOptions<Ctx>['handlers'];`,
    `  return (await createPackageServer<Ctx>({ ...options, handlers, protocol: ${proto}Protocol })) as unknown as ${Proto}Server<Ctx>;`,
    '}',
    '',
  ];
  return { 'index.ts': index.join('\n'), 'server.ts': server.join('\n') };
}
