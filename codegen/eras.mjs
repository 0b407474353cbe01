// What each method is at each protocol version the spec names, for the types of a client (or a server)
// that speaks a range of versions. Between two named versions nothing changes (every since, removed and
// until in the spec is a named version), so a method is worked out once per named version: whether it
// exists, the positional params that exist there (cut at the first one that does not: params are
// positional), the result shapes possible there (a shape chosen by a param that does not exist there
// is possible only if the param's default chooses it, as the runtime fills the default in), the wrapper
// overloads there, and the notification. Consecutive versions where all of that is the same form one
// era. Part of the model: the emitters print eras, they do not work them out.
import { addDefinitions, newAjv } from './schemas.mjs';
import { compareVersions, inVersionRange, inVersions, sortVersions } from './versions.mjs';

/**
 * The eras of every method of a protocol, keyed by wire name: `requests` for requests a client sends
 * that have a result, `notifications` for notifications a server sends. Empty for a protocol without
 * versions (Stratum V1).
 * @returns {Map<string, { requests: RequestEra[], notifications: NotificationEra[] }>}
 */
export function protocolEras(methods, versions, definitions) {
  const out = new Map();
  if (!versions.length) return out;
  const conditionCheck = conditionChecker(definitions);
  for (const m of methods) out.set(m.method, methodEras(m, versions, conditionCheck));
  return out;
}

/**
 * @typedef {{ at: string[], params: string, named: string, result: string, overloads: { name: string, params: string, result: string }[] }} RequestEra
 * @typedef {{ at: string[], params: string }} NotificationEra
 */
function methodEras(m, versions, conditionCheck) {
  const requests = [];
  const notifications = [];
  for (const v of versions) {
    if (m.clientSends && m.hasResult && inVersions(v, m.versions)) requests.push({ at: [v], ...requestAt(m, v, conditionCheck) });
    if (m.serverNotifies && inVersions(v, m.notification.versions ?? m.versions)) notifications.push({ at: [v], params: notificationAt(m, v, conditionCheck) });
  }
  return { requests: merged(requests), notifications: merged(notifications) };
}

/**
 * The versions from which some of a method's result shapes can no longer occur (each shape's `until`), with the
 * shapes that go on and those that ended: the validators emit a set for each (`<method>_from_<version>`) without
 * the ended shapes' code, for a client whose range starts there.
 * @returns {{ version: string, variants: string[], dropped: string[] }[]}
 */
export function resultFloors(m) {
  if (m.variants.length < 2) return [];
  const ends = sortVersions(m.variants.map((v) => v.when.versions?.until).filter((until) => until !== undefined));
  const floors = [];
  for (const version of ends) {
    const goOn = m.variants.filter((v) => v.when.versions?.until === undefined || compareVersions(v.when.versions.until, version) > 0);
    if (!goOn.length || goOn.length === m.variants.length) continue;
    floors.push({ version, variants: goOn.map((v) => v.name), dropped: m.variants.filter((v) => !goOn.includes(v)).map((v) => v.name) });
  }
  return floors;
}

/** Consecutive named versions with the same signature become one era. */
function merged(perVersion) {
  const eras = [];
  for (const era of perVersion) {
    const last = eras[eras.length - 1];
    if (last && sameSignature(last, era)) last.at.push(...era.at);
    else eras.push({ ...era, at: [...era.at] });
  }
  return eras;
}

function sameSignature(a, b) {
  const { at: _a, ...x } = a;
  const { at: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
}

/** The params that exist at `v`: the leading ones up to the first that does not. */
function knownParams(m, v) {
  const first = m.params.findIndex((p) => !inVersions(v, p.versions));
  return first === -1 ? m.params : m.params.slice(0, first);
}

function requestAt(m, v, conditionCheck) {
  const known = knownParams(m, v);
  const names = new Set(known.map((p) => p.name));
  const possible = possibleVariants(m, v, names, conditionCheck);
  const overloads = [];
  for (const o of m.overloads) {
    // Only where every param it fixes exists; elsewhere the general signature (and its result) covers it.
    if (!o.fixedParams.every((name) => names.has(name))) continue;
    const results = possible.filter((variant) => o.variants.includes(variant.name)).map((variant) => variant.typeName);
    if (!results.length) continue;
    overloads.push({ name: o.variant, params: `[${o.items.slice(0, known.length).join(', ')}${m.additionalParams ? `${known.length ? ', ' : ''}...extra: unknown[]` : ''}]`, result: union(results) });
  }
  return {
    params: tupleOf(known, m.additionalParams),
    named: namedOf(known, m.additionalParams),
    result: union(possible.map((variant) => variant.typeName)),
    overloads,
  };
}

/**
 * A notification's params at `v`. A subscription's notification carries the new value in the same form
 * as the result (the spec: "the key, then the new value"); where the result's shape depends on the
 * version, the value is typed as the result shapes possible at `v` (the client checks it against them).
 */
function notificationAt(m, v, conditionCheck) {
  const n = m.notification;
  if (m.kind !== 'subscription' || !m.multiVariant) return n.tuple;
  const possible = possibleVariants(m, v, new Set(knownParams(m, v).map((p) => p.name)), conditionCheck);
  const key = n.params.slice(0, -1).map((p) => `${p.name}: ${p.ts}`);
  const value = n.params[n.params.length - 1];
  return `[${[...key, `${value.name}: ${union(possible.map((variant) => variant.typeName))}`].join(', ')}]`;
}

/** Result variants that can apply at `v`: their versions hold, and each param condition can be met. */
function possibleVariants(m, v, known, conditionCheck) {
  return m.variants.filter((variant) => {
    if (!inVersionRange(v, variant.when.versions)) return false;
    return Object.entries(variant.when.params ?? {}).every(([name, schema]) => {
      if (known.has(name)) return true;
      // Not sendable at `v`: the server sees the default, or nothing.
      const p = m.params.find((q) => q.name === name);
      return p !== undefined && p.hasDefault && conditionCheck(m, variant.name, name, schema, p.default);
    });
  });
}

function conditionChecker(definitions) {
  const ajv = newAjv();
  addDefinitions(ajv, definitions);
  return (m, variant, param, schema, value) => {
    const compiled = m.schemas.find((s) => s.role === 'condition' && s.variant === variant && s.param === param);
    if (!compiled) return true;
    const validate = ajv.getSchema(compiled.id) ?? ajv.compile(compiled.schema);
    return validate(value) === true;
  };
}

function union(types) {
  const unique = [...new Set(types)];
  return unique.length ? unique.join(' | ') : 'never';
}

function tupleOf(params, open) {
  const items = params.map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.ts}`);
  if (open) items.push('...extra: unknown[]');
  return `[${items.join(', ')}]`;
}

/** The params by name (JSON-RPC 2.0): a name a method that takes extra params does not have is ignored, so any is allowed. */
function namedOf(params, open) {
  if (!params.length && !open) return 'Record<string, never>';
  const members = params.map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.ts}`);
  if (open) members.push('[extra: string]: unknown');
  return `{ ${members.join('; ')} }`;
}
