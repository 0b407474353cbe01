import { describe, expect, it } from 'vitest';
import { keyArity, sameValue, SubscriptionBook, subscriptionKey } from '../../src/runtime/subscriptions.js';
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
  // Statuses (64 lowercase hex digits) are kept packed; everything else as it came. What the book
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
    `\u0001${'x'.repeat(32)}`, // what a packed status looks like
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
