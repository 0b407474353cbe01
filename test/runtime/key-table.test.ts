// KeyTable: the subscription book's string-keyed table, held to a Map over seeded random operations
// (values, sizes, presence and insertion order), through growth, deletions and compactions.
import { describe, expect, it } from 'vitest';
import { KeyTable } from '../../src/runtime/key-table.js';

describe('KeyTable', () => {
  it('behaves as a Map of the same operations, iteration order included', () => {
    let seed = 4242;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    // Script hashes, short and empty keys, JSON keys: every kind of key the book uses.
    const keys = [
      ...Array.from({ length: 400 }, (_, i) => (i * 7919).toString(16).padStart(64, '0')),
      '',
      'a',
      '["tx",0]',
      '__proto__',
      'constructor',
    ];
    const table = new KeyTable<unknown>();
    const map = new Map<string, unknown>();
    for (let op = 0; op < 40_000; op++) {
      const key = keys[next(keys.length)]!;
      // Phases: mostly growing, then mostly shrinking, then mixed, so the table grows and compacts.
      const phase = Math.floor(op / 10_000);
      const roll = next(10);
      const add = phase === 0 ? roll < 8 : phase === 1 ? roll < 2 : roll < 5;
      if (add) {
        const value = next(4) === 0 ? undefined : op;
        table.set(key, value);
        map.set(key, value);
      } else {
        expect(table.delete(key)).toBe(map.delete(key));
      }
      expect(table.size).toBe(map.size);
      if (op % 500 === 0 || op === 39_999) {
        for (const k of keys) {
          expect(table.has(k)).toBe(map.has(k));
          expect(table.get(k)).toBe(map.get(k));
        }
        expect([...table]).toEqual([...map]);
      }
    }
  });

  it('clear() empties it, and it fills again', () => {
    const table = new KeyTable<number>();
    for (let i = 0; i < 1000; i++) table.set(String(i), i);
    expect(table.size).toBe(1000);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get('5')).toBeUndefined();
    expect([...table]).toEqual([]);
    table.set('5', 5);
    expect([...table]).toEqual([['5', 5]]);
  });

  it('keeps a deleted and re-added key at the end of the order, as a Map does', () => {
    const table = new KeyTable<number>();
    table.set('a', 1);
    table.set('b', 2);
    table.set('c', 3);
    table.delete('a');
    table.set('a', 4);
    table.set('b', 5);
    expect([...table]).toEqual([
      ['b', 5],
      ['c', 3],
      ['a', 4],
    ]);
  });
});

describe('KeyTable against keys chosen to collide', () => {
  it('hashes every character once keys that agree on the sampled ones pile up, and still finds each of them', () => {
    // 64-character keys hash 16 characters, every 4th: these 3,000 agree on all of those.
    const keys = Array.from({ length: 3000 }, (_, i) => {
      const varying = i.toString(16).padStart(48, '0');
      let key = '';
      for (let j = 0; j < 16; j++) key += `a${varying.slice(3 * j, 3 * j + 3)}`;
      return key;
    });
    expect(new Set(keys).size).toBe(keys.length);
    const table = new KeyTable<number>();
    keys.forEach((k, i) => table.set(k, i));
    expect(table.hashesEveryCharacter).toBe(true);
    expect(table.size).toBe(keys.length);
    keys.forEach((k, i) => expect(table.get(k)).toBe(i));
    expect([...table].map(([k]) => k)).toEqual(keys);
  });

  it('keeps hashing samples for random script hashes', () => {
    let seed = 99;
    const hex = () =>
      Array.from({ length: 64 }, () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return '0123456789abcdef'[seed >>> 28];
      }).join('');
    const table = new KeyTable<number>();
    for (let i = 0; i < 20_000; i++) table.set(hex(), i);
    expect(table.hashesEveryCharacter).toBe(false);
  });
});
