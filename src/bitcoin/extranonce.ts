// The miner's extranonce2: a counter of the size mining.subscribe negotiated, sent as hex in mining.submit.
// cgminer and ESP-Miner encode the counter little-endian, so 1 with 4 bytes is "01000000".
import { bytesToHex } from './bytes.js';
import { BitcoinError } from './errors.js';

/** cgminer accepts extranonce2 sizes from 2 to 16 bytes; 1 to 32 is allowed here. */
const MAX_EXTRANONCE2_SIZE = 32;

/** Formats a counter value as `size` little-endian bytes of hex. */
export function formatExtranonce2(value: number | bigint, size: number): string {
  checkSize(size);
  let v = BigInt(value);
  if (v < 0n || v >= 1n << BigInt(8 * size)) {
    throw new BitcoinError('bad-argument', `extranonce2 ${v} does not fit ${size} bytes`);
  }
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return bytesToHex(out);
}

/** Hands out every extranonce2 of a size once, from `start` (default 0); `next()` throws `exhausted` after the last. */
export class Extranonce2Counter {
  readonly size: number;
  #next: bigint;
  readonly #end: bigint;

  constructor(size: number, start: number | bigint = 0) {
    checkSize(size);
    this.size = size;
    this.#end = 1n << BigInt(8 * size);
    const first = BigInt(start);
    if (first < 0n || first >= this.#end)
      throw new BitcoinError('bad-argument', `extranonce2 start ${first} does not fit ${size} bytes`);
    this.#next = first;
  }

  /** Values left, including the next one. */
  get remaining(): bigint {
    return this.#end - this.#next;
  }

  /** The next extranonce2 as hex. */
  next(): string {
    if (this.#next >= this.#end)
      throw new BitcoinError('exhausted', `every ${this.size}-byte extranonce2 has been used`);
    return formatExtranonce2(this.#next++, this.size);
  }
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > MAX_EXTRANONCE2_SIZE) {
    throw new BitcoinError(
      'bad-argument',
      `extranonce2 size: expected 1 to ${MAX_EXTRANONCE2_SIZE} bytes, got ${String(size)}`,
    );
  }
}
