// Double SHA-256 of 80-byte block headers, for a pool's share check: the hash every share needs, and
// nearly all of its cost. A share changes only the last 16 bytes of the header (the end of the merkle
// root, ntime, nbits, nonce) as long as its version and merkle root stay, so @noble/hashes' state after
// the first 64-byte block (the midstate) is kept and copied into a reused hasher per share: each share
// costs two compressions instead of three, and no new hash objects. The hashing itself is noble's.
import { sha256 } from '@noble/hashes/sha2.js';

export const HEADER_BYTES = 80;

type Sha256 = ReturnType<typeof sha256.create>;

/** Hashes 80-byte headers that share their first 64 bytes (see setPrefix); not safe across concurrent use. */
export class HeaderHasher {
  /** SHA-256 after the prefix block, never finished: copied from, never hashed into. */
  #mid: Sha256 = sha256.create();
  /** A fresh SHA-256, copied from for the second hash. */
  readonly #initial: Sha256 = sha256.create();
  readonly #work: Sha256 = sha256.create();
  readonly #first = new Uint8Array(32);

  /** Takes the header's first 64 bytes (version, previous hash, most of the merkle root) as the common prefix. */
  setPrefix(header: Uint8Array): void {
    if (header.length !== HEADER_BYTES) throw new RangeError(`a header is ${HEADER_BYTES} bytes, got ${header.length}`);
    this.#mid = sha256.create().update(header.subarray(0, 64));
  }

  /**
   * sha256d(header) into `out` (32 bytes, internal byte order), for a header whose first 64 bytes are
   * the ones last given to setPrefix: only its last 16 bytes are read.
   */
  hashInto(header: Uint8Array, out: Uint8Array): void {
    this.#mid._cloneInto(this.#work).update(header.subarray(64, HEADER_BYTES)).digestInto(this.#first);
    this.#initial._cloneInto(this.#work).update(this.#first).digestInto(out);
  }
}
