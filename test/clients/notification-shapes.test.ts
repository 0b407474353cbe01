// The hand-written check of blockchain.scripthash.subscribe notifications (electrum-notification-shapes.ts)
// never accepts what the generated validator refuses, so dispatch gives the same verdicts with it: held
// to the generated check over the spec's examples and seeded mutations of them, at every version.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fastNotificationCheck, isHex64, scripthashStatusShape, SHAPE_PROBES } from '../../src/clients/electrum-notification-shapes.js';
import { electrumProtocol } from '../../src/generated/electrum/methods.js';
import { invalid, VALID } from '../../src/runtime/validation.js';

const METHOD = 'blockchain.scripthash.subscribe';
const spec = JSON.parse(readFileSync(new URL(`../../spec/electrum/${METHOD}.json`, import.meta.url), 'utf8')) as {
  notification: { params: { schema: unknown }[] };
  examples: { notification?: unknown[]; params?: unknown[]; result?: unknown }[];
  invalidExamples: { notification?: unknown[]; params?: unknown[]; result?: unknown }[];
};
const definitions = JSON.parse(readFileSync(new URL('../../spec/definitions.json', import.meta.url), 'utf8')) as { $defs: Record<string, unknown> };
const info = electrumProtocol.get(METHOD)!;
const VERSIONS = [undefined, '1.0', '1.1', '1.2', '1.4', '1.4.2', '1.5', '1.6', '1.7'];

/** Seeded mutations of a value: characters swapped, cut or added, items dropped, added or retyped. */
function mutations(seedValues: readonly unknown[][], count: number): unknown[] {
  let seed = 20260101;
  const next = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const chars = ['0', '9', 'a', 'f', 'A', 'F', 'g', 'G', 'z', ' ', '\n', '\u0660', '\uff10', '/', ':', '@', '`', '-', '\u0000', 'é'];
  const others: unknown[] = [null, 5, 0, true, '', [], {}, ['x'], undefined];
  const mutateString = (s: string): string => {
    const at = next(s.length + 1);
    switch (next(5)) {
      case 0:
        return `${s.slice(0, at)}${chars[next(chars.length)]}${s.slice(at + 1)}`;
      case 1:
        return `${s.slice(0, at)}${s.slice(at + 1)}`;
      case 2:
        return `${s.slice(0, at)}${chars[next(chars.length)]}${s.slice(at)}`;
      case 3:
        return next(2) ? s.toUpperCase() : `${s.slice(0, 32).toUpperCase()}${s.slice(32)}`;
      default:
        return s;
    }
  };
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const value = [...(seedValues[next(seedValues.length)] as unknown[])];
    for (let edits = 1 + next(3); edits > 0; edits--) {
      const index = next(Math.max(1, value.length));
      switch (next(6)) {
        case 0:
        case 1:
        case 2:
          if (typeof value[index] === 'string') value[index] = mutateString(value[index] as string);
          break;
        case 3:
          value[index] = others[next(others.length)];
          break;
        case 4:
          if (next(2)) value.splice(index, 1);
          else value.push(next(2) ? value[0] : null);
          break;
        default:
          value[index] = next(2) ? [value[index]] : { value: value[index] };
      }
    }
    out.push(next(10) === 0 ? { ...value } : value);
  }
  return out;
}

const fromSpec = [...spec.examples, ...spec.invalidExamples].flatMap((e) => (e.notification ? [e.notification] : []));
const HEXES = ['0123456789abcdef'.repeat(4), 'ABCDEF0123456789'.repeat(4), 'f'.repeat(64), '0'.repeat(64)];
const samples: unknown[] = [...fromSpec, ...SHAPE_PROBES, ...mutations([...fromSpec.filter((n) => n.length === 2), ...HEXES.map((h) => [h, HEXES[1]]), [HEXES[0], null]], 20_000)];

describe('the scripthash notification fast check', () => {
  it('is written against this schema: the spec\'s [scripthash, status], 64 hex digits each, the status nullable', () => {
    // A change to the spec's notification shape fails here first: the fast check must change with it.
    expect(spec.notification.params.map((p) => p.schema)).toEqual([{ $ref: '../definitions.json#/$defs/scripthash' }, { $ref: '../definitions.json#/$defs/status' }]);
    expect(definitions.$defs['scripthash']).toMatchObject({ type: 'string', pattern: '^[0-9a-fA-F]{64}$' });
    expect(definitions.$defs['status']).toMatchObject({ anyOf: [{ type: 'string', pattern: '^[0-9a-fA-F]{64}$' }, { type: 'null' }] });
  });

  it.each(VERSIONS.map((v) => [v ?? 'any version', v]))('at %s: never accepts what the generated check refuses, and gives the same verdict with it', (_label, version) => {
    const check = info.checksAt(version).validateNotification!;
    const fast = fastNotificationCheck(info.notificationParams, check);
    let fastAccepted = 0;
    let generatedAccepted = 0;
    for (const value of samples) {
      const generated = check(value).valid;
      const withFast = (fast !== undefined && fast(value)) || generated;
      if (withFast !== generated) throw new Error(`different verdicts at ${version} for ${JSON.stringify(value)}`);
      if (fast?.(value)) fastAccepted++;
      if (generated) generatedAccepted++;
    }
    // The notification has no version range of its own in the spec, so the generated check takes it at any version.
    expect(fast).toBe(scripthashStatusShape);
    // The fast path takes every value the generated check accepts among these: it is the path in use.
    expect(fastAccepted).toBe(generatedAccepted);
    expect(generatedAccepted).toBeGreaterThan(1000);
    expect(samples.length - generatedAccepted).toBeGreaterThan(1000);
  });

  it('is not used where the generated check disagrees with it on a probe', () => {
    const lowerOnly = (value: unknown) => (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && /^[0-9a-f]{64}$/.test(value[0]) && (value[1] === null || (typeof value[1] === 'string' && /^[0-9a-f]{64}$/.test(value[1]))) ? VALID : invalid(['no']));
    expect(fastNotificationCheck(info.notificationParams, lowerOnly)).toBeUndefined();
    const headers = electrumProtocol.get('blockchain.headers.subscribe')!;
    expect(fastNotificationCheck(headers.notificationParams, headers.checksAt('1.4').validateNotification!)).toBeUndefined();
    // Offered by the params' names, used only if the check agrees: a check of another shape under those names is left alone.
    expect(fastNotificationCheck(['scripthash', 'status'], headers.checksAt('1.4').validateNotification!)).toBeUndefined();
    expect(info.notificationParams).toEqual(['scripthash', 'status']);
  });

  it('probes each generated check once, however often a plan is worked out again', () => {
    const generated = info.checksAt('1.4').validateNotification!;
    let calls = 0;
    const counted = (value: unknown) => {
      calls++;
      return generated(value);
    };
    expect(fastNotificationCheck(info.notificationParams, counted)).toBe(scripthashStatusShape);
    expect(calls).toBe(SHAPE_PROBES.length);
    expect(fastNotificationCheck(info.notificationParams, counted)).toBe(scripthashStatusShape);
    expect(calls).toBe(SHAPE_PROBES.length);
  });

  it('isHex64 matches the spec\'s pattern over every UTF-16 code unit in each position class', () => {
    const pattern = /^[0-9a-fA-F]{64}$/;
    const base = 'a'.repeat(64);
    for (let c = 0; c < 0x10000; c++) {
      const s = `${base.slice(0, 63)}${String.fromCharCode(c)}`;
      expect(isHex64(s)).toBe(pattern.test(s));
    }
    for (const s of ['', 'a'.repeat(63), 'a'.repeat(65), `${base}\n`]) expect(isHex64(s)).toBe(false);
    expect(isHex64(null)).toBe(false);
  });
});
