// The hash functions Bitcoin uses, all from @noble/hashes (audited, no native code, runs in browsers).
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';

export { sha256 };

/** SHA-256 applied twice (Bitcoin's `Hash256`): txids, block hashes, merkle nodes, base58check checksums. */
export function sha256d(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

/** RIPEMD-160 of SHA-256 (Bitcoin's `Hash160`): public key hashes and P2SH script hashes. */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}
