// A method file's result shapes as a list. Its own module, free of ajv, so that the spec diff (which
// users run from the installed package: `stratum-sdk spec-diff`, 'stratum-sdk/spec-diff') loads without
// the generator's dependencies.

/** A single `result.schema` is treated as one variant named "result" that always applies. */
export function resultVariants(doc) {
  if (!doc.result) return [];
  if (doc.result.variants) return doc.result.variants;
  return [{ name: 'result', description: doc.result.description, when: {}, schema: doc.result.schema }];
}
