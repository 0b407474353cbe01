// The JSON Schemas derived from one method file: its params tuple, each result variant, each variant's
// param conditions and its notification tuple. Shared by the validate stage (they must compile) and the
// validator emitter (they become standalone code), so both see exactly the same schemas.
import Ajv from 'ajv';
import { resultVariants } from './result-variants.mjs';

export { resultVariants };

// Schema ids only: nothing is ever fetched from this base. ".invalid" is reserved and resolves nowhere,
// and a real scheme is needed for ajv to resolve the spec's relative "../definitions.json" references.
export const SCHEMA_BASE = 'https://stratum-sdk.invalid/spec/';

/**
 * ajv's `code.regExp` engine. Fixed-length hex patterns (txids, block hashes, script hashes,
 * statuses: the bulk of every large reply) are checked with a lookup table, four characters a step,
 * several times faster than V8's regular expressions on 64 characters; every other pattern stays a
 * RegExp. The table covers every UTF-16 code unit, so no lookup is out of bounds and any character
 * outside [0-9a-fA-F] (non-ASCII included) reads 0. Standalone code embeds the function's own source
 * (`const func0 = (function patternEngine ...)`), so it must use nothing from outside its body, and the
 * generated validators still import nothing; the table is made once and kept on the function. Blocks
 * are avoided: vitest's transform would print them differently from the file, and the emitted code must
 * not depend on who loaded the generator.
 */
export function patternEngine(pattern, flags) {
  const fixedHex = /^\^\[0-9a-fA-F\]\{(\d+)\}\$$/.exec(pattern);
  if (!fixedHex) return new RegExp(pattern, flags);
  const length = Number(fixedHex[1]);
  const quads = length - (length % 4);
  const digits = (patternEngine.hexDigits ??= new Uint8Array(65536));
  for (const c of '0123456789abcdefABCDEF') digits[c.charCodeAt(0)] = 1;
  return {
    source: pattern,
    // ajv keeps one compiled pattern per toString(), so it must differ between patterns.
    toString: () => `/${pattern}/${flags}`,
    test(s) {
      if (s.length !== length) return false;
      let i = 0;
      for (; i < quads; i += 4) if ((digits[s.charCodeAt(i)] & digits[s.charCodeAt(i + 1)] & digits[s.charCodeAt(i + 2)] & digits[s.charCodeAt(i + 3)]) === 0) return false;
      for (; i < length; i++) if (digits[s.charCodeAt(i)] === 0) return false;
      return true;
    },
  };
}
patternEngine.code = `(${patternEngine.toString()})`;

/**
 * @param {{ messages?: boolean }} [options] messages: false for the emitted validators, whose errors the
 *   runtime words itself from keyword and params (src/runtime/validation.ts: ajvMessage), as ajv would:
 *   every error site would otherwise carry its sentence into every bundle. inlineRefs: false for the emitted
 *   validators, where a reference is kept on purpose (a shape checked once and called from two places).
 */
export function newAjv({ messages = true, inlineRefs = true } = {}) {
  // strictTuples is off because optional params make open-ended tuples by design (minItems < items).
  // unicodeRegExp stays on; hex patterns are ASCII either way.
  return new Ajv({
    messages,
    inlineRefs,
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

// Keywords whose value is one schema, a list of schemas, or a map of names to schemas (draft-07).
// Any other keyword's value is data (const, enum, default, examples, required, pattern, ...).
const SCHEMA_KEYWORDS = new Set(['items', 'additionalItems', 'contains', 'additionalProperties', 'propertyNames', 'not', 'if', 'then', 'else']);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'dependencies', 'definitions', '$defs']);
// Beside a $ref (which draft-07 ajv also applies its siblings with), these say nothing about validity.
const ANNOTATIONS = new Set(['title', 'description', '$comment', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly']);

const METHOD_DEFINITION_REF = /^\.\.\/definitions\.json#\/\$defs\/([A-Za-z0-9_]+)$/;
const LOCAL_DEFINITION_REF = /^(?:\.\.\/definitions\.json)?#\/\$defs\/([A-Za-z0-9_]+)$/;

/**
 * `schema` with every reference to spec/definitions.json replaced by the definition itself, so ajv
 * compiles each method's validator into one function. With references, ajv calls one function per
 * referenced definition and, for each call, allocates an options object and builds the data path
 * string whether or not anything fails: for each item of a 125,000-entry history, that is most of the
 * validation time and enough garbage to force several young-generation collections while the parsed
 * reply is alive. Inlined, the checks are the same keywords in the same order, and nothing is allocated
 * unless an error is reported. A definition that cannot be inlined exactly (one that refers to itself
 * through others, or holds a reference this function does not resolve) stays a reference.
 */
export function inlineDefinitions(schema, definitions) {
  const defs = definitions.$defs ?? {};
  /** @type {Map<string, boolean>} */
  const inlinable = new Map();
  const refsOf = (node, out) => {
    if (Array.isArray(node)) node.forEach((n) => refsOf(n, out));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref') out.push(v);
        else if (SCHEMA_KEYWORDS.has(k) || SCHEMA_LIST_KEYWORDS.has(k)) refsOf(v, out);
        else if (SCHEMA_MAP_KEYWORDS.has(k) && v && typeof v === 'object') for (const d of Object.values(v)) if (!Array.isArray(d)) refsOf(d, out);
      }
    }
    return out;
  };
  const canInline = (name, stack) => {
    if (inlinable.has(name)) return inlinable.get(name);
    if (stack.includes(name) || !Object.hasOwn(defs, name)) return false;
    const ok = refsOf(defs[name], []).every((ref) => {
      const inner = typeof ref === 'string' ? LOCAL_DEFINITION_REF.exec(ref)?.[1] : undefined;
      return inner !== undefined && canInline(inner, [...stack, name]);
    });
    inlinable.set(name, ok);
    return ok;
  };
  const walk = (node, refPattern) => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return node;
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref') continue;
      if (SCHEMA_KEYWORDS.has(k)) out[k] = Array.isArray(v) ? v.map((s) => walk(s, refPattern)) : walk(v, refPattern);
      else if (SCHEMA_LIST_KEYWORDS.has(k)) out[k] = v.map((s) => walk(s, refPattern));
      else if (SCHEMA_MAP_KEYWORDS.has(k) && v && typeof v === 'object') {
        out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, Array.isArray(s) ? s : walk(s, refPattern)]));
      } else out[k] = v;
    }
    if (!('$ref' in node)) return out;
    const name = typeof node.$ref === 'string' ? refPattern.exec(node.$ref)?.[1] : undefined;
    if (name === undefined || !canInline(name, [])) return { ...out, $ref: node.$ref };
    // Inside a definition, "#/$defs/x" means definitions.json's own $defs. Its title and description
    // say nothing about validity and would only be repeated in the generated code wherever it is used.
    const body = withoutDocs(walk(defs[name], LOCAL_DEFINITION_REF));
    const siblings = Object.keys(out).filter((k) => !ANNOTATIONS.has(k));
    if (siblings.length === 0) return body;
    // A method schema's own $id (the reference was all it said) goes on the definition's copy.
    if (siblings.length === 1 && siblings[0] === '$id' && body && typeof body === 'object' && !('$id' in body)) return { ...body, $id: out.$id };
    return { ...out, allOf: [...(out.allOf ?? []), body] };
  };
  return walk(schema, METHOD_DEFINITION_REF);
}

function withoutDocs(schema) {
  if (typeof schema !== 'object' || schema === null) return schema;
  const { title: _title, description: _description, $comment: _comment, ...rest } = schema;
  return rest;
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
 * Every schema one method needs, each with a stable export name and $id, with the definitions it
 * uses inlined (see inlineDefinitions) when `definitions` is given.
 * @returns {Array<{ name: string, id: string, schema: object, role: string, variant?: string, param?: string }>}
 */
export function methodSchemas(doc, definitions) {
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
  return definitions ? out.map((s) => ({ ...s, schema: inlineDefinitions(s.schema, definitions) })) : out;
}

