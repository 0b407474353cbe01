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
