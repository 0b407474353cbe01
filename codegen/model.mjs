// Stage 3: the model. Load, validate and model happen once, here (loadModel); every emitter (types,
// wrappers, handler interfaces, event maps, the registry, validators, OpenRPC, the reference) reads
// this model and nothing else: no emitter sees a method file. Each method's entry holds every fact of
// its file, resolved once: names, TypeScript expressions, result variants, the JSON Schemas its
// validators are compiled from, and the facts about its place in a session (optional replies, session
// state, subscription keys, which unsubscribe ends which subscription). Nothing here knows a method by name.
import { loadSpec, PROTOCOLS } from './load.mjs';
import { accessorPath, namespaceOf, pascal, PROTOCOL_TITLES, upperFirst } from './names.mjs';
import { schemasOfMethod, usedDefinitionNames } from './refs.mjs';
import { methodKey, methodSchemas, resultVariants } from './schemas.mjs';
import { validateSpec } from './validate.mjs';
import { namedVersions } from './versions.mjs';
import { protocolEras, resultFloors } from './eras.mjs';
import { loadShareRejections } from './share-rejections.mjs';

const DEF_REF = /^\.\.\/definitions\.json#\/\$defs\/([A-Za-z0-9_]+)$/;

/**
 * Reads spec/, validates it and builds the model.
 * @returns {{ model: SpecModel, errors: [] } | { model: null, errors: string[] }}
 */
export function loadModel(specDir) {
  const spec = loadSpec(specDir);
  if (spec.errors.length) return { model: null, errors: spec.errors };
  const errors = validateSpec(spec);
  if (errors.length) return { model: null, errors };
  const miningMethods = spec.files.filter((f) => f.protocolDir === 'mining').map((f) => f.doc.method);
  const rejections = loadShareRejections(specDir, miningMethods);
  if (rejections.errors.length) return { model: null, errors: rejections.errors };
  return { model: { ...buildModel(spec), shareRejections: rejections.shareRejections }, errors: [] };
}

/**
 * The whole spec: the shared definitions and one model per protocol, in PROTOCOLS order.
 * @typedef {{ definitions: object, protocols: ProtocolModel[] }} SpecModel
 * @typedef {ReturnType<typeof buildProtocolModel>} ProtocolModel
 */
export function buildModel({ definitions, files }) {
  return {
    definitions,
    protocols: PROTOCOLS.map((protocol) =>
      buildProtocolModel(
        protocol,
        files.filter((f) => f.protocolDir === protocol).map((f) => f.doc),
        definitions,
      ),
    ),
  };
}

const paramModel = (p, ts) => ({
  name: p.name,
  description: p.description,
  schema: p.schema,
  required: p.required !== false,
  optional: p.required === false,
  hasDefault: 'default' in p,
  ...('default' in p ? { default: p.default } : {}),
  versions: p.versions ?? null,
  ts,
});

export function buildProtocolModel(protocol, docs, definitions) {
  const titleOf = (defName) => {
    const def = definitions.$defs[defName];
    if (!def?.title) throw new Error(`definitions.json: /$defs/${defName}: missing (or has no title)`);
    return def.title;
  };
  const usedDefinitions = new Set();
  const complexTypes = []; // { name, schema } compiled by json-schema-to-typescript
  const typeExpr = (schema, fallbackName) => {
    const simple = simpleTs(schema, titleOf, usedDefinitions);
    if (simple !== null) return simple;
    complexTypes.push({ name: fallbackName, schema });
    return fallbackName;
  };
  // The reverse of `ends`: the unsubscribe that ends each subscription.
  const endedBy = new Map(docs.filter((d) => d.ends).map((d) => [d.ends, d.method]));

  const methods = docs.map((doc) => {
    const P = pascal(doc.method);
    const key = methodKey(doc.method);
    const params = doc.params.map((p) => paramModel(p, typeExpr(p.schema, `${P}Param${pascal(p.name)}`)));
    const paramsTuple = tuple(params, doc.additionalParams === true);
    const variants = resultVariants(doc).map((v) => {
      const typeName = doc.result.variants ? `${P}Result${upperFirst(v.name)}` : `${P}Result`;
      complexTypes.push({ name: typeName, schema: v.schema, description: v.description });
      return { name: v.name, description: v.description, when: v.when ?? {}, schema: v.schema, typeName };
    });
    let notification = null;
    if (doc.kind === 'notification') {
      notification = { tuple: paramsTuple, params, direction: doc.direction, versions: doc.versions ?? null, description: null, separate: false };
    } else if (doc.notification) {
      const np = doc.notification.params.map((p) => paramModel(p, typeExpr(p.schema, `${P}NotificationParam${pascal(p.name)}`)));
      notification = {
        tuple: tuple(np, false),
        params: np,
        direction: doc.notification.direction,
        versions: doc.notification.versions ?? null,
        description: doc.notification.description,
        // A form of its own beside the request (a subscription's updates), not the method itself.
        separate: true,
      };
    }
    return {
      method: doc.method,
      protocol: doc.protocol,
      key,
      P,
      accessor: accessorPath(doc.method),
      namespace: namespaceOf(doc.method),
      kind: doc.kind,
      direction: doc.direction,
      status: doc.status,
      implementations: doc.implementations ?? null,
      summary: doc.summary,
      description: doc.description,
      versions: doc.versions ?? null,
      params,
      additionalParams: doc.additionalParams === true,
      paramsType: `${P}Params`,
      paramsTuple,
      result: doc.result ? { description: doc.result.description } : null,
      variants,
      hasResult: variants.length > 0,
      resultType: variants.length ? `${P}Result` : null,
      resultUnion: variants.map((v) => v.typeName).join(' | '),
      multiVariant: variants.length > 1,
      notification,
      notificationType: notification ? `${P}Notification` : null,
      overloads: overloads(params, variants),
      // Who may send the request form, and who may send the notification form.
      clientSends: doc.kind !== 'notification' && doc.direction !== 'server-to-client',
      serverSends: doc.kind !== 'notification' && doc.direction !== 'client-to-server',
      serverNotifies: notification !== null && notification.direction !== 'client-to-server',
      clientNotifies: notification !== null && notification.direction !== 'server-to-client',
      // Facts about the method's place in a session.
      optionalReply: doc.optionalReply ?? null,
      sessionState: doc.sessionState ?? null,
      subscriptionKey: doc.subscriptionKey ? { params: doc.subscriptionKey.params, inNotifications: doc.subscriptionKey.inNotifications ?? 'as-sent' } : null,
      ends: doc.ends ?? null,
      endedBy: endedBy.get(doc.method) ?? null,
      errors: (doc.errors ?? []).map((e) => ({ code: e.code, message: e.message, description: e.description ?? null, source: e.source })),
      // Plain strings and structured entries alike: { id, software, text, methods } (id null for a plain
      // string; methods null where the spec names none).
      deviations: (doc.deviations ?? []).map((d) => (typeof d === 'string' ? { id: null, software: [], text: d, methods: null } : { id: d.id, software: d.software, text: d.text, methods: d.methods ?? null })),
      sources: doc.sources,
      examples: doc.examples,
      invalidExamples: doc.invalidExamples ?? [],
      // The JSON Schemas its validators are compiled from, shared definitions inlined.
      schemas: methodSchemas(doc, definitions),
    };
  });
  // What each method is at each named version (requests a client sends, notifications a server sends),
  // for the types of a client or server that speaks a range of versions. None for Stratum V1.
  const versions = namedVersions(docs);
  const eras = protocolEras(methods, versions, definitions);
  return {
    protocol,
    title: PROTOCOL_TITLES[protocol],
    methods: methods.map((m) => ({ ...m, eras: eras.get(m.method) ?? { requests: [], notifications: [] }, floors: resultFloors(m) })),
    complexTypes,
    usedDefinitions: [...usedDefinitions].sort(),
    // Names in definitions.json the methods use, directly or through other definitions.
    referencedDefinitions: usedDefinitionNames(docs.flatMap(schemasOfMethod), definitions),
    // Every protocol version the methods name, oldest first.
    versions,
  };
}

function tuple(params, open) {
  const items = params.map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.ts}`);
  if (open) items.push('...extra: unknown[]');
  return `[${items.join(', ')}]`;
}

/**
 * Wrapper overloads for results chosen by a param: a variant whose conditions are all `const` gets a
 * signature with that param narrowed to the literal, so `get(txid, true)` is typed as the verbose shape.
 * The last overload is always the general one.
 */
function overloads(params, variants) {
  if (variants.length < 2) return [];
  // Variants with the same param condition (say verbose = true at two protocol versions) share one
  // overload whose result is the union of their shapes.
  const groups = new Map();
  for (const v of variants) {
    const conds = Object.entries(v.when?.params ?? {});
    if (!conds.length) continue;
    if (!conds.every(([, s]) => s && typeof s === 'object' && 'const' in s && Object.keys(s).length === 1)) continue;
    const key = JSON.stringify(conds.map(([n, s]) => [n, s.const]).sort());
    if (!groups.has(key)) groups.set(key, { fixed: new Map(conds.map(([n, s]) => [n, s.const])), variants: [] });
    groups.get(key).variants.push(v);
  }
  const out = [];
  for (const { fixed, variants: group } of groups.values()) {
    let lastFixed = -1;
    params.forEach((p, i) => {
      if (fixed.has(p.name) && !(p.optional && 'default' in p && p.default === fixed.get(p.name))) lastFixed = i;
    });
    const items = params.map((p, i) => {
      const ts = fixed.has(p.name) ? JSON.stringify(fixed.get(p.name)) : p.ts;
      const optional = p.optional && i > lastFixed;
      return `${p.name}${optional ? '?' : ''}: ${ts}`;
    });
    out.push({
      tuple: `[${items.join(', ')}]`,
      // The tuple's members, and the params it fixes: the eras cut it where a version lacks params.
      items,
      fixedParams: [...fixed.keys()],
      variant: group[0].name,
      variants: group.map((v) => v.name),
      resultTypes: group.map((v) => v.typeName),
      resultType: group.map((v) => v.typeName).join(' | '),
    });
  }
  return out;
}

/** A TypeScript expression for schemas simple enough to print directly; null when jstt should name it. */
export function simpleTs(schema, titleOf, used) {
  if (schema === true || (schema && typeof schema === 'object' && Object.keys(schema).filter((k) => k !== 'description').length === 0)) return 'unknown';
  if (!schema || typeof schema !== 'object') return null;
  if (schema.$ref) {
    const m = DEF_REF.exec(schema.$ref);
    if (!m) return null;
    used.add(titleOf(m[1]));
    return titleOf(m[1]);
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts && Object.keys(schema).every((k) => ['anyOf', 'oneOf', 'description', 'title'].includes(k))) {
    const parts = alts.map((s) => simpleTs(s, titleOf, used));
    return parts.every((p) => p !== null) ? [...new Set(parts)].join(' | ') : null;
  }
  const keys = Object.keys(schema).filter((k) => !['description', 'title', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'pattern', 'minLength', 'maxLength', 'multipleOf', 'examples'].includes(k));
  if (keys.length === 1 && keys[0] === 'type') {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const ts = types.map((t) => ({ string: 'string', number: 'number', integer: 'number', boolean: 'boolean', null: 'null' })[t] ?? null);
    return ts.every((t) => t !== null) ? [...new Set(ts)].join(' | ') : null;
  }
  if (schema.type === 'array' && schema.items && !Array.isArray(schema.items) && keys.every((k) => ['type', 'items', 'minItems', 'maxItems', 'uniqueItems'].includes(k))) {
    const inner = simpleTs(schema.items, titleOf, used);
    return inner === null ? null : inner.includes(' ') ? `Array<${inner}>` : `${inner}[]`;
  }
  return null;
}

/** Replace references to shared definitions with their TypeScript names, for jstt. */
export function referenceDefinitionsByName(schema, titleOf) {
  if (Array.isArray(schema)) return schema.map((s) => referenceDefinitionsByName(s, titleOf));
  if (!schema || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string') {
    const m = DEF_REF.exec(schema.$ref);
    if (m) return { tsType: titleOf(m[1]), ...(schema.description ? { description: schema.description } : {}) };
  }
  const out = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'const' || k === 'enum' || k === 'default' || k === 'examples' ? v : referenceDefinitionsByName(v, titleOf);
  return out;
}

/** JSDoc from lines of text; "*\/" cannot end the comment early. */
export function docComment(lines, indent = '') {
  const body = lines
    .flatMap((l) => String(l).split('\n'))
    .map((l) => l.replace(/\*\//g, '*\\/'));
  while (body.length && body[body.length - 1].trim() === '') body.pop();
  if (!body.length) return '';
  return [`${indent}/**`, ...body.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)), `${indent} */`].join('\n');
}
