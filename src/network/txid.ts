// The txid of a raw transaction without building the transaction: the offsets of its parts are read, and the
// non-witness serialization (version, inputs and outputs, locktime) is hashed. Checking the 20,000 transactions of a
// wallet's sync against their txids with the full parser cost about as much as fetching them. Written as plain
// loops over the bytes, without a closure per call, as it runs once for each transaction of a sync.
import { hashToHex, hexToBytes } from '../bitcoin/bytes.js';
import { sha256d } from '../bitcoin/hash.js';

/** Where the last varint read ended; -1 when it ran past the end or does not fit a length. */
let end = 0;

/** The varint at `o` of `b` (its end in `end`), or -1 with `end` -1. */
function varint(b: Uint8Array, o: number): number {
  const first = b[o];
  if (first === undefined) return (end = -1);
  if (first < 0xfd) {
    end = o + 1;
    return first;
  }
  const size = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
  if (o + 1 + size > b.length) return (end = -1);
  let n = 0;
  for (let i = size; i >= 1; i--) n = n * 256 + (b[o + i] as number);
  if (!Number.isSafeInteger(n) || n > b.length) return (end = -1);
  end = o + 1 + size;
  return n;
}

/** The txid (display hex) of a raw transaction (hex), or undefined when it is not one transaction exactly. */
export function txidOfRaw(raw: string): string | undefined {
  let b: Uint8Array;
  try {
    b = hexToBytes(raw, 'transaction');
  } catch {
    return undefined;
  }
  const segwit = b[4] === 0 && b[5] === 1;
  const bodyStart = segwit ? 6 : 4;
  const inputs = varint(b, bodyStart);
  let o = end;
  for (let i = 0; i < inputs && o >= 0; i++) {
    const script = varint(b, o + 36);
    o = end < 0 ? -1 : end + script + 4;
  }
  if (o < 0) return undefined;
  const outputs = varint(b, o);
  o = end;
  for (let i = 0; i < outputs && o >= 0; i++) {
    const script = varint(b, o + 8);
    o = end < 0 ? -1 : end + script;
  }
  if (o < 0) return undefined;
  const bodyEnd = o;
  if (segwit) {
    for (let i = 0; i < inputs && o >= 0; i++) {
      const items = varint(b, o);
      o = end;
      for (let j = 0; j < items && o >= 0; j++) {
        const item = varint(b, o);
        o = end < 0 ? -1 : end + item;
      }
    }
    if (o < 0) return undefined;
  }
  if (bodyEnd > b.length || o + 4 !== b.length || inputs === 0 || outputs === 0) return undefined;
  if (!segwit) return hashToHex(sha256d(b));
  const stripped = new Uint8Array(4 + (bodyEnd - bodyStart) + 4);
  stripped.set(b.subarray(0, 4), 0);
  stripped.set(b.subarray(bodyStart, bodyEnd), 4);
  stripped.set(b.subarray(o, o + 4), 4 + (bodyEnd - bodyStart));
  return hashToHex(sha256d(stripped));
}
