// Stage 4b: ajv standalone validators, so ajv is a build-time dependency only.
import standaloneCode from 'ajv/dist/standalone/index.js';
import { addDefinitions, methodSchemas, newAjv } from './schemas.mjs';

export function emitValidators(docs, definitions) {
  const ajv = newAjv();
  addDefinitions(ajv, definitions);
  const exports = {};
  for (const doc of docs) {
    for (const s of methodSchemas(doc, definitions)) {
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
