// The validators as emitted, one module per method, without ajv's messages and schema paths: they give the
// verdicts and errors of ajv itself (compiled here from the same schemas, messages on), and the runtime words
// their errors exactly as ajv's messages read, on every example of the spec and thousands of mutations. Each
// method's module is where the registry looks for it: its name, its result variants and conditions, its
// notification.
import fs from 'node:fs';
import path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { addDefinitions, methodSchemas, newAjv } from '../../codegen/schemas.mjs';
import { electrumMethodTable } from '../../src/generated/electrum/table.js';
import { electrumValidators } from '../../src/generated/electrum/validators/index.js';
import { miningMethodTable } from '../../src/generated/mining/table.js';
import { miningValidators } from '../../src/generated/mining/validators/index.js';
import type { MethodTable } from '../../src/runtime/registry.js';
import { ajvMessage, formatErrors, OWN_WORDING, type CompiledValidator, type MethodValidators } from '../../src/runtime/validation.js';
import { random } from '../helpers/random.js';
import { SPEC_DIR, specFiles, type SpecFile } from '../helpers/spec-files.js';

const definitions = JSON.parse(fs.readFileSync(path.join(SPEC_DIR, 'definitions.json'), 'utf8')) as Record<string, unknown>;
const files = specFiles();
const sets: Record<string, Readonly<Record<string, MethodValidators>>> = { electrum: electrumValidators, mining: miningValidators };
const tables: Record<string, MethodTable> = {
  electrum: electrumMethodTable,
  mining: miningMethodTable,
};

const REPLACEMENTS: unknown[] = [null, true, 0, -1, 1, 1.5, -0.5, 2 ** 53, '', '0', 'g', 'é', [], {}, ['x'], { a: 1 }, [[]], [{}]];

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

function corpus(doc: SpecFile, role: string, param: string | undefined): unknown[] {
  const all = [...doc.examples, ...(doc.invalidExamples ?? [])] as { params?: unknown; result?: unknown; notification?: unknown }[];
  const of = (key: 'params' | 'result' | 'notification') => all.filter((e) => key in e).map((e) => e[key]);
  let base: unknown[];
  if (role === 'condition') {
    const index = doc.params.findIndex((p) => p.name === param);
    base = of('params').flatMap((p) => (Array.isArray(p) && index < p.length ? [p[index]] : []));
  } else base = of(role === 'notification' ? 'notification' : role === 'params' ? 'params' : 'result');
  return base.length ? base : [null, [], {}];
}

/** The emitted function for one of the method's schemas, found where the registry looks for it. */
function emitted(v: MethodValidators, doc: SpecFile, s: { role: string; variant?: string; param?: string }): CompiledValidator | undefined {
  if (s.role === 'params') return v.params;
  if (s.role === 'result') return v.results[s.variant as string];
  if (s.role === 'condition') return v.conditions?.[s.variant as string]?.[s.param as string];
  return v.notification;
}

const comparable = (errors: readonly { instancePath: string; keyword: string; params: unknown }[] | null | undefined) =>
  (errors ?? []).map((e) => ({ instancePath: e.instancePath, keyword: e.keyword, params: e.params }));

describe('the validators, one module per method', () => {
  it('cover every method of the table, each under its own wire name, and nothing else', () => {
    for (const protocol of ['electrum', 'mining']) {
      const set = sets[protocol]!;
      const table = tables[protocol]!;
      expect(Object.keys(set).sort(), protocol).toEqual(Object.keys(table).sort());
      for (const [method, v] of Object.entries(set)) {
        expect(v.method).toBe(method);
        expect(Object.keys(v.results).sort(), method).toEqual((table[method]!.results ?? [{ name: 'result' }]).map((r) => r.name).sort());
      }
    }
  });

  it("give ajv's verdicts and errors, and the runtime words them as ajv's messages, on the examples and their mutations", () => {
    const next = random(20261203);
    const ajv = newAjv();
    addDefinitions(ajv, definitions);
    let checked = 0;
    let refused = 0;
    const keywords = new Set<string>();
    for (const doc of files) {
      const v = sets[doc.protocol]?.[doc.method];
      if (!v) throw new Error(`no validators for ${doc.protocol} ${doc.method}`);
      for (const s of methodSchemas(doc, definitions)) {
        const mine = emitted(v, doc, s);
        if (!mine) throw new Error(`${s.name}: no emitted validator where the registry looks`);
        ajv.addSchema(s.schema as object);
        const theirs = ajv.getSchema(s.id) as ValidateFunction;
        for (const value of corpus(doc, s.role, s.param)) {
          for (const x of [value, ...Array.from({ length: 40 }, () => mutate(value, next))]) {
            const verdict = theirs(x);
            expect(mine(x), `${s.name}: ${JSON.stringify(x)}`).toBe(verdict);
            checked++;
            if (verdict) continue;
            refused++;
            const expected = theirs.errors as ErrorObject[];
            expect(comparable(mine.errors), `${s.name}: ${JSON.stringify(x)}`).toEqual(comparable(expected));
            for (const e of expected) {
              keywords.add(e.keyword);
              expect(ajvMessage(e), `${s.name}: ${e.keyword}`).toBe(OWN_WORDING.has(e.keyword) ? undefined : e.message);
            }
            expect(formatErrors(mine.errors, 'result')).toEqual(formatErrors(expected, 'result'));
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(refused).toBeGreaterThan(checked / 4);
    // The mutations reach the keywords the spec uses most, so their wording is compared, not assumed.
    for (const k of ['type', 'pattern', 'minimum', 'required', 'minItems', 'maxItems', 'anyOf', 'const']) expect(keywords).toContain(k);
    // Every schema of the spec compiled by ajv and thousands of values checked twice: slow on a loaded machine.
  }, 120_000);

  it('raise only keywords the runtime words (ajvMessage words no others, to keep bundles small)', () => {
    const dirs = ['electrum', 'mining'].map((p) => path.join(import.meta.dirname, '../../src/generated', p, 'validators'));
    const raised = new Set<string>();
    for (const dir of dirs) {
      for (const f of fs.readdirSync(dir)) {
        for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/pushError\(.*, "([^"]+)", \{|keyword: ?"([^"]+)"/g)) raised.add((m[1] ?? m[2])!);
      }
    }
    expect(raised).toContain('pattern');
    for (const keyword of raised) {
      const worded = OWN_WORDING.has(keyword) || ajvMessage({ instancePath: '', keyword, params: {} }) !== undefined;
      expect(worded, keyword).toBe(true);
    }
  });

  it('carry no message and no schema path: the runtime words the errors', () => {
    const v = electrumValidators['blockchain.scripthash.get_history'];
    expect(v.results['result']!([{ height: 'tall', tx_hash: '00' }])).toBe(false);
    const errors = v.results['result']!.errors ?? [];
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e).not.toHaveProperty('message');
      expect(e).not.toHaveProperty('schemaPath');
    }
    expect(formatErrors(errors, 'result')).toContain('result[0].height: must be integer');
  });
});
