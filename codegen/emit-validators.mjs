// Stage 4b: ajv standalone validators, so ajv is a build-time dependency only. The schemas are the
// model's (each method's params tuple, result variants, variant conditions and notification tuple).
import standaloneCode from 'ajv/dist/standalone/index.js';
import { addDefinitions, newAjv } from './schemas.mjs';

/** @param {import('./model.mjs').ProtocolModel} model @param {object} definitions */
export function emitValidators(model, definitions) {
  const ajv = newAjv();
  addDefinitions(ajv, definitions);
  const exports = {};
  for (const m of model.methods) {
    for (const s of m.schemas) {
      ajv.addSchema(s.schema);
      exports[s.name] = s.id;
    }
  }
  const code = standaloneCode(ajv, exports);
  // A runtime import would make ajv (or its helpers) a dependency of every user of the SDK.
  if (/\brequire\(/.test(code) || /^\s*import\s/m.test(code)) {
    throw new Error('codegen: the standalone validators import ajv at run time; avoid the keyword that needs it (object const/enum, uniqueItems, unicode string lengths)');
  }
  return { code, names: Object.keys(exports) };
}
