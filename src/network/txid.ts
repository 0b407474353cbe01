// The txid of a raw transaction without building the transaction: the offsets of its parts are read, and the
// non-witness serialization (version, inputs and outputs, locktime) is hashed. Checking the 20,000 transactions of a
// wallet's sync against their txids with the full parser cost about as much as fetching them. Written as plain
// loops over the bytes, without a closure per call, as it runs once for each transaction of a sync; the hex is
// decoded into one reused buffer and the txid compared as bytes, so that a check allocates next to nothing.
import { hashIsHex, hashToHex, hexInto } from '../bitcoin/bytes.js';
import { sha256dInto } from '../bitcoin/hash.js';

/**
 * The largest reused buffer (bytes; it holds a transaction's hex digits, two a byte); a larger transaction gets a
 * buffer of its own, so that one big transaction does not keep megabytes for the rest of the process.
 */
const SCRATCH_LIMIT = 256 * 1024;
let scratch = new Uint8Array(4096);
/** The last txid computed (internal byte order). */
const hash = new Uint8Array(32);

/** Where the last varint read ended; -1 when it ran past the end or does not fit a length. */
let end = 0;

/** The varint at `o` of the first `length` bytes of `b` (its end in `end`), or -1 with `end` -1. */
function varint(b: Uint8Array, length: number, o: number): number {
  if (o < 0 || o >= length) return (end = -1);
  const first = b[o] as number;
  if (first < 0xfd) {
    end = o + 1;
    return first;
  }
  const size = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
  if (o + 1 + size > length) return (end = -1);
  let n = 0;
  for (let i = size; i >= 1; i--) n = n * 256 + (b[o + i] as number);
  if (!Number.isSafeInteger(n) || n > length) return (end = -1);
  end = o + 1 + size;
  return n;
}

/** Puts the txid (internal byte order) of a raw transaction (hex) in `hash`; false when it is not one transaction exactly. */
function hashRaw(raw: string): boolean {
  if (typeof raw !== 'string' || raw.length % 2 !== 0) return false;
  const length = raw.length / 2;
  // Room for the hex digits themselves, which hexInto then decodes in place (see there).
  let b = scratch;
  if (raw.length > b.length) {
    b = new Uint8Array(raw.length);
    if (raw.length <= SCRATCH_LIMIT) scratch = b;
  }
  if (!hexInto(raw, b)) return false;
  const segwit = length > 6 && b[4] === 0 && b[5] === 1;
  const bodyStart = segwit ? 6 : 4;
  const inputs = varint(b, length, bodyStart);
  let o = end;
  for (let i = 0; i < inputs && o >= 0; i++) {
    const script = varint(b, length, o + 36);
    o = end < 0 ? -1 : end + script + 4;
  }
  if (o < 0) return false;
  const outputs = varint(b, length, o);
  o = end;
  for (let i = 0; i < outputs && o >= 0; i++) {
    const script = varint(b, length, o + 8);
    o = end < 0 ? -1 : end + script;
  }
  if (o < 0) return false;
  const bodyEnd = o;
  if (segwit) {
    for (let i = 0; i < inputs && o >= 0; i++) {
      const items = varint(b, length, o);
      o = end;
      for (let j = 0; j < items && o >= 0; j++) {
        const item = varint(b, length, o);
        o = end < 0 ? -1 : end + item;
      }
    }
    if (o < 0) return false;
  }
  if (bodyEnd > length || o + 4 !== length || inputs === 0 || outputs === 0) return false;
  if (segwit) {
    // The non-witness serialization, moved together in place: the body over the marker and flag, the locktime after.
    b.copyWithin(4, bodyStart, bodyEnd);
    b.copyWithin(4 + (bodyEnd - bodyStart), o, o + 4);
  }
  sha256dInto(b.subarray(0, segwit ? 4 + (bodyEnd - bodyStart) + 4 : length), hash);
  return true;
}

/** The txid (internal byte order) of a raw transaction (hex), or undefined when it is not one transaction exactly. */
export function rawTxid(raw: string): Uint8Array | undefined {
  return hashRaw(raw) ? hash.slice() : undefined;
}

/** The txid (display hex) of a raw transaction (hex), or undefined when it is not one transaction exactly. */
export function txidOfRaw(raw: string): string | undefined {
  return hashRaw(raw) ? hashToHex(hash) : undefined;
}

/** Whether a raw transaction (hex) is one transaction exactly, whose txid is `txid` (display hex, either case). */
export function rawHasTxid(raw: string, txid: string): boolean {
  return hashRaw(raw) && hashIsHex(hash, txid);
}
