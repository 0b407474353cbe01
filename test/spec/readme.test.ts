// spec/README.md documents the format for maintainers: every field of the meta-schema has a row with its
// meaning, so a field added to spec/method.schema.json without a line in the README fails here.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPEC_DIR } from '../helpers/spec-files.js';

type Schema = { properties?: Record<string, Schema>; items?: Schema; $ref?: string; definitions?: Record<string, Schema> };

/** Every field path of the meta-schema: "versions.since", "params[].name", "result.variants[].when.params". */
function fieldPaths(meta: Schema): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (schema: Schema | undefined, prefix: string) => {
    if (!schema || typeof schema !== 'object') return;
    for (const [name, sub] of Object.entries(schema.properties ?? {})) {
      out.push(`${prefix}${name}`);
      walk(sub, `${prefix}${name}.`);
    }
    if (schema.items) walk(schema.items, `${prefix.replace(/\.$/, '')}[].`);
    if (schema.$ref?.startsWith('#/definitions/')) {
      const def = schema.$ref.slice('#/definitions/'.length);
      // A shared definition is documented once, where it first appears (param fields in the Params table).
      if (!seen.has(def)) {
        seen.add(def);
        walk(meta.definitions?.[def], prefix);
      }
    }
  };
  walk(meta, '');
  return out;
}

describe('spec/README.md', () => {
  const readme = fs.readFileSync(path.join(SPEC_DIR, 'README.md'), 'utf8');
  const meta = JSON.parse(fs.readFileSync(path.join(SPEC_DIR, 'method.schema.json'), 'utf8')) as Schema;
  // The first cell of every table row that names a field in code.
  const rows = new Map([...readme.matchAll(/^\| `([^`]+)` \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!]));

  it('has a row with a meaning for every field of the meta-schema', () => {
    const paths = fieldPaths(meta);
    expect(paths.length).toBeGreaterThan(60);
    // Param fields are documented once, by their own names, for params and notification params alike.
    const missing = paths.filter((p) => !rows.has(p) && !(p.startsWith('params[].') && rows.has(p.slice('params[].'.length))));
    expect(missing).toEqual([]);
    for (const [field, meaning] of rows) expect(meaning.trim().length, field).toBeGreaterThan(10);
  });

  it('lists every enum value the meta-schema allows where it explains the field', () => {
    const text = readme.replace(/\s+/g, ' ');
    for (const value of ['request', 'subscription', 'notification', 'client-to-server', 'server-to-client', 'both', 'standard', 'experimental', 'legacy', 'extension', 'draft', 'implementation-specific', 'as-sent', 'script-hash', 'always', 'repeated', 'replay', 'replay-each', 'resume']) {
      expect(text, value).toContain(`\`${value}\``);
    }
  });
});
