// The fast checks in front of the validators of large results (codegen/fast-validators.mjs) never change
// an answer: a fast check that says valid is one ajv agrees with, a spec-valid value takes the fast path,
// and what the emitted validators return (verdict, errors, their paths and the runtime's messages) is
// ajv's own, on every example of the spec, thousands of seeded mutations of them, and targeted edits of
// the hot shapes (history, unspent outputs, mempool entries, headers): wrong key types, extra and missing
// keys, a non-hex character at every position, upper-case hex, lengths 63 and 65, negative and fractional
// heights, null, and arrays large enough to fill the hex batch many times over.
import fs from 'node:fs';
import path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { compileFastCheck, HEX_BATCH_CODE, worthFastCheck } from '../../codegen/fast-validators.mjs';
import { addDefinitions, methodSchemas, newAjv, type MethodSchema } from '../../codegen/schemas.mjs';
import { electrumValidators } from '../../src/generated/electrum/validators/index.js';
import { hexBatch as emittedHexBatch } from '../../src/generated/electrum/validators/shared.js';
import { miningValidators } from '../../src/generated/mining/validators/index.js';
import { formatErrors, type CompiledValidator, type MethodValidators } from '../../src/runtime/validation.js';
import { random } from '../helpers/random.js';
import { SPEC_DIR, specFiles, type SpecFile } from '../helpers/spec-files.js';

const definitions = JSON.parse(fs.readFileSync(path.join(SPEC_DIR, 'definitions.json'), 'utf8')) as Record<string, unknown>;
const files = specFiles();
const sets: Record<string, Readonly<Record<string, MethodValidators>>> = { electrum: electrumValidators, mining: miningValidators };

interface HexBatch {
  start(): number;
  add(s: string): boolean;
  done(started: number): boolean;
  simd(): boolean;
}
const hexBatch = new Function(`return ${HEX_BATCH_CODE};`)() as HexBatch;
// The same code where WebAssembly is missing (Hermes) or refused: the batches checked in JavaScript.
const jsHexBatch = new Function('WebAssembly', `return ${HEX_BATCH_CODE};`)(undefined) as HexBatch;
// Every batch implementation the tests hold to a RegExp.
const batches: [string, HexBatch][] = [
  ['codegen, WebAssembly', hexBatch],
  ['emitted', emittedHexBatch as HexBatch],
  ['codegen, JavaScript', jsHexBatch],
];

/** A fast check as codegen compiles it, run here on its own (the modules keep theirs private). */
function fastCheck(s: MethodSchema, batch: HexBatch = hexBatch): ((data: unknown) => boolean) | undefined {
  const code = compileFastCheck(s.schema, 'fast');
  return code === undefined ? undefined : (new Function('hexBatch', `${code}\nreturn fast;`)(batch) as (data: unknown) => boolean);
}

const REPLACEMENTS: unknown[] = [null, true, 0, -1, 1, 1.5, -0.5, 2 ** 53, NaN, Infinity, -0, '', '0', 'g', 'é', [], {}, ['x'], { a: 1 }, [[]], [{}]];
// Characters that are not hex digits, one of each class: letters past f, the ASCII neighbours of each
// hex range, controls, space, Latin-1, other scripts' digits, a lone surrogate and half of a pair.
const NOT_HEX = ['g', 'G', 'z', 'Z', '/', ':', '@', '`', '[', '{', ' ', '\n', '\u0000', '\u007f', 'é', '\u00ff', '٣', '\u0130', '\ud800', '\udfff', '😀'];
const HEX = '0123456789abcdefABCDEF';

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
    if (roll < 0.15) return value.slice(0, i) + value.slice(i + 1);
    if (roll < 0.25) return `${value}0`;
    if (roll < 0.35) return value.toUpperCase();
    return value.slice(0, i) + pick([...NOT_HEX, 'F', 'a', '0']) + value.slice(i + 1);
  }
  if (typeof value === 'number' && next() < 0.5) return pick([value + 1, value - 1, -value, value + 0.5, value * 1e6, -1, -2, 0]);
  return pick(REPLACEMENTS);
}

/** Every result schema that has a fast check, with the spec's results for it (examples and invalid ones). */
function fastSchemas(): { doc: SpecFile; s: MethodSchema; results: unknown[] }[] {
  const out: { doc: SpecFile; s: MethodSchema; results: unknown[] }[] = [];
  for (const doc of files) {
    for (const s of methodSchemas(doc, definitions)) {
      if (s.role !== 'result' || !worthFastCheck(s.schema) || compileFastCheck(s.schema, 'fast') === undefined) continue;
      const all = [...doc.examples, ...(doc.invalidExamples ?? [])] as { result?: unknown }[];
      out.push({ doc, s, results: all.filter((e) => 'result' in e).map((e) => e.result) });
    }
  }
  return out;
}

const comparable = (errors: readonly { instancePath: string; keyword: string; params: unknown }[] | null | undefined) =>
  (errors ?? []).map((e) => ({ instancePath: e.instancePath, keyword: e.keyword, params: e.params }));

/** Holds the emitted validator and the fast check to ajv's answer for `x`; returns ajv's verdict. */
function agree(label: string, x: unknown, theirs: ValidateFunction, mine: CompiledValidator, fast: (data: unknown) => boolean, fastJs?: (data: unknown) => boolean): boolean {
  const verdict = theirs(x);
  const quick = fast(x);
  // Sound: the fast check never passes what ajv refuses. Complete on these values too: it never sends a
  // valid one the slow way (which would only cost time, but would show the fast path is not taken).
  expect(quick, label).toBe(verdict);
  // The same with the batches checked in JavaScript (no WebAssembly).
  if (fastJs) expect(fastJs(x), `${label} (JavaScript batches)`).toBe(verdict);
  expect(mine(x), label).toBe(verdict);
  if (verdict) {
    expect(mine.errors ?? null, label).toBeNull();
  } else {
    const expected = theirs.errors as ErrorObject[];
    expect(comparable(mine.errors), label).toEqual(comparable(expected));
    expect(formatErrors(mine.errors, 'result'), label).toEqual(formatErrors(expected, 'result'));
  }
  return verdict;
}

function hex64(next: () => number): string {
  let s = '';
  for (let i = 0; i < 64; i++) s += '0123456789abcdef'[Math.floor(next() * 16)];
  return s;
}

describe('the fast checks in front of the validators of large results', () => {
  const ajv = newAjv();
  addDefinitions(ajv, definitions);
  const compiled = fastSchemas().map(({ doc, s, results }) => {
    ajv.addSchema(s.schema as object);
    const mine = sets[doc.protocol]?.[doc.method]?.results[s.variant as string];
    if (!mine) throw new Error(`${s.name}: no emitted validator`);
    return { doc, s, results, theirs: ajv.getSchema(s.id) as ValidateFunction, mine, fast: fastCheck(s)!, fastJs: fastCheck(s, jsHexBatch)! };
  });
  const byName = (method: string, variant = 'result') => {
    const found = compiled.find((c) => c.doc.method === method && c.s.variant === variant);
    if (!found) throw new Error(`${method} ${variant}: no fast check`);
    return found;
  };

  it('exist for the hot shapes, and the emitted modules embed the hex batch codegen compiles', () => {
    for (const m of ['blockchain.scripthash.get_history', 'blockchain.scripthash.listunspent', 'blockchain.scripthash.get_mempool']) byName(m);
    byName('blockchain.block.headers', 'concatenated');
    byName('blockchain.block.headers', 'list');
    const shared = fs.readFileSync(path.join(SPEC_DIR, '..', 'src', 'generated', 'electrum', 'validators', 'shared.ts'), 'utf8');
    expect(shared).toContain(`export const hexBatch = ${HEX_BATCH_CODE};`);
    expect(compiled.length).toBeGreaterThan(10);
  });

  it('check the batches in WebAssembly on Node, and in JavaScript where WebAssembly is missing', () => {
    for (const [, batch] of batches) batch.start();
    expect(hexBatch.simd()).toBe(true);
    expect((emittedHexBatch as HexBatch).simd()).toBe(true);
    expect(jsHexBatch.simd()).toBe(false);
  });

  it('agree with a RegExp on every UTF-16 code unit at every offset within a word, in short strings and long, around the batch boundaries', () => {
    for (const [, batch] of batches) {
      const re = /^[0-9a-fA-F]*$/;
      for (let c = 0; c < 0x10000; c++) {
        const ch = String.fromCharCode(c);
        for (const at of [0, 1, 2, 3, 61, 62, 63]) {
          const s = `${'a'.repeat(at)}${ch}${'F'.repeat(63 - at)}`;
          const started = batch.start();
          expect(batch.add(s) && batch.done(started), `U+${c.toString(16)} at ${at}`).toBe(re.test(s));
        }
        // Short strings take the table, not TextEncoder.
        for (const s of [ch, `0${ch}F`]) {
          const started = batch.start();
          expect(batch.add(s) && batch.done(started), `U+${c.toString(16)} in ${s.length}`).toBe(re.test(s));
        }
      }
      // Strings of every length 0-9 and across the 4 KiB buffer (and one longer than it), bad last or first.
      for (const n of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 4095, 4096, 4097, 9000]) {
        for (const bad of [false, true]) {
          for (const where of ['first', 'last']) {
            if (n === 0 && bad) continue;
            const chars = Array.from({ length: n }, (_, i) => HEX[i % HEX.length]);
            if (bad) chars[where === 'first' ? 0 : n - 1] = 'g';
            const started = batch.start();
            // Many strings in one batch: a bad one far from the start still counts.
            let ok = true;
            for (let k = 0; k < 7; k++) ok = batch.add('0123456789abcdefABCDEF0123456789abcdef01234567') && ok;
            ok = batch.add(chars.join('')) && ok;
            expect(ok && batch.done(started), `${n} ${bad} ${where}`).toBe(!bad);
          }
        }
      }
    }
  }, 120_000);

  it('agree with a RegExp on every Latin-1 character at every position of strings of 24-40 characters, alone and after others in a batch', () => {
    // The words are checked two at a time in JavaScript, with a last one alone when their count is odd, and
    // 16 bytes at a time in WebAssembly, after padding: every position of a pair, of the last word and of a
    // 16-byte lane, for either parity, and batches where the string starts at an odd word.
    const re = /^[0-9a-fA-F]*$/;
    for (const [name, batch] of batches) {
      const wrong: string[] = [];
      for (let n = 24; n <= 40; n++) {
        for (let at = 0; at < n; at++) {
          for (let c = 0; c < 0x100; c++) {
            const s = `${HEX.repeat(2).slice(0, at)}${String.fromCharCode(c)}${'fA09'.repeat(10).slice(0, n - at - 1)}`;
            for (const before of [0, 1, 3]) {
              const started = batch.start();
              let ok = true;
              for (let k = 0; k < before; k++) ok = batch.add('0123456789abcdefABCDEF0123') && ok;
              ok = batch.add(s) && ok;
              if ((ok && batch.done(started)) !== re.test(s)) wrong.push(`${name}: ${n} ${at} U+${c.toString(16)} after ${before}`);
            }
          }
        }
      }
      expect(wrong).toEqual([]);
    }
  }, 120_000);

  it("give ajv's verdicts, errors and messages on every spec example and thousands of mutations", () => {
    const next = random(20261203);
    let checked = 0;
    let refused = 0;
    for (const c of compiled) {
      const values = c.results.length ? c.results : [[], {}, null];
      for (const value of values) {
        for (const x of [value, ...Array.from({ length: 60 }, () => mutate(value, next))]) {
          if (!agree(`${c.s.name}: ${JSON.stringify(x)}`, x, c.theirs, c.mine, c.fast, c.fastJs)) refused++;
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(2_000);
    expect(refused).toBeGreaterThan(checked / 4);
    expect(refused).toBeLessThan(checked);
  }, 120_000);

  it('agree on targeted edits of history, unspent, mempool and headers entries, in lists long enough to fill the batch', () => {
    const next = random(7);
    const entries: Record<string, () => Record<string, unknown>> = {
      'blockchain.scripthash.get_history': () =>
        next() < 0.8 ? { tx_hash: hex64(next), height: 1 + Math.floor(next() * 900_000) } : { tx_hash: hex64(next), height: next() < 0.5 ? 0 : -1, fee: Math.floor(next() * 5000) },
      'blockchain.scripthash.listunspent': () => ({ tx_hash: hex64(next), tx_pos: Math.floor(next() * 10), height: Math.floor(next() * 900_000), value: Math.floor(next() * 1e8) }),
      'blockchain.scripthash.get_mempool': () => ({ tx_hash: hex64(next), height: next() < 0.5 ? 0 : -1, fee: Math.floor(next() * 5000) }),
    };
    const edits: ((e: Record<string, unknown>) => Record<string, unknown> | unknown)[] = [
      (e) => ({ ...e, tx_hash: (e['tx_hash'] as string).toUpperCase() }),
      (e) => ({ ...e, tx_hash: (e['tx_hash'] as string).slice(1) }),
      (e) => ({ ...e, tx_hash: `${e['tx_hash'] as string}0` }),
      (e) => {
        const t = e['tx_hash'] as string;
        const i = Math.floor(next() * 64);
        return { ...e, tx_hash: t.slice(0, i) + NOT_HEX[Math.floor(next() * NOT_HEX.length)]! + t.slice(i + 1) };
      },
      (e) => ({ ...e, tx_hash: 12 }),
      (e) => ({ ...e, tx_hash: null }),
      (e) => ({ ...e, height: String(e['height']) }),
      (e) => ({ ...e, height: -2 }),
      (e) => ({ ...e, height: -1 }),
      (e) => ({ ...e, height: 0 }),
      (e) => ({ ...e, height: 1.5 }),
      (e) => ({ ...e, height: -0.5 }),
      (e) => ({ ...e, height: NaN }),
      (e) => ({ ...e, height: Infinity }),
      (e) => ({ ...e, height: null }),
      (e) => ({ ...e, fee: -1 }),
      (e) => ({ ...e, fee: '1' }),
      (e) => ({ ...e, value: -1 }),
      (e) => ({ ...e, tx_pos: 0.5 }),
      (e) => ({ ...e, extra: 1 }),
      (e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'tx_hash')),
      (e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'height')),
      () => null,
      () => [],
      () => 'entry',
    ];
    let refused = 0;
    let checked = 0;
    for (const [method, entry] of Object.entries(entries)) {
      const c = byName(method);
      const list = Array.from({ length: 3000 }, entry);
      expect(agree(`${method}: the whole list`, list, c.theirs, c.mine, c.fast, c.fastJs), method).toBe(true);
      for (let k = 0; k < 400; k++) {
        const edit = edits[k % edits.length]!;
        // Anywhere: first, last, or inside; once in a while two edits.
        const at = k % 3 === 0 ? 0 : k % 3 === 1 ? list.length - 1 : Math.floor(next() * list.length);
        const x: unknown[] = list.slice();
        x[at] = edit(list[at]!);
        if (k % 7 === 0) x[Math.floor(next() * list.length)] = edits[Math.floor(next() * edits.length)]!(list[0]!);
        if (!agree(`${method}: edit ${k % edits.length} at ${at}`, x, c.theirs, c.mine, c.fast, c.fastJs)) refused++;
        checked++;
      }
      for (const x of [null, {}, 'list', [null], [[]], list.slice(0, 0)]) agree(`${method}: ${JSON.stringify(x)}`, x, c.theirs, c.mine, c.fast, c.fastJs);
    }
    expect(refused).toBeGreaterThan(checked / 2);

    // Headers: one concatenated hex string (of 2016 headers, much longer than the batch) or a list of them.
    const header = () => Array.from({ length: 160 }, () => '0123456789abcdef'[Math.floor(next() * 16)]).join('');
    const headers = Array.from({ length: 2016 }, header);
    const concatenated = byName('blockchain.block.headers', 'concatenated');
    const listed = byName('blockchain.block.headers', 'list');
    const root = hex64(next);
    for (let k = 0; k < 120; k++) {
      const hex = headers.join('');
      const i = Math.floor(next() * hex.length);
      const edited = [
        hex,
        hex.toUpperCase(),
        hex.slice(0, i) + NOT_HEX[k % NOT_HEX.length]! + hex.slice(i + 1),
        hex.slice(1),
        `${hex}0`,
        '',
      ][k % 6];
      agree(`headers concatenated ${k}`, { count: 2016, hex: edited, max: 2016, ...(k % 2 ? { root, branch: [root, root] } : {}) }, concatenated.theirs, concatenated.mine, concatenated.fast, concatenated.fastJs);
      const list: unknown[] = headers.slice();
      const at = Math.floor(next() * list.length);
      list[at] = [list[at], (list[at] as string).slice(2), `${list[at] as string}g`, 7, (list[at] as string).toUpperCase()][k % 5];
      agree(`headers list ${k}`, { count: 2016, headers: list, max: 2016, ...(k % 3 ? {} : { root: k % 2 ? root : `${root}0` }) }, listed.theirs, listed.mine, listed.fast, listed.fastJs);
    }
  }, 120_000);

  it('take the fast path for a valid large result: its errors are reset, and a refusal after it is complete', () => {
    const next = random(11);
    const c = byName('blockchain.scripthash.get_history');
    const list = Array.from({ length: 20_000 }, () => ({ tx_hash: hex64(next), height: 1 + Math.floor(next() * 900_000) }));
    const bad: unknown[] = list.slice();
    bad[19_999] = { tx_hash: `${(list[19_999] as { tx_hash: string }).tx_hash.slice(0, 63)}g`, height: 1 };
    bad[0] = { tx_hash: list[0]!.tx_hash, height: 'tall' };
    expect(c.mine(bad)).toBe(false);
    expect(formatErrors(c.mine.errors, 'result')).toEqual([
      'result[0].height: must be integer',
      'result[0]: must match a schema in anyOf',
      'result[19999].tx_hash: must match pattern "^[0-9a-fA-F]{64}$"',
      'result[19999].height: must be <= 0',
      'result[19999]: must match a schema in anyOf',
    ]);
    expect(c.mine(list)).toBe(true);
    expect(c.mine.errors).toBeNull();
  });

  it('leave the answer to ajv when a getter in the value starts another check in the middle of one', () => {
    const next = random(13);
    const c = byName('blockchain.scripthash.get_history');
    // Both the emitted validator and codegen's fast check, each with the batch the other of its kind shares.
    const listunspent = electrumValidators['blockchain.scripthash.listunspent'].results['result']!;
    const listunspentFast = byName('blockchain.scripthash.listunspent').fast;
    const list: unknown[] = Array.from({ length: 10 }, () => ({ tx_hash: hex64(next), height: 5 }));
    // A bad hash in the batch, then an entry whose getter checks something else (resetting the batch).
    list[3] = { tx_hash: `${hex64(next).slice(0, 63)}z`, height: 5 };
    const tx_hash = hex64(next);
    list[4] = {
      get tx_hash() {
        const utxo = [{ tx_hash, tx_pos: 0, height: 1, value: 1 }];
        if (!listunspent(utxo) || !listunspentFast(utxo)) throw new Error('the inner check failed');
        return tx_hash;
      },
      height: 5,
    };
    for (const check of [c.mine, c.fast]) expect(check(list)).toBe(false);
    expect(formatErrors(c.mine.errors, 'result')).toContain('result[3].tx_hash: must match pattern "^[0-9a-fA-F]{64}$"');
  });
});
