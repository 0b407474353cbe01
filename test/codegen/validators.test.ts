// The emitted validators' two speed-ups keep ajv's meaning. Definitions inlined into each method's
// schemas give the same verdicts and the same errors as the references they replace, on every example
// of the spec and on thousands of mutations of them. The fixed-length hex pattern engine agrees with
// the RegExp it stands in for on every single-character substitution, non-ASCII included, both as
// codegen compiles it and as the generated validators embed it.
import fs from 'node:fs';
import path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { addDefinitions, inlineDefinitions, methodSchemas, newAjv, patternEngine } from '../../codegen/schemas.mjs';
import { blockchain_scripthash_get_balance } from '../../src/generated/electrum/validators/index.js';
import { SPEC_DIR, specFiles, type SpecFile } from '../helpers/spec-files.js';
import { random } from '../helpers/random.js';

const definitions = JSON.parse(fs.readFileSync(path.join(SPEC_DIR, 'definitions.json'), 'utf8')) as Record<string, unknown>;
const files = specFiles();

const REPLACEMENTS: unknown[] = [null, true, 0, -1, 1, 1.5, -0.5, 2 ** 53, '', '0', 'g', 'é', [], {}, ['x'], { a: 1 }];

/** One random change somewhere in a JSON value: a leaf replaced or edited, a key or item dropped or added. */
function mutate(value: unknown, next: () => number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  if (Array.isArray(value) && value.length > 0 && next() < 0.7) {
    const i = Math.floor(next() * value.length);
    const roll = next();
    if (roll < 0.15) return value.filter((_, j) => j !== i);
    if (roll < 0.25) return [...value, value[i]];
    return value.map((v, j) => (j === i ? mutate(v, next) : v));
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 && next() < 0.7) {
    const entries = Object.entries(value);
    const [key, inner] = pick(entries);
    const roll = next();
    if (roll < 0.15) return Object.fromEntries(entries.filter(([k]) => k !== key));
    if (roll < 0.2) return { ...value, extra: pick(REPLACEMENTS) };
    return { ...value, [key]: mutate(inner, next) };
  }
  if (typeof value === 'string' && value.length > 0 && next() < 0.7) {
    const i = Math.floor(next() * value.length);
    const roll = next();
    if (roll < 0.2) return value.slice(0, i) + value.slice(i + 1);
    if (roll < 0.3) return `${value}0`;
    return value.slice(0, i) + pick(['g', 'G', 'z', ' ', 'é', '٣', 'F', 'a', '0', '\n']) + value.slice(i + 1);
  }
  if (typeof value === 'number' && next() < 0.5) return pick([value + 1, value - 1, -value, value + 0.5, value * 1e6]);
  return pick(REPLACEMENTS);
}

/** The values the spec gives for each role of a method: examples and invalid examples alike. */
function corpus(doc: SpecFile): Record<'params' | 'result' | 'notification', unknown[]> {
  const all = [...doc.examples, ...(doc.invalidExamples ?? [])] as { params?: unknown; result?: unknown; notification?: unknown }[];
  const of = (key: 'params' | 'result' | 'notification') => all.filter((e) => key in e).map((e) => e[key]);
  return { params: of('params'), result: of('result'), notification: of('notification') };
}

const comparable = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => ({ instancePath: e.instancePath, keyword: e.keyword, params: e.params, message: e.message }));

describe('definitions inlined into method schemas', () => {
  const byRef = newAjv();
  addDefinitions(byRef, definitions);
  const inlined = newAjv();
  addDefinitions(inlined, definitions);
  const pairs: { name: string; role: string; refs: ValidateFunction; flat: ValidateFunction; doc: SpecFile; param?: string | undefined }[] = [];
  for (const doc of files) {
    const plain = methodSchemas(doc);
    const flat = methodSchemas(doc, definitions);
    plain.forEach((s, i) => {
      const f = flat[i];
      if (!f) throw new Error(`no inlined schema for ${s.name}`);
      byRef.addSchema(s.schema as object);
      inlined.addSchema(f.schema as object);
      pairs.push({ name: s.name, role: s.role, refs: byRef.getSchema(s.id) as ValidateFunction, flat: inlined.getSchema(f.id) as ValidateFunction, doc, param: s.param });
    });
  }

  it('leaves no reference to definitions.json in any method schema', () => {
    for (const doc of files) for (const s of methodSchemas(doc, definitions)) expect(JSON.stringify(s.schema), s.name).not.toContain('$ref');
  });

  it('keeps a reference it cannot inline exactly: a cycle, or one it does not resolve', () => {
    const defs = {
      $defs: {
        tree: { type: 'object', properties: { kids: { type: 'array', items: { $ref: '#/$defs/tree' } } } },
        leaf: { type: 'string' },
        odd: { properties: { a: { $ref: '#/properties/b' } } },
      },
    };
    expect(inlineDefinitions({ $ref: '../definitions.json#/$defs/tree' }, defs)).toEqual({ $ref: '../definitions.json#/$defs/tree' });
    expect(inlineDefinitions({ $ref: '../definitions.json#/$defs/odd' }, defs)).toEqual({ $ref: '../definitions.json#/$defs/odd' });
    expect(inlineDefinitions({ $ref: '../definitions.json#/$defs/nope' }, defs)).toEqual({ $ref: '../definitions.json#/$defs/nope' });
    // Beside a reference, a keyword that checks something is kept with the definition under allOf.
    expect(inlineDefinitions({ $ref: '../definitions.json#/$defs/leaf', description: 'x', minLength: 2 }, defs)).toEqual({
      description: 'x',
      minLength: 2,
      allOf: [{ type: 'string' }],
    });
    expect(inlineDefinitions({ items: [{ $ref: '../definitions.json#/$defs/leaf', title: 't' }] }, defs)).toEqual({ items: [{ type: 'string' }] });
    expect(inlineDefinitions({ $ref: '../definitions.json#/$defs/leaf', $id: 'x.json' }, defs)).toEqual({ type: 'string', $id: 'x.json' });
    // Only definitions.json is resolved from a method file; its own "#/$defs/..." means something else there.
    expect(inlineDefinitions({ $ref: '#/$defs/leaf' }, defs)).toEqual({ $ref: '#/$defs/leaf' });
  });

  it('gives the same verdicts and errors as the references, on the examples and their mutations', () => {
    const next = random(20261124);
    let checked = 0;
    let refused = 0;
    for (const { name, role, refs, flat, doc, param } of pairs) {
      const values = corpus(doc);
      let base: unknown[];
      if (role === 'condition') {
        const index = doc.params.findIndex((p) => p.name === param);
        base = values.params.flatMap((p) => (Array.isArray(p) && index < p.length ? [p[index]] : []));
      } else base = values[role === 'notification' ? 'notification' : role === 'params' ? 'params' : 'result'];
      if (base.length === 0) base = [null, [], {}];
      for (const value of base) {
        const tries = [value, ...Array.from({ length: 40 }, () => mutate(value, next))];
        for (const v of tries) {
          const verdict = refs(v);
          expect(flat(v), `${name}: ${JSON.stringify(v)}`).toBe(verdict);
          if (!verdict) {
            refused++;
            expect(comparable(flat.errors), `${name}: ${JSON.stringify(v)}`).toEqual(comparable(refs.errors));
          }
          checked++;
        }
      }
    }
    // The mutations must reach the refusing paths too, or the comparison of errors proves little.
    expect(checked).toBeGreaterThan(10_000);
    expect(refused).toBeGreaterThan(checked / 4);
  });
});

const HEX = '0123456789abcdefABCDEF';
/** Every code unit up to U+02FF, and others that look like digits or letters, or are surrogates and marks. */
const SUBSTITUTES = [
  ...Array.from({ length: 0x300 }, (_, c) => String.fromCharCode(c)),
  '\u0660', '\u0669', '\u06f0', '\u0966', '\uff10', '\uff19', '\uff21', '\uff41', '\ufeff', '\u2028', '\ud800', '\udfff', '\uffff', '\u{1d7ce}',
];

describe('the fixed-length hex pattern engine', () => {
  const hexOf = (length: number, offset = 0) => Array.from({ length }, (_, i) => HEX[(i * 7 + offset) % HEX.length]).join('');

  it('agrees with the RegExp on every single-character substitution at every position', () => {
    for (const length of [1, 2, 3, 4, 5, 7, 8, 9, 64]) {
      const pattern = `^[0-9a-fA-F]{${length}}$`;
      const engine = patternEngine(pattern, 'u');
      expect(engine).not.toBeInstanceOf(RegExp);
      const regexp = new RegExp(pattern, 'u');
      const base = hexOf(length);
      expect(engine.test(base)).toBe(true);
      for (let i = 0; i < length; i++) {
        for (const c of SUBSTITUTES) {
          const s = base.slice(0, i) + c + base.slice(i + 1);
          if (engine.test(s) !== regexp.test(s)) throw new Error(`{${length}}: ${JSON.stringify(s)} at ${i}`);
        }
      }
    }
  });

  it('agrees with the RegExp on every length around the fixed one', () => {
    const engine = patternEngine('^[0-9a-fA-F]{64}$', 'u');
    const regexp = /^[0-9a-fA-F]{64}$/u;
    for (let length = 0; length <= 70; length++) {
      for (const s of [hexOf(length), hexOf(length, 3), `${hexOf(length)}\n`, ` ${hexOf(length)}`]) expect(engine.test(s), s).toBe(regexp.test(s));
    }
  });

  it('leaves every other pattern to RegExp', () => {
    for (const pattern of ['^[0-9a-fA-F]*$', '^(?:[0-9a-fA-F]{2})+$', '^[0-9a-fA-F]{1,8}$', '^(?:0x)?[0-9a-fA-F]{64}$']) {
      expect(patternEngine(pattern, 'u')).toBeInstanceOf(RegExp);
    }
  });

  it('is what the generated validators embed: a script hash param is checked the same way', () => {
    const validate = blockchain_scripthash_get_balance.params;
    const regexp = /^[0-9a-fA-F]{64}$/u;
    const base = hexOf(64);
    expect(validate([base])).toBe(true);
    for (const i of [0, 1, 2, 3, 4, 31, 32, 60, 61, 62, 63]) {
      for (const c of SUBSTITUTES) {
        const s = base.slice(0, i) + c + base.slice(i + 1);
        if (validate([s]) !== regexp.test(s)) throw new Error(`${JSON.stringify(s)} at ${i}`);
      }
    }
  });
});
