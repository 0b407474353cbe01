// Stage 4a: TypeScript types from the schemas, by json-schema-to-typescript. Shared definitions go to one
// file; each protocol's file imports them by name instead of declaring them again.
import { compile } from 'json-schema-to-typescript';
import { referenceDefinitionsByName } from './model.mjs';

const JSTT_OPTIONS = {
  bannerComment: '',
  // Servers add keys freely, but users should see the declared shape; extra keys stay reachable by a cast.
  additionalProperties: false,
  declareExternallyReferenced: true,
  unreachableDefinitions: false,
  // noUncheckedIndexedAccess already adds undefined to index reads.
  strictIndexSignatures: false,
  format: true,
  style: { singleQuote: true, printWidth: 120, trailingComma: 'all' },
};

const ROOT = 'SpecTypesRoot';

async function compileNamed(defs) {
  const root = {
    title: ROOT,
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(Object.keys(defs).map((k) => [k, { $ref: `#/$defs/${k}` }])),
    $defs: defs,
  };
  const ts = await compile(root, ROOT, JSTT_OPTIONS);
  // The root only exists to make jstt visit every definition; it is not part of the API.
  const stripped = ts.replace(new RegExp(`export interface ${ROOT} \\{[\\s\\S]*?\\n\\}\\n?`), '');
  if (stripped.includes(ROOT)) throw new Error('codegen: could not strip the helper root type');
  return stripped.trim() + '\n';
}

/**
 * Prepares a method schema for jstt: nested titles would become colliding type names, and an object
 * with no declared members means "any members", which jstt would otherwise print as `{}`.
 */
function prepareForTypes(schema) {
  if (Array.isArray(schema)) return schema.map(prepareForTypes);
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'title') continue;
    out[k] = k === 'const' || k === 'enum' || k === 'default' || k === 'examples' ? v : prepareForTypes(v);
  }
  if (out.type === 'object' && !out.properties && !out.patternProperties && !('additionalProperties' in out)) {
    out.additionalProperties = true;
  }
  return out;
}

export async function emitDefinitionTypes(definitions) {
  const defs = {};
  for (const [name, schema] of Object.entries(definitions.$defs)) defs[name] = { ...prepareForTypes(schema), title: schema.title };
  return compileNamed(defs);
}

/** @returns {{ code: string, imports: string[] }} */
export async function emitProtocolTypes(model, definitions) {
  const used = new Set();
  const titleOf = (name) => {
    const t = definitions.$defs[name]?.title;
    if (!t) throw new Error(`definitions.json: /$defs/${name}: missing or untitled`);
    used.add(t);
    return t;
  };
  const defs = {};
  for (const t of model.complexTypes) {
    if (defs[t.name]) throw new Error(`codegen: two types would be named ${t.name}`);
    const schema = t.schema === true ? {} : t.schema === false ? { not: {} } : t.schema;
    const described = t.description && !schema.$ref ? { description: t.description } : {};
    defs[t.name] = { ...referenceDefinitionsByName(prepareForTypes(schema), titleOf), ...described, title: t.name };
  }
  const code = Object.keys(defs).length ? await compileNamed(defs) : '';
  return { code, imports: [...used].sort() };
}
