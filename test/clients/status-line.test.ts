// The scripthash status notification read from its line (electrum-status-lines.ts) against the
// general path (parseMessage, then dispatch): on the exact wire form, on seeded mutations of it, and on
// the spec's examples, both give the same verdict (delivered or refused, with the same error), hand
// listeners the same values and leave the same status in the book. A line the reader does not take
// must leave no trace: the general path then reads it as if the reader were not there.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MethodPlans } from '../../src/clients/electrum-plans.js';
import { ElectrumSubscriptions } from '../../src/clients/electrum-subscriptions.js';
import { electrumShortcuts } from '../../src/clients/electrum-status-lines.js';
import type { ElectrumClientEvents } from '../../src/clients/electrum-types.js';
import { electrumRegistry } from '../../src/clients/electrum-registry.js';
import { electrumProtocol } from '../../src/generated/electrum/methods.js';
import { Emitter } from '../../src/runtime/emitter.js';
import { StratumSdkError } from '../../src/runtime/errors.js';
import { parseMessage } from '../../src/runtime/messages.js';
import type { ClientRegistry } from '../../src/runtime/registry.js';
import { RpcSession } from '../../src/runtime/session.js';

const METHOD = 'blockchain.scripthash.subscribe';
const spec = JSON.parse(readFileSync(new URL(`../../spec/electrum/${METHOD}.json`, import.meta.url), 'utf8')) as {
  examples: { params?: unknown[]; notification?: unknown[] }[];
  invalidExamples: { notification?: unknown[] }[];
};

/** Seeded: the same mutations on every run. */
function random(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
}

const hexOf = (next: (n: number) => number, digits = '0123456789abcdef') => Array.from({ length: 64 }, () => digits[next(digits.length)]).join('');
const next = random(20261203);
/** Subscribed keys: lowercase ones, an uppercase one, the spec's example key. */
const SPEC_KEY = spec.examples.find((e) => e.params)?.params?.[0] as string;
const KEYS = [...Array.from({ length: 6 }, () => hexOf(next)), hexOf(next, '0123456789ABCDEF'), SPEC_KEY];
const UNSUBSCRIBED = hexOf(next);
const exact = (key: string, status: string | null) => `{"jsonrpc":"2.0","method":"${METHOD}","params":["${key}",${status === null ? 'null' : `"${status}"`}]}`;

/** Seeded mutations of exact lines, at the JSON text's every kind of edge. */
function mutatedLines(count: number): string[] {
  const n = random(7);
  const pick = <T>(items: readonly T[]): T => items[n(items.length)] as T;
  const chars = ['0', '9', 'a', 'f', 'A', 'F', 'g', ' ', '\t', '"', '\\', ',', ':', '[', ']', '{', '}', 'n', 'u', 'l', '1', '-', 'e', '.', '\u00e9', '\u0000'];
  const edits: ((line: string) => string)[] = [
    // a character replaced, inserted or deleted anywhere
    (l) => { const at = n(l.length); return `${l.slice(0, at)}${pick(chars)}${l.slice(at + 1)}`; },
    (l) => { const at = n(l.length + 1); return `${l.slice(0, at)}${pick(chars)}${l.slice(at)}`; },
    (l) => { const at = n(l.length); return `${l.slice(0, at)}${l.slice(at + 1)}`; },
    // whitespace between tokens
    (l) => l.replace(pick([':', ',', '[', '{']), (c) => `${c}${pick([' ', '\t', '\r', ' \n'.trim() || ' '])}`),
    (l) => ` ${l}`,
    (l) => `${l} `,
    // a hex digit written as an escape (the same string value) or in the other case
    (l) => { const at = 71 + n(64); return `${l.slice(0, at)}\\u00${l.charCodeAt(at).toString(16)}${l.slice(at + 1)}`; },
    (l) => { const at = 138 + n(64); return at < l.length - 3 ? `${l.slice(0, at)}\\u${l.charCodeAt(at).toString(16).padStart(4, '0')}${l.slice(at + 1)}` : l; },
    (l) => `${l.slice(0, 71)}${l.slice(71, 135).toUpperCase()}${l.slice(135)}`,
    (l) => `${l.slice(0, 138)}${l.slice(138, 202).toUpperCase()}${l.slice(202)}`,
    (l) => l.replace('/', '\\/'),
    // key order, duplicate keys, other members
    (l) => `{"method":"${METHOD}","jsonrpc":"2.0",${l.slice(l.indexOf('"params"'))}`,
    (l) => `{"params":${l.slice(l.indexOf('['), -1)},"jsonrpc":"2.0","method":"${METHOD}"}`,
    (l) => `${l.slice(0, -1)},"params":["${pick(KEYS)}",null]}`,
    (l) => `${l.slice(0, -1)},"id":${pick(['null', '1', '"x"'])}}`,
    (l) => `{"jsonrpc":"2.0","jsonrpc":"2.0",${l.slice(17)}`,
    (l) => l.replace('"2.0"', pick(['"1.0"', '2.0', '"2.00"'])),
    (l) => l.replace(METHOD, pick(['blockchain.scripthash.subscribE', 'blockchain.headers.subscribe', 'blockchain.scripthash.unsubscribe', `${METHOD} `, 'blockchain.scriptpubkey.subscribe'])),
    // lengths, extra params, numbers, nested values
    (l) => l.replace(/"\]\}$|null\]\}$/, (tail) => (tail.startsWith('null') ? `null,${pick(['null', '1', '"x"'])}]}` : `",${pick(['null', '1', '[]'])}]}`)),
    (l) => l.replace(/\["([0-9a-fA-F]{64})"/, (_m, key: string) => `["${pick([key.slice(1), `${key}0`, key.slice(0, 63) + 'g'])}"`),
    (l) => l.replace(/,"([0-9a-fA-F]{64})"\]/, (_m, status: string) => `,"${pick([status.slice(1), `${status}0`, status.slice(0, 63) + 'G'])}"]`),
    (l) => l.replace(/,("[0-9a-fA-F]{64}"|null)\]/, `,${pick(['1', '0', '-1', '1e3', 'true', 'false', '[null]', '{}', '["x"]', `["${KEYS[0]}"]`, '""'])}]`),
    (l) => l.replace(/\["([0-9a-fA-F]{64})"/, `[${pick(['1', 'null', `["${KEYS[0]}"]`, `{"k":"${KEYS[0]}"}`])}`),
    (l) => l.replace(/"params":\[.*\]\}$/, pick(['"params":[]}', `"params":["${KEYS[0]}"]}`, `"params":{"scripthash":"${KEYS[0]}","status":null}}`, '"params":null}'])),
    (l) => l.replace(`["${l.slice(71, 135)}"`, `["${UNSUBSCRIBED}"`),
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let line = exact(pick(KEYS), n(4) === 0 ? null : hexOf(n));
    for (let k = 1 + n(2); k > 0; k--) line = pick(edits)(line);
    out.push(line);
  }
  return out;
}

type Seen = unknown[];

/** One client's subscriptions, with what reached its listeners and its protocol errors. */
function side(protocol: ClientRegistry<string>, validate: boolean, version: string) {
  const events = new Emitter<ElectrumClientEvents<string>>();
  const seen: Seen = [];
  events.on(METHOD as never, ((...args: unknown[]) => seen.push(['notification', ...args])) as never);
  events.on('protocol-error', (e) => seen.push(['error', (e as StratumSdkError).code, (e as StratumSdkError).message, (e as { excerpt?: string }).excerpt, (e as { errors?: unknown }).errors]));
  const plans = new MethodPlans(protocol, validate);
  const subs = new ElectrumSubscriptions({ protocol, plans, validate, bufferLimit: 100, events, current: () => undefined, shortcuts: electrumShortcuts });
  const readLine = electrumShortcuts.lineReader(subs);
  for (const [i, key] of KEYS.entries()) subs.answered(plans.plan(METHOD, version), METHOD, [key], i % 3 === 0 ? null : 'ab'.repeat(32));
  const general = (line: string) => {
    const message = parseMessage(line);
    if (message.type === 'notification') subs.dispatch(message.method, message.params, version);
    else seen.push(['not a notification', message.type]);
  };
  const statuses = () => KEYS.map((k) => subs.value(METHOD, 1, [k]));
  return { subs, readLine, seen, general, statuses };
}

function compare(lines: readonly string[], protocol: ClientRegistry<string>, validate: boolean, version: string) {
  const fast = side(protocol, validate, version);
  const general = side(protocol, validate, version);
  let taken = 0;
  for (const line of lines) {
    const before = fast.seen.length;
    if (fast.readLine(line, version)) {
      taken++;
      // Taken: what the parser makes of the line is exactly the notification delivered.
      expect(parseMessage(line)).toEqual({ type: 'notification', method: METHOD, params: (fast.seen[before] as unknown[]).slice(1), dialect: '2.0' });
    } else fast.general(line);
    general.general(line);
    if (JSON.stringify(fast.seen.slice(before)) !== JSON.stringify(general.seen.slice(before))) {
      throw new Error(`different outcomes for ${JSON.stringify(line)}: ${JSON.stringify(fast.seen.slice(before))} against ${JSON.stringify(general.seen.slice(before))}`);
    }
    expect(fast.statuses()).toEqual(general.statuses());
  }
  expect(fast.seen).toEqual(general.seen);
  return taken;
}

const exactLines = KEYS.flatMap((key) => [exact(key, hexOf(next)), exact(key, null), exact(key, 'f'.repeat(64)), exact(key, '0'.repeat(64))]);
const specLines = [...spec.examples, ...spec.invalidExamples].flatMap((e) => (e.notification ? [exact(SPEC_KEY, null).replace(/"params":.*$/, `"params":${JSON.stringify(e.notification)}}`)] : []));
const mutated = mutatedLines(6000);

describe('the status notification read from its line', () => {
  it('takes the exact form, and the spec\'s examples written in it, with the general path\'s outcome', () => {
    expect(specLines.length).toBe(3);
    expect(specLines[0]).toBe(exact(SPEC_KEY, spec.examples[0]!.notification![1] as string));
    const taken = compare([...exactLines, ...specLines, ...exactLines], electrumProtocol, true, '1.4');
    // Every exact line of a subscribed key with a lowercase status or null; the uppercase status goes the general way.
    expect(taken).toBe(2 * exactLines.length + 2);
  });

  it.each([
    ['validating, 1.4', electrumProtocol, true, '1.4'],
    ['validating, 1.6', electrumProtocol, true, '1.6'],
    ['validating, 1.7 (where blockchain.scriptpubkey.subscribe notifications have the same form)', electrumProtocol, true, '1.7'],
    ['not validating', electrumProtocol, false, '1.4'],
  ] as const)('gives the same outcome as the general path on thousands of seeded mutations (%s)', (_label, protocol, validate, version) => {
    const taken = compare([...mutated, ...exactLines], protocol, validate, version);
    // Every exact line with a lowercase status or null, and the few mutations that keep that form; most do not.
    expect(taken).toBeGreaterThan(2 * exactLines.length * (3 / 4));
    expect(taken).toBeLessThan(mutated.length / 4);
  });

  it('is not used by a lean client validating without the notification\'s validator (its check is not the shape\'s)', () => {
    expect(compare([...mutated.slice(0, 500), ...exactLines], electrumRegistry(), true, '1.4')).toBe(0);
  });

  it('takes no line whose envelope differs from the exact form in any one character', () => {
    const lines: string[] = [];
    for (const line of [exact(KEYS[0]!, 'ab'.repeat(32)), exact(KEYS[1]!, null)]) {
      for (let at = 0; at < line.length; at++) {
        if (at >= 71 && at < 135) continue; // the key: another key, the book's to tell
        if (line.length > 143 && at >= 138 && at < 202) continue; // the status: any lowercase hex digit is one
        for (const c of ['x', ' ', '"', '0', '\u00e9', '\u0100', '\ud800']) if (c !== line[at]) lines.push(`${line.slice(0, at)}${c}${line.slice(at + 1)}`);
      }
    }
    expect(lines.length).toBeGreaterThan(7 * 140);
    expect(compare(lines, electrumProtocol, true, '1.4')).toBe(0);
  });

  it('leaves a line to the general path while a key not of 64 hex digits is subscribed under the method', () => {
    const s = side(electrumProtocol, false, '1.4');
    s.subs.answered(new MethodPlans(electrumProtocol, false).plan(METHOD, '1.4'), METHOD, ['not-hex'], null);
    expect(s.readLine(exact(KEYS[0]!, 'ab'.repeat(32)), '1.4')).toBe(false);
    expect(s.seen).toEqual([]);
  });

  it('is not consulted by a session whose depth limit refuses the message', () => {
    const errors: unknown[] = [];
    const reader = (text: string) => text.length > 0;
    const make = (maxDepth: number | undefined) => {
      const session = new RpcSession({ dialect: '2.0', send: () => undefined, timeout: 1000, onNotification: () => undefined, onRequest: () => undefined, onProtocolError: (e) => errors.push((e as { kind?: string }).kind) });
      session.lineReader = reader;
      session.receive(exact(KEYS[0]!, null), maxDepth === undefined ? undefined : { maxDepth });
    };
    make(2);
    make(undefined);
    expect(errors).toEqual([]);
    make(1);
    expect(errors).toEqual(['too-deep']);
  });
});
