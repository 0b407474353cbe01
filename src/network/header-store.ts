// Where the network keeps the headers it has verified: a small interface, so an application can keep them across
// runs (IndexedDB, a file, SQLite), and an in-memory default. A store holds one run of consecutive headers, from the
// checkpoint up to the tip of the chain followed; it is written only with headers already verified.

import { bytesToHex, hexToBytes } from '../bitcoin/bytes.js';

export type MaybePromise<T> = T | Promise<T>;

export interface HeaderStore {
  /** The lowest and highest heights held, or undefined when empty. */
  range(): MaybePromise<{ readonly base: number; readonly tip: number } | undefined>;
  /** The header (80 bytes, hex) at `height`, or undefined. */
  get(height: number): MaybePromise<string | undefined>;
  /**
   * Keeps the headers below `height`, stores `headers` (consecutive, hex) from `height` on and forgets every one
   * above them. On an empty store `height` becomes the base. `height` is at most the tip + 1.
   */
  replace(height: number, headers: readonly string[]): MaybePromise<void>;
  /** Forgets everything (the stored chain does not hold the checkpoint). */
  clear(): MaybePromise<void>;
}

/** Headers in memory as bytes, 80 each in blocks of 2016 (about 72 MB for mainnet from its genesis; a recent checkpoint keeps it small). */
export class MemoryHeaderStore implements HeaderStore {
  #base = 0;
  #count = 0;
  readonly #blocks: Uint8Array[] = [];

  range(): { base: number; tip: number } | undefined {
    return this.#count === 0 ? undefined : { base: this.#base, tip: this.#base + this.#count - 1 };
  }

  get(height: number): string | undefined {
    const at = height - this.#base;
    if (!Number.isSafeInteger(at) || at < 0 || at >= this.#count) return undefined;
    const block = this.#blocks[Math.floor(at / PER_BLOCK)] as Uint8Array;
    const offset = (at % PER_BLOCK) * 80;
    return bytesToHex(block.subarray(offset, offset + 80));
  }

  replace(height: number, headers: readonly string[]): void {
    if (this.#count === 0) this.#base = height;
    const at = height - this.#base;
    if (at < 0 || at > this.#count) throw new RangeError(`replace at ${height}: the store holds ${this.#base} to ${this.#base + this.#count - 1}`);
    const bytes = headers.map((h) => hexToBytes(h, 'header', 80));
    this.#count = at;
    this.#blocks.length = Math.ceil(at / PER_BLOCK);
    for (const header of bytes) {
      const index = Math.floor(this.#count / PER_BLOCK);
      const block = this.#blocks[index] ?? (this.#blocks[index] = new Uint8Array(PER_BLOCK * 80));
      block.set(header, (this.#count % PER_BLOCK) * 80);
      this.#count++;
    }
  }

  clear(): void {
    this.#blocks.length = 0;
    this.#count = 0;
    this.#base = 0;
  }
}

const PER_BLOCK = 2016;
