// The hex decoding a wallet's sync runs on every txid, merkle node and transaction (src/bitcoin/bytes.ts): the fast
// paths give what the plain decoding gives, and refuse what it refuses with the same errors.
import { describe, expect, it } from 'vitest';
import { bytesToHex, hashFromHex, hashFromHexInto, hashIsHex, hashToHex, hexInto, hexToBytes, reverseBytes } from '../../src/bitcoin/bytes.js';
import { SHA256D_THROUGH_BLOCK, sha256, sha256d, sha256dInto } from '../../src/bitcoin/hash.js';
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

  it('decodes into a buffer, and compares a hash with its hex, as the allocating functions do', () => {
    const next = random(11);
    for (let n = 0; n < 300; n++) {
      const bytes = Uint8Array.from({ length: Math.floor(next() * 70) }, () => Math.floor(next() * 256));
      // A buffer too short for the digits themselves: decoded a character at a time, the rest left alone.
      const tight = new Uint8Array(bytes.length + 1).fill(9);
      expect(hexInto(bytesToHex(bytes).toUpperCase(), tight)).toBe(true);
      expect(tight.subarray(0, bytes.length)).toEqual(bytes);
      if (bytes.length > 1) expect(tight[bytes.length]).toBe(9);
      // Room for the digits: copied in by the encoder and decoded in place.
      const roomy = new Uint8Array(bytes.length * 2 + 3).fill(9);
      expect(hexInto(bytesToHex(bytes).toUpperCase(), roomy)).toBe(true);
      expect(roomy.subarray(0, bytes.length)).toEqual(bytes);
      const hash = bytes.length >= 32 ? bytes.subarray(0, 32) : new Uint8Array(32);
      const display = hashToHex(hash);
      expect(hashIsHex(hash, display)).toBe(true);
      expect(hashIsHex(hash, display.toUpperCase())).toBe(true);
      // One digit off anywhere, another length, junk: not that hash.
      const at = Math.floor(next() * 64);
      const other = display.slice(0, at) + (display[at] === '0' ? '1' : '0') + display.slice(at + 1);
      expect(hashIsHex(hash, other)).toBe(false);
      expect(hashIsHex(hash, display.slice(2))).toBe(false);
      expect(hashIsHex(hash, `${display.slice(0, at)}g${display.slice(at + 1)}`)).toBe(false);
    }
    for (const bad of ['0', 'zz', '0g', 'ab\u00e9f', '\u0660\u0660', '\ud800a', 'a\u0100', '0\u00b0', '\u0130a', '0\u0000']) {
      expect(hexInto(bad, new Uint8Array(8))).toBe(false);
      expect(hexInto(bad, new Uint8Array(bad.length >> 1))).toBe(false);
    }
    expect(hexInto('abcd', new Uint8Array(1))).toBe(false); // does not fit
    expect(hashIsHex(new Uint8Array(31), '00'.repeat(31))).toBe(false);
  });

  it('hexInto takes and refuses what hexToBytes does, and decodes the same bytes, either way (seeded fuzz)', () => {
    const next = random(23);
    const alphabet = '0123456789abcdefABCDEF0123456789abcdefg G/:@`\u0000\u007f\u0080\u00e9\u0130\u0660\ud800\udc00\uff10';
    for (let n = 0; n < 3000; n++) {
      const length = Math.floor(next() * 40);
      // Mostly digits, so that many strings are hex and the bad ones have one bad character among good ones.
      const junk = next() < 0.5;
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * (junk && next() < 0.1 ? alphabet.length : 22))];
      let expected: Uint8Array | undefined;
      try {
        expected = hexToBytes(text);
      } catch {
        expected = undefined;
      }
      for (const room of [text.length >> 1, text.length, text.length + 7]) {
        const out = new Uint8Array(room);
        expect(hexInto(text, out)).toBe(expected !== undefined);
        if (expected !== undefined) expect(out.subarray(0, expected.length)).toEqual(expected);
      }
    }
  });

  it('sha256dInto gives sha256d, of one piece or two, written over its own input too', () => {
    const next = random(5);
    for (let n = 0; n < 200; n++) {
      const data = Uint8Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256));
      const out = new Uint8Array(32);
      sha256dInto(data, out);
      expect(out).toEqual(sha256d(data));
      const cut = Math.floor(next() * (data.length + 1));
      sha256dInto(data.subarray(0, cut), out, data.subarray(cut));
      expect(out).toEqual(sha256d(data));
      // A merkle node: the parent written over one of its children.
      const pair = Uint8Array.from({ length: 64 }, () => Math.floor(next() * 256));
      const parent = sha256d(pair);
      sha256dInto(pair.subarray(0, 32), pair.subarray(32), pair.subarray(32));
      expect(pair.subarray(32)).toEqual(parent);
    }
  });

  it('sha256dInto is noble\'s SHA-256 applied twice, call after call (its digests pass through the hasher\'s own buffer)', () => {
    expect(SHA256D_THROUGH_BLOCK).toBe(true); // the installed noble takes the way tested here
    const next = random(11);
    const out = new Uint8Array(40).fill(9);
    for (let n = 0; n < 300; n++) {
      const data = Uint8Array.from({ length: Math.floor(next() * 300) }, () => Math.floor(next() * 256));
      const expected = sha256(sha256(data));
      sha256dInto(data, out);
      expect(out.subarray(0, 32)).toEqual(expected);
      expect([...out.subarray(32)]).toEqual([9, 9, 9, 9, 9, 9, 9, 9]);
      // Interleaved with the other users of noble's hasher, which must neither disturb it nor be disturbed.
      expect(sha256d(data)).toEqual(expected);
      const cut = Math.floor(next() * (data.length + 1));
      sha256dInto(data.subarray(0, cut), out, data.subarray(cut));
      expect(out.subarray(0, 32)).toEqual(expected);
    }
  });
});
