// References from method files to spec/definitions.json, for the stages that move schemas out of the
// spec's file layout: the OpenRPC export (references into components) and the spec diff (inlined).

// A method file says "../definitions.json#/$defs/txid"; definitions.json itself says "#/$defs/hash32".
const DEFINITION_REF = /^(?:\.\.\/definitions\.json)?#\/\$defs\/([A-Za-z0-9_]+)$/;

// Keywords whose value is data, not a schema: never rewritten, even if it has a "$ref" key.
const VALUE_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);

/** The definition a `$ref` names, or null for any other reference. */
export function definitionName(ref) {
  return typeof ref === 'string' ? (DEFINITION_REF.exec(ref)?.[1] ?? null) : null;
}

/**
 * A deep copy of `schema` in which every object holding a definition `$ref` is replaced by
 * `replace(name, node)`; everything else, value keywords included, is copied as it is.
 */
export function mapDefinitionRefs(schema, replace) {
  if (Array.isArray(schema)) return schema.map((s) => mapDefinitionRefs(s, replace));
  if (!schema || typeof schema !== 'object') return schema;
  const name = definitionName(schema.$ref);
  if (name !== null) return replace(name, schema);
  const out = {};
  for (const [k, v] of Object.entries(schema)) out[k] = VALUE_KEYWORDS.has(k) ? v : mapDefinitionRefs(v, replace);
  return out;
}

/** Names of the definitions `schemas` use, directly or through other definitions, sorted. */
export function usedDefinitionNames(schemas, definitions) {
  const seen = new Set();
  const visit = (schema) =>
    mapDefinitionRefs(schema, (name, node) => {
      if (!seen.has(name)) {
        seen.add(name);
        if (definitions.$defs?.[name] !== undefined) visit(definitions.$defs[name]);
      }
      return node;
    });
  for (const s of schemas) visit(s);
  return [...seen].sort();
}

/** Every schema a method file holds: params, result (each variant and condition), notification params. */
export function schemasOfMethod(doc) {
  const out = (doc.params ?? []).map((p) => p.schema);
  if (doc.result?.schema !== undefined) out.push(doc.result.schema);
  for (const v of doc.result?.variants ?? []) out.push(v.schema, ...Object.values(v.when?.params ?? {}));
  for (const p of doc.notification?.params ?? []) out.push(p.schema);
  return out;
}
