// Documentation changes: the words of a method file and of the shared definitions, which never change
// what is valid. A method whose only change is here needs a patch release. Schemas are read as written
// ($refs are not followed): a definition's own words are compared once, as the definition's.

// Keywords of a schema that only document it.
const SCHEMA_DOCS = ['title', 'description', 'examples', '$comment'];
const SUBSCHEMA = ['items', 'additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'not', 'if', 'then', 'else'];
const SUBSCHEMA_LIST = ['allOf', 'anyOf', 'oneOf', 'items'];
const SUBSCHEMA_MAP = ['properties', 'patternProperties', 'definitions', '$defs', 'dependencies'];

const text = (value) => JSON.stringify(value ?? null);
const REFERENCE = '$ref';
/** Whether two recorded words differ: never where either side is a reference. */
const differ = (x, y) => x !== y && x !== REFERENCE && y !== REFERENCE;

/** The documenting keywords of every node of a schema, by path ("" for the root, ".height", "[]", ...). */
export function schemaWords(schema, path = '', out = new Map()) {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return out;
  // A reference takes its words from the definition; an inline copy that became one (or the reverse) is
  // not a change of words here.
  if ('$ref' in schema) {
    out.set(path, REFERENCE);
    return out;
  }
  out.set(path, text(Object.fromEntries(SCHEMA_DOCS.filter((k) => k in schema).map((k) => [k, schema[k]]))));
  for (const k of SUBSCHEMA) if (schema[k] && typeof schema[k] === 'object' && !Array.isArray(schema[k])) schemaWords(schema[k], `${path}/${k}`, out);
  for (const k of SUBSCHEMA_LIST) if (Array.isArray(schema[k])) schema[k].forEach((s, i) => schemaWords(s, `${path}/${k}[${i}]`, out));
  for (const k of SUBSCHEMA_MAP) {
    if (schema[k] && typeof schema[k] === 'object') for (const [name, s] of Object.entries(schema[k])) if (!Array.isArray(s)) schemaWords(s, `${path}/${k}/${name}`, out);
  }
  return out;
}

/** Whether the words of two schemas differ where both have the same node. */
export function schemaWordsDiffer(a, b) {
  const wa = schemaWords(a);
  const wb = schemaWords(b);
  return [...wa].some(([path, words]) => wb.has(path) && differ(words, wb.get(path)));
}

/** label -> words, for every documented part of a method file; params and shapes matched by name. */
function methodWords(doc) {
  const out = new Map();
  const put = (label, value) => out.set(label, value);
  for (const k of ['summary', 'description', 'deviations', 'sources', 'implementations', 'examples', 'invalidExamples']) put(k === 'invalidExamples' ? 'invalid examples' : k, text(doc[k]));
  for (const e of doc.errors ?? []) put(`error ${e.code}`, text({ message: e.message, description: e.description, source: e.source }));
  if (doc.optionalReply) put('optionalReply', text({ reason: doc.optionalReply.reason, source: doc.optionalReply.source }));
  if (doc.sessionState) put('sessionState', text(doc.sessionState.sets));
  const params = (list, prefix) => {
    for (const p of list ?? []) {
      put(`${prefix}param ${p.name}`, text(p.description));
      for (const [path, words] of schemaWords(p.schema)) put(`${prefix}param ${p.name}\0${path}`, words);
    }
  };
  params(doc.params, '');
  if (doc.result) {
    put('result', text(doc.result.description));
    if (doc.result.schema !== undefined) for (const [path, words] of schemaWords(doc.result.schema)) put(`result\0${path}`, words);
    for (const v of doc.result.variants ?? []) {
      put(`result ${v.name}`, text(v.description));
      for (const [path, words] of schemaWords(v.schema)) put(`result ${v.name}\0${path}`, words);
    }
  }
  if (doc.notification) {
    put('notification', text(doc.notification.description));
    params(doc.notification.params, 'notification ');
  }
  return out;
}

/**
 * What documentation changed between two versions of a method file, as short labels ("description",
 * "param verbose", "result verbose", "examples"); parts only one side has are left out (their coming or
 * going is a change of its own).
 */
export function documentationChanges(a, b) {
  const wa = methodWords(a);
  const wb = methodWords(b);
  const labels = [];
  for (const [key, words] of wa) {
    if (!wb.has(key) || !differ(words, wb.get(key))) continue;
    const label = key.split('\0')[0];
    if (!labels.includes(label)) labels.push(label);
  }
  return labels;
}
