// Hex at the edges (as the protocols send it), bytes inside. Every decoder here checks its input and throws a
// BitcoinError, because what it decodes came off the wire.
// Hex decoded by a char-code table (or the engine's Uint8Array.fromHex where there is one, through noble), encoded by
// noble's: several times faster than @scure/base's codec, which a wallet's sync feels, as every txid, merkle node and
// transaction comes as hex.
import { bytesToHex as encodeHex, hexToBytes as decodeHex } from '@noble/hashes/utils.js';
import { BitcoinError } from './errors.js';

const HEX = /^[0-9a-fA-F]*$/;

/** Hex text or raw bytes; most functions of the toolkit take either. */
export type BytesLike = string | Uint8Array;

/**
 * Decodes hex (either case) to bytes. `what` names the value in the error; `length`, when given, is the
 * exact number of bytes required.
 */
export function hexToBytes(text: string, what = 'value', length?: number): Uint8Array {
  if (typeof text !== 'string') throw new BitcoinError('bad-hex', `${what}: expected a hex string, got ${typeof text}`);
  // The decoder checks every digit itself; the pattern is tested only to word the error as before (a string of
  // the wrong length is 'bad-hex' if it is not hex at all).
  const bad = () => new BitcoinError('bad-hex', `${what}: not a hex string (${describe(text)})`);
  if (text.length % 2 !== 0) throw bad();
  if (length !== undefined && text.length !== length * 2) {
    if (!HEX.test(text)) throw bad();
    throw new BitcoinError('bad-length', `${what}: expected ${length} bytes, got ${text.length / 2}`);
  }
  if (NATIVE_HEX) {
    try {
      return decodeHex(text);
    } catch {
      throw bad();
    }
  }
  const out = new Uint8Array(text.length / 2);
  if (!decodeByTable(text, out)) throw bad();
  return out;
}

/** Hex (an even number of digits, either case) into the first bytes of `out`, a character at a time; false on a bad digit. */
function decodeByTable(text: string, out: Uint8Array): boolean {
  for (let i = 0, at = 0; at < text.length; i++, at += 2) {
    const high = NIBBLES[text.charCodeAt(at)];
    const low = NIBBLES[text.charCodeAt(at + 1)];
    if (high === undefined || low === undefined || (high | low) < 0) return false;
    out[i] = (high << 4) | low;
  }
  return true;
}

/**
 * Whether the engine decodes hex itself (Uint8Array.fromHex), which noble's decoder then uses; elsewhere (Node 20,
 * older browsers) the table below decodes in one pass, about twice as fast as noble's own loop.
 */
const NATIVE_HEX = typeof (Uint8Array as unknown as { fromHex?: unknown }).fromHex === 'function';

/** Lowercase hex of some bytes. */
export function bytesToHex(bytes: Uint8Array): string {
  return encodeHex(bytes);
}

/** Accepts hex or bytes (bytes are used as they are, not copied); checks the length when one is given. */
export function toBytes(input: BytesLike, what = 'value', length?: number): Uint8Array {
  if (typeof input === 'string') return hexToBytes(input, what, length);
  if (!(input instanceof Uint8Array)) throw new BitcoinError('bad-argument', `${what}: expected hex or a Uint8Array`);
  if (length !== undefined && input.length !== length) {
    throw new BitcoinError('bad-length', `${what}: expected ${length} bytes, got ${input.length}`);
  }
  return input;
}

/** A reversed copy. */
export function reverseBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0, j = bytes.length - 1; j >= 0; i++, j--) out[i] = bytes[j]!;
  return out;
}

/**
 * A txid, block hash or script hash as displayed (byte-reversed hex) to its internal (serialization) bytes.
 * Bytes are taken to be internal order already.
 */
export function hashFromHex(input: BytesLike, what = 'hash'): Uint8Array {
  if (typeof input !== 'string') return toBytes(input, what, 32);
  // Decoded straight into display order's reverse, one pass and one allocation: a wallet's sync reads tens of
  // thousands of txids and merkle nodes. Anything but 64 hex digits takes the checked way for its error.
  if (input.length === 64) {
    const out = new Uint8Array(32);
    for (let i = 0, at = 62; i < 32; i++, at -= 2) {
      const high = NIBBLES[input.charCodeAt(at)];
      const low = NIBBLES[input.charCodeAt(at + 1)];
      if (high === undefined || low === undefined || (high | low) < 0) return hexToBytes(input, what, 32).reverse();
      out[i] = (high << 4) | low;
    }
    return out;
  }
  return hexToBytes(input, what, 32).reverse(); // its own fresh copy: reversed in place
}

/**
 * hashFromHex into `out` at `offset` (32 bytes), allocating nothing: for loops over thousands of hashes, such as a
 * wallet's merkle proofs. Throws as hashFromHex does; `out` is left partly written then.
 */
export function hashFromHexInto(input: string, out: Uint8Array, offset: number, what = 'hash'): void {
  if (typeof input === 'string' && input.length === 64 && offset >= 0 && offset + 32 <= out.length) {
    for (let i = 0, at = 62; i < 32; i++, at -= 2) {
      const high = NIBBLES[input.charCodeAt(at)];
      const low = NIBBLES[input.charCodeAt(at + 1)];
      if (high === undefined || low === undefined || (high | low) < 0) break;
      out[offset + i] = (high << 4) | low;
      if (i === 31) return;
    }
  }
  if (offset < 0 || offset + 32 > out.length) throw new BitcoinError('bad-argument', `${what}: no room for 32 bytes at ${offset} of ${out.length}`);
  out.set(hashFromHex(input, what), offset); // throws, saying what is wrong, or writes what a decoder decodes
}

/**
 * Decodes hex into `out` from its start, allocating nothing: for the raw transactions of a wallet's sync, decoded by
 * the thousand into one reused buffer. False (with `out` partly written) when `text` is not hex or does not fit.
 * When `out` has room for the text itself (a byte a digit), the engine's encoder copies the digits there first and
 * they are decoded in place, which is several times faster than reading the string a character at a time; the bytes
 * after the decoded ones are then overwritten too.
 */
export function hexInto(text: string, out: Uint8Array): boolean {
  if (typeof text !== 'string' || text.length % 2 !== 0 || text.length / 2 > out.length) return false;
  if (text.length <= out.length && ASCII !== undefined) {
    const n = text.length;
    // A character outside ASCII takes more than one byte: fewer read than there are, or more written.
    const { read, written } = ASCII.encodeInto(text, out);
    if (read !== n || written !== n) return false;
    let bad = 0;
    for (let i = 0, at = 0; at < n; i++, at += 2) {
      const high = DIGITS[out[at] as number] as number;
      const low = DIGITS[out[at + 1] as number] as number;
      bad |= high | low;
      out[i] = (high << 4) | low; // written behind the digits still to read
    }
    return bad < 16;
  }
  return decodeByTable(text, out);
}

/**
 * Whether `display` (display hex, either case) names the hash whose internal bytes are `internal`: a txid or block
 * hash checked against what was hashed, with no hex made of the bytes and nothing allocated.
 */
export function hashIsHex(internal: Uint8Array, display: string): boolean {
  if (internal.length !== 32 || typeof display !== 'string' || display.length !== 64) return false;
  for (let i = 0, at = 62; i < 32; i++, at -= 2) {
    const high = NIBBLES[display.charCodeAt(at)];
    const low = NIBBLES[display.charCodeAt(at + 1)];
    if (high === undefined || low === undefined || (high | low) < 0 || internal[i] !== ((high << 4) | low)) return false;
  }
  return true;
}

// Pure: a bundle without hexInto carries neither.
const ASCII: TextEncoder | undefined = typeof TextEncoder === 'function' ? /* @__PURE__ */ new TextEncoder() : undefined;

/** The value of each hex digit by its byte, 16 for any other byte (so that OR-ing values tells a bad one). */
const DIGITS = /* @__PURE__ */ (() => {
  const table = new Uint8Array(256).fill(16);
  for (let d = 0; d < 16; d++) {
    const digit = d.toString(16);
    table[digit.charCodeAt(0)] = d;
    table[digit.toUpperCase().charCodeAt(0)] = d;
  }
  return table;
})();

/** The value of each ASCII hex digit by its char code, -1 for any other ASCII character. */
const NIBBLES = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let d = 0; d < 16; d++) {
    const digit = d.toString(16);
    table[digit.charCodeAt(0)] = d;
    table[digit.toUpperCase().charCodeAt(0)] = d;
  }
  return table;
})();

/** Internal hash bytes to display hex (byte-reversed), the way txids and block hashes are shown. */
export function hashToHex(internal: Uint8Array): string {
  return bytesToHex(reverseBytes(internal));
}

/** An 8-hex-digit big-endian 32-bit field (Stratum `version`, `nbits`, `ntime`, `nonce`) to a number. */
export function u32FromHex(text: string, what = 'value'): number {
  if (typeof text !== 'string' || text.length !== 8 || !HEX.test(text)) {
    throw new BitcoinError(
      typeof text === 'string' && HEX.test(text) && text.length % 2 === 0 ? 'bad-length' : 'bad-hex',
      `${what}: expected 8 hex digits, got ${typeof text === 'string' ? describe(text) : typeof text}`,
    );
  }
  return parseInt(text, 16) >>> 0;
}

/** A 32-bit number as 8 big-endian hex digits, as Stratum sends it. */
export function u32ToHex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

export function readU32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

export function writeU32LE(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

/** Byte-swaps every 4-byte word in place (the Stratum prevhash encoding is its own inverse under this). */
export function swapWords32(bytes: Uint8Array): Uint8Array {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i]!;
    const b = bytes[i + 1]!;
    bytes[i] = bytes[i + 3]!;
    bytes[i + 1] = bytes[i + 2]!;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
  return bytes;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks an integer argument is within [min, max]. */
export function checkInteger(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BitcoinError('bad-argument', `${what}: expected an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function describe(text: string): string {
  return text.length > 20 ? `"${text.slice(0, 20)}…", ${text.length} characters` : `"${text}"`;
}
