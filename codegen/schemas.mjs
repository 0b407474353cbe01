// The JSON Schemas derived from one method file: its params tuple, each result variant, each variant's
// param conditions and its notification tuple. Shared by the validate stage (they must compile) and the
// validator emitter (they become standalone code), so both see exactly the same schemas.
import Ajv from 'ajv';

// Schema ids only: nothing is ever fetched from this base. ".invalid" is reserved and resolves nowhere,
// and a real scheme is needed for ajv to resolve the spec's relative "../definitions.json" references.
export const SCHEMA_BASE = 'https://stratum-sdk.invalid/spec/';

/**
 * ajv's `code.regExp` engine. Fixed-length hex patterns (txids, block hashes, script hashes,
 * statuses: the bulk of every large reply) are checked with a lookup table, about twice as fast as
 * V8's regular expressions on 64 characters; every other pattern stays a RegExp. Standalone code
 * embeds the function's own source (`const func0 = (function patternEngine ...)`), so it must use
 * nothing from outside its body, and the generated validators still import nothing.
 */
function patternEngine(pattern, flags) {
  const fixedHex = /^\^\[0-9a-fA-F\]\{(\d+)\}\$$/.exec(pattern);
  if (!fixedHex) return new RegExp(pattern, flags);
  const length = Number(fixedHex[1]);
  const hex = new Uint8Array(128);
  for (const c of '0123456789abcdefABCDEF') hex[c.charCodeAt(0)] = 1;
  return {
    source: pattern,
    // ajv keeps one compiled pattern per toString(), so it must differ between patterns.
    toString: () => `/${pattern}/${flags}`,
    test(s) {
      if (s.length !== length) return false;
      for (let i = 0; i < length; i++) if (hex[s.charCodeAt(i)] !== 1) return false;
      return true;
    },
  };
}
patternEngine.code = `(${patternEngine.toString()})`;

export function newAjv() {
  // strictTuples is off because optional params make open-ended tuples by design (minItems < items).
  // unicodeRegExp stays on; hex patterns are ASCII either way.
  return new Ajv({
    allErrors: true,
    strict: true,
    strictTuples: false,
    code: { source: true, esm: true, lines: true, regExp: patternEngine },
  });
}

export function addDefinitions(ajv, definitions) {
  const { $id: _ignored, ...rest } = definitions;
  ajv.addSchema({ ...rest, $id: `${SCHEMA_BASE}definitions.json` });
}

/** A params array as a tuple schema: required params first, closed unless extra params must be ignored. */
export function tupleSchema(params, open) {
  const required = params.filter((p) => p.required !== false).length;
  return {
    type: 'array',
    // draft-07 wants a non-empty items array; a method without params is just "at most 0 items".
    ...(params.length ? { items: params.map((p) => p.schema) } : {}),
    minItems: required,
    ...(open ? {} : { maxItems: params.length }),
  };
}

function withId(id, schema) {
  if (schema === true) return { $id: id };
  if (schema === false) return { $id: id, not: {} };
  return { ...schema, $id: id };
}

/** Identifier-safe key for a method: "blockchain.transaction.get" -> "blockchain_transaction_get". */
export function methodKey(method) {
  return method.replace(/\./g, '_');
}

/**
 * Every schema one method needs, each with a stable export name and $id.
 * @returns {Array<{ name: string, id: string, schema: object, role: string, variant?: string, param?: string }>}
 */
export function methodSchemas(doc) {
  const key = methodKey(doc.method);
  const base = `${SCHEMA_BASE}${doc.protocol}/${doc.method}`;
  const out = [];
  out.push({ role: 'params', name: `${key}__params`, id: `${base}.params.json`, schema: withId(`${base}.params.json`, tupleSchema(doc.params, doc.additionalParams === true)) });
  if (doc.result) {
    for (const v of resultVariants(doc)) {
      const id = `${base}.result.${v.name}.json`;
      out.push({ role: 'result', variant: v.name, name: `${key}__result_${v.name}`, id, schema: withId(id, v.schema) });
      for (const [param, cond] of Object.entries(v.when?.params ?? {})) {
        const cid = `${base}.when.${v.name}.${param}.json`;
        out.push({ role: 'condition', variant: v.name, param, name: `${key}__when_${v.name}_${param}`, id: cid, schema: withId(cid, cond) });
      }
    }
  }
  if (doc.notification) {
    const id = `${base}.notification.json`;
    out.push({ role: 'notification', name: `${key}__notification`, id, schema: withId(id, tupleSchema(doc.notification.params, false)) });
  }
  return out;
}

/** A single `result.schema` is treated as one variant named "result" that always applies. */
export function resultVariants(doc) {
  if (!doc.result) return [];
  if (doc.result.variants) return doc.result.variants;
  return [{ name: 'result', description: doc.result.description, when: {}, schema: doc.result.schema }];
}
