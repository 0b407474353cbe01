// Stage 1: read spec/ into memory. Reading only; nothing here judges the content.
import fs from 'node:fs';
import path from 'node:path';

export const PROTOCOLS = ['electrum', 'mining'];

/**
 * @returns {{ meta: object, definitions: object, files: Array<{ file: string, protocolDir: string, doc: unknown }>, errors: string[] }}
 */
export function loadSpec(specDir) {
  const errors = [];
  const readJson = (file) => {
    let text;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      errors.push(`${file}: cannot read: ${e.message}`);
      return undefined;
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      errors.push(`${file}: invalid JSON: ${e.message}`);
      return undefined;
    }
  };
  const meta = readJson(path.join(specDir, 'method.schema.json'));
  const definitions = readJson(path.join(specDir, 'definitions.json'));
  const files = [];
  for (const protocolDir of PROTOCOLS) {
    const dir = path.join(specDir, protocolDir);
    if (!fs.existsSync(dir)) {
      errors.push(`${dir}: missing protocol folder`);
      continue;
    }
    // Sorted so that every emitted file lists methods in the same order on every machine.
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (!name.endsWith('.json')) {
        errors.push(`${file}: not a .json file (spec folders hold method files only)`);
        continue;
      }
      const doc = readJson(file);
      if (doc !== undefined) files.push({ file, protocolDir, doc });
    }
  }
  return { meta, definitions, files, errors };
}
