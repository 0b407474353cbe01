// The hex decoding a wallet's sync runs on every txid, merkle node and transaction (src/bitcoin/bytes.ts): the fast
// paths give what the plain decoding gives, and refuse what it refuses with the same errors.
import { describe, expect, it } from 'vitest';
import { bytesToHex, hashFromHex, hashFromHexInto, hashToHex, hexToBytes, reverseBytes } from '../../src/bitcoin/bytes.js';
import { BitcoinError } from '../../src/bitcoin/errors.js';

/** Seeded, so a failure can be replayed. */
function random(seed: number) {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

describe('hex decoding', () => {
  it('decodes hashes (either case) to the reverse of their bytes, and back', () => {
    const next = random(7);
    for (let n = 0; n < 500; n++) {
      const bytes = Uint8Array.from({ length: 32 }, () => Math.floor(next() * 256));
      const display = bytesToHex(reverseBytes(bytes));
      expect(hashFromHex(display)).toEqual(bytes);
      expect(hashFromHex(display.toUpperCase())).toEqual(bytes);
      expect(hashToHex(hashFromHex(display))).toBe(display);
      expect(hexToBytes(display)).toEqual(reverseBytes(bytes));
      const into = new Uint8Array(40).fill(7);
      hashFromHexInto(display.toUpperCase(), into, 5);
      expect([...into.subarray(0, 5), ...into.subarray(37)]).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
      expect(into.subarray(5, 37)).toEqual(bytes);
    }
  });

  it('refuses what is not 32 bytes of hex, naming the value, with the reasons it always had', () => {
    const good = 'ab'.repeat(32);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(BitcoinError);
        expect((e as Error).message).toContain('txid');
        return (e as BitcoinError).reason;
      }
      return 'accepted';
    };
    for (const at of [0, 1, 31, 62, 63]) {
      for (const bad of ['g', 'z', ' ', '-', '\u00e9', '\u0660']) expect(code(() => hashFromHex(good.slice(0, at) + bad + good.slice(at + 1), 'txid'))).toBe('bad-hex');
    }
    expect(code(() => hashFromHex(good.slice(2), 'txid'))).toBe('bad-length');
    for (const bad of [`${good.slice(0, 63)}g`, `g${good.slice(1)}`, good.slice(2)]) {
      expect(code(() => hashFromHexInto(bad, new Uint8Array(32), 0, 'txid'))).toBe(code(() => hashFromHex(bad, 'txid')));
    }
    expect(code(() => hashFromHexInto(good, new Uint8Array(32), 1, 'txid'))).toBe('bad-argument');
    expect(code(() => hashFromHexInto(good, new Uint8Array(32), -1, 'txid'))).toBe('bad-argument');
    expect(code(() => hashFromHex(`${good}ab`, 'txid'))).toBe('bad-length');
    expect(code(() => hashFromHex(good.slice(1), 'txid'))).toBe('bad-hex');
    expect(code(() => hashFromHex(`${good.slice(2)}zz`.slice(2), 'txid'))).toBe('bad-hex');
    expect(code(() => hexToBytes('0g', 'txid'))).toBe('bad-hex');
    expect(code(() => hexToBytes('abc', 'txid'))).toBe('bad-hex');
    expect(code(() => hexToBytes('abcd', 'txid', 1))).toBe('bad-length');
    expect(code(() => hexToBytes('ab', 'txid', 1))).toBe('accepted');
  });
});
