// The hash functions Bitcoin uses, all from @noble/hashes (audited, no native code, runs in browsers).
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';

export { sha256 };

// sha256d runs for every block hash and share: one hasher is reset from a pristine one (noble's _cloneInto, which
// copies the state and clears the finished flag) instead of a new hasher, with its buffers, each time. Synchronous, so
// no caller can see it half-used. (A wallet's sync hashes its txids and merkle nodes with sha256d.ts.)
const PRISTINE = sha256.create();
const scratch = sha256.create();

/** SHA-256 applied twice (Bitcoin's `Hash256`): txids, block hashes, merkle nodes, base58check checksums. */
export function sha256d(data: Uint8Array): Uint8Array {
  const h = PRISTINE._cloneInto(scratch);
  h.update(data);
  h.digestInto(once);
  PRISTINE._cloneInto(h);
  h.update(once);
  return h.digest();
}
const once = new Uint8Array(32);

/** RIPEMD-160 of SHA-256 (Bitcoin's `Hash160`): public key hashes and P2SH script hashes. */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}
