// The txid of a raw transaction without building the transaction: the offsets of its parts are read, and the
// non-witness serialization (version, inputs and outputs, locktime) is hashed. Checking the 20,000 transactions of a
// wallet's sync against their txids with the full parser cost about as much as fetching them.
import { hashToHex, hexToBytes } from '../bitcoin/bytes.js';
import { sha256d } from '../bitcoin/hash.js';

/** The txid (display hex) of a raw transaction (hex), or undefined when it is not one transaction exactly. */
export function txidOfRaw(raw: string): string | undefined {
  let b: Uint8Array;
  try {
    b = hexToBytes(raw, 'transaction');
  } catch {
    return undefined;
  }
  let o = 4;
  const varint = (): number => {
    const first = b[o];
    if (first === undefined) throw new RangeError('short');
    if (first < 0xfd) {
      o += 1;
      return first;
    }
    const size = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
    if (o + 1 + size > b.length) throw new RangeError('short');
    let n = 0;
    for (let i = size; i >= 1; i--) n = n * 256 + (b[o + i] as number);
    o += 1 + size;
    if (!Number.isSafeInteger(n) || n > b.length) throw new RangeError('too long');
    return n;
  };
  try {
    const segwit = b[4] === 0 && b[5] === 1;
    if (segwit) o = 6;
    const bodyStart = o;
    const inputs = varint();
    for (let i = 0; i < inputs; i++) {
      o += 36;
      const script = varint(); // read before `o +=` reads o
      o += script + 4;
    }
    const outputs = varint();
    for (let i = 0; i < outputs; i++) {
      o += 8;
      const script = varint();
      o += script;
    }
    const bodyEnd = o;
    if (segwit) {
      for (let i = 0; i < inputs; i++) {
        const items = varint();
        for (let j = 0; j < items; j++) {
          const item = varint();
          o += item;
        }
      }
    }
    if (bodyEnd > b.length || o + 4 !== b.length || inputs === 0 || outputs === 0) return undefined;
    if (!segwit) return hashToHex(sha256d(b));
    const stripped = new Uint8Array(4 + (bodyEnd - bodyStart) + 4);
    stripped.set(b.subarray(0, 4), 0);
    stripped.set(b.subarray(bodyStart, bodyEnd), 4);
    stripped.set(b.subarray(o, o + 4), 4 + (bodyEnd - bodyStart));
    return hashToHex(sha256d(stripped));
  } catch {
    return undefined;
  }
}
