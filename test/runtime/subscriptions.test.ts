import { describe, expect, it } from 'vitest';
import { sameValue } from '../../src/runtime/same-value.js';
import { keyArity, SubscriptionBook, subscriptionKey } from '../../src/runtime/subscriptions.js';
import { electrumProtocol } from '../../src/electrum.js';

const arity = (m: string) => keyArity(electrumProtocol.get(m) ?? { notificationParams: [] });

describe('subscription keys', () => {
  it('are the params a notification repeats before its value', () => {
    expect(arity('blockchain.scripthash.subscribe')).toBe(1);
    expect(arity('blockchain.headers.subscribe')).toBe(0);
    expect(arity('blockchain.outpoint.subscribe')).toBe(2);
  });

  it('use a lone string as it is and JSON otherwise', () => {
    expect(subscriptionKey([])).toBe('');
    expect(subscriptionKey(['ab'])).toBe('ab');
    expect(subscriptionKey(['ab', 1])).toBe('["ab",1]');
  });
});

describe('SubscriptionBook', () => {
  it('records, updates from notifications, and removes', () => {
    const book = new SubscriptionBook();
    book.record('blockchain.outpoint.subscribe', 2, ['tx', 0, 'spk-hint'], { height: 1 });
    book.record('blockchain.scripthash.subscribe', 1, ['sh'], 'a');
    book.update('blockchain.scripthash.subscribe', ['sh', 'b']);
    book.update('blockchain.scripthash.subscribe', ['other', 'c']); // not subscribed: ignored
    book.update('blockchain.outpoint.subscribe', ['tx', 0, { height: 2 }]);
    expect([...book.entries()]).toEqual([
      { method: 'blockchain.outpoint.subscribe', params: ['tx', 0, 'spk-hint'], value: { height: 2 } },
      { method: 'blockchain.scripthash.subscribe', params: ['sh'], value: 'b' },
    ]);
    expect(book.remove('blockchain.outpoint.subscribe', 2, ['tx', 0])).toBe(true);
    expect(book.size).toBe(1);
  });
});

describe('sameValue', () => {
  it('compares JSON values whatever the key order', () => {
    expect(sameValue({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameValue([1], { 0: 1 })).toBe(false);
    expect(sameValue(null, 'x')).toBe(false);
  });
});

describe('SubscriptionBook keeps values exactly, however it stores them', () => {
  // Statuses (64 lowercase hex digits) are kept as 32 bytes in a slot; numbers wrapped; everything else as it came. What the book
  // gives back (value(), entries()) must be what it was given, for every kind of value.
  const SH = 'ab'.repeat(32);
  const values: unknown[] = [
    null,
    '0123456789abcdef'.repeat(4),
    'f'.repeat(64),
    '0'.repeat(64),
    'ABCDEF0123456789'.repeat(4), // upper case: not packed
    `${'a'.repeat(63)}g`, // not hex
    'a'.repeat(63),
    'a'.repeat(65),
    `\u0001${'x'.repeat(32)}`, // what the book once kept a packed status as
    `\u0001${'\u00ff'.repeat(32)}`,
    '',
    5,
    { height: 1, hex: '00' },
    ['a', 1],
  ];
  it.each(values.map((v) => [JSON.stringify(v), v]))('%s: recorded, then updated, reads back unchanged', (_label, value) => {
    const book = new SubscriptionBook();
    book.record('blockchain.scripthash.subscribe', 1, [SH], value);
    expect(book.value('blockchain.scripthash.subscribe', 1, [SH])).toEqual(value);
    expect([...book.entries()]).toEqual([{ method: 'blockchain.scripthash.subscribe', params: [SH], value }]);
    book.update('blockchain.scripthash.subscribe', [SH, 'c'.repeat(64)], 1);
    expect(book.value('blockchain.scripthash.subscribe', 1, [SH])).toBe('c'.repeat(64));
    book.update('blockchain.scripthash.subscribe', [SH, value], 1);
    expect(book.value('blockchain.scripthash.subscribe', 1, [SH])).toEqual(value);
    expect(book.has('blockchain.scripthash.subscribe', 1, [SH])).toBe(true);
  });
});

describe('SubscriptionBook under many records, updates and removals (seeded)', () => {
  it('reads back what a plain Map of the same operations holds, with status slots freed and reused', () => {
    let seed = 12345;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const hex = () => Array.from({ length: 64 }, () => '0123456789abcdef'[next(16)]).join('');
    const kinds = [hex, hex, hex, () => null, () => hex().toUpperCase(), () => 7, () => ({ height: next(100) })];
    const value = () => kinds[next(kinds.length)]!();
    const M = 'blockchain.scripthash.subscribe';
    const keys = Array.from({ length: 300 }, (_, i) => i.toString(16).padStart(64, '0'));
    const book = new SubscriptionBook();
    const reference = new Map<string, unknown>();
    for (let op = 0; op < 20_000; op++) {
      const key = keys[next(keys.length)]!;
      const roll = next(10);
      if (roll < 3) {
        const v = value();
        book.record(M, 1, [key], v);
        reference.set(key, v);
      } else if (roll < 8) {
        const v = value();
        book.update(M, [key, v], 1);
        if (reference.has(key)) reference.set(key, v);
      } else {
        expect(book.remove(M, 1, [key])).toBe(reference.delete(key));
      }
      if (op % 1000 === 0 || op === 19_999) {
        expect(book.size).toBe(reference.size);
        for (const k of keys) {
          expect(book.has(M, 1, [k])).toBe(reference.has(k));
          expect(book.value(M, 1, [k])).toEqual(reference.get(k));
        }
        expect(new Map([...book.entries()].map((e) => [e.params[0], e.value]))).toEqual(reference);
      }
    }
  });
});
