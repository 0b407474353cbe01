// Schemas in the form the comparison needs: shared definitions inlined (so a change to
// definitions.json shows up in every method that uses it, and an inline copy of a definition equals
// the reference), annotations dropped (they never change what is valid), and unions flattened into
// alternatives that can be paired by type.
import { definitionName } from '../refs.mjs';

// Keywords that never change which values a schema accepts.
const ANNOTATIONS = new Set(['title', 'description', '$comment', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly', '$schema', '$id']);
const VALUE_KEYWORDS = new Set(['const', 'enum']);

/**
 * Inlines definition references and drops annotations. A definition that refers to itself (directly
 * or not) is left as a `$ref` at the second visit, so recursive shapes still compare by name.
 */
export function normalizeSchema(schema, definitions, seen = []) {
  if (schema === true || schema === false) return schema;
  if (Array.isArray(schema)) return schema.map((s) => normalizeSchema(s, definitions, seen));
  if (!schema || typeof schema !== 'object') return schema;
  const name = definitionName(schema.$ref);
  if (name !== null) {
    const def = definitions?.$defs?.[name];
    if (def === undefined || seen.includes(name)) return { $ref: `#/$defs/${name}` };
    return normalizeSchema(def, definitions, [...seen, name]);
  }
  const out = {};
  for (const key of Object.keys(schema).sort()) {
    if (ANNOTATIONS.has(key)) continue;
    const value = schema[key];
    if (VALUE_KEYWORDS.has(key)) out[key] = value;
    else if (key === 'properties' || key === 'patternProperties' || key === 'definitions' || key === '$defs' || key === 'dependencies') {
      out[key] = Object.fromEntries(Object.keys(value).sort().map((k) => [k, normalizeSchema(value[k], definitions, seen)]));
    } else if (key === 'required') out[key] = [...value].sort();
    else out[key] = normalizeSchema(value, definitions, seen);
  }
  if ('const' in out) {
    out.enum = [out.const];
    delete out.const;
  }
  // {"enum": ["a", "b"]} is a string schema: saying so lets it pair with {"type": "string"}.
  if (Array.isArray(out.enum) && out.type === undefined) {
    const types = new Set(out.enum.map(jsonType));
    if (types.size === 1) out.type = [...types][0];
  }
  // A lone anyOf/oneOf/allOf member is the schema itself.
  for (const k of ['anyOf', 'oneOf', 'allOf']) {
    if (Array.isArray(out[k]) && out[k].length === 1 && Object.keys(out).length === 1) return out[k][0];
  }
  if (Array.isArray(out.type) && out.type.length === 1) out.type = out.type[0];
  return out;
}

function jsonType(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Stable text of a normalized schema, for equality and as a map key. */
export const canonical = (schema) => JSON.stringify(schema);

export const acceptsAnything = (s) => s === true || (s && typeof s === 'object' && Object.keys(s).length === 0);

// Which keywords constrain which instance type: a ["string", "null"] schema split in two keeps only
// the keywords that mean something for each half.
const TYPE_KEYWORDS = {
  string: ['pattern', 'minLength', 'maxLength', 'format'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  array: ['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains'],
  object: ['properties', 'required', 'additionalProperties', 'patternProperties', 'propertyNames', 'minProperties', 'maxProperties', 'dependencies'],
};
const TYPED = new Set(Object.values(TYPE_KEYWORDS).flat());

/**
 * The alternatives a normalized schema is a union of: anyOf/oneOf members (nested ones flattened),
 * one per type of a multi-type schema, and enum-only members merged into one enum.
 */
export function alternatives(schema) {
  if (schema === false) return [];
  if (schema === true || !schema || typeof schema !== 'object') return [true];
  const keys = Object.keys(schema);
  const union = schema.anyOf ?? schema.oneOf;
  let alts;
  if (union && keys.length === 1) alts = union.flatMap(alternatives);
  else if (Array.isArray(schema.type) && schema.type.length > 1) {
    alts = schema.type.map((t) => {
      const part = { type: t };
      for (const k of keys) if (k !== 'type' && (!TYPED.has(k) || TYPE_KEYWORDS[t]?.includes(k))) part[k] = schema[k];
      return part;
    });
  } else alts = [schema];
  const enums = alts.filter((a) => a && typeof a === 'object' && Object.keys(a).length === 1 && Array.isArray(a.enum));
  if (enums.length < 2) return alts;
  const values = [];
  for (const e of enums) for (const v of e.enum) if (!values.some((x) => canonical(x) === canonical(v))) values.push(v);
  return [...alts.filter((a) => !enums.includes(a)), { enum: values }];
}

/** The bucket an alternative is paired in: its type (integer with number), "enum", "any" or its text. */
export function alternativeKey(alt) {
  if (acceptsAnything(alt)) return 'any';
  if (typeof alt.type === 'string') return alt.type === 'integer' ? 'number' : alt.type;
  if (Array.isArray(alt.enum) && alt.type === undefined) return 'enum';
  if (alt.$ref) return `ref:${alt.$ref}`;
  return `other:${canonical(alt)}`;
}
