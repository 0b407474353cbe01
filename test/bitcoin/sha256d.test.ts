// The sha256d a wallet's sync hashes its txids and merkle nodes with (src/bitcoin/sha256d.ts), held to node:crypto's
// SHA-256 applied twice and to noble's: every length around the padding's edges (55, 56, 63, 64 bytes and on),
// several blocks, written at an offset or over its own input, and the merkle node's shortcut (its padding block's
// schedule worked out once) over both halves.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256d } from '../../src/bitcoin/hash.js';
import { sha256d64, sha256dOf } from '../../src/bitcoin/sha256d.js';

const reference = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(createHash('sha256').update(data).digest()).digest());

/** Seeded, so a failure can be replayed. */
function random(seed: number) {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

describe('sha256dOf', () => {
  it('is SHA-256 applied twice, for every length up to several blocks', () => {
    const next = random(3);
    for (let length = 0; length <= 300; length++) {
      const data = Uint8Array.from({ length: length + 9 }, () => Math.floor(next() * 256));
      const out = new Uint8Array(40).fill(7);
      sha256dOf(data, length, out, 5);
      const expected = reference(data.subarray(0, length));
      expect(out.subarray(5, 37)).toEqual(expected);
      expect([...out.subarray(0, 5), ...out.subarray(37)]).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
      expect(expected).toEqual(sha256d(data.subarray(0, length)));
    }
  });

  it('knows the double hash of nothing and of "abc", and may write over its own input', () => {
    const out = new Uint8Array(32);
    sha256dOf(new Uint8Array(0), 0, out);
    expect(Buffer.from(out).toString('hex')).toBe('5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456');
    const abc = new Uint8Array(64);
    abc.set([0x61, 0x62, 0x63]);
    sha256dOf(abc, 3, abc, 0);
    expect(abc.subarray(0, 32)).toEqual(reference(Uint8Array.from([0x61, 0x62, 0x63])));
  });

  it('refuses a length outside its data', () => {
    expect(() => sha256dOf(new Uint8Array(10), 11, new Uint8Array(32))).toThrow(RangeError);
    expect(() => sha256dOf(new Uint8Array(10), -1, new Uint8Array(32))).toThrow(RangeError);
  });
});

describe('sha256d64', () => {
  it('hashes a merkle node (64 bytes) into either half of its own input, or elsewhere', () => {
    const next = random(8);
    for (let n = 0; n < 200; n++) {
      const buffer = Uint8Array.from({ length: 80 }, () => Math.floor(next() * 256));
      const from = n % 17;
      const expected = reference(buffer.slice(from, from + 64));
      for (const at of [from, from + 32]) {
        const pair = buffer.slice();
        sha256d64(pair, from, pair, at);
        expect(pair.subarray(at, at + 32)).toEqual(expected);
      }
      const out = new Uint8Array(32);
      sha256d64(buffer, from, out, 0);
      expect(out).toEqual(expected);
    }
    expect(() => sha256d64(new Uint8Array(70), 7, new Uint8Array(32), 0)).toThrow(RangeError);
  });
});
