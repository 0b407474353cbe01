// The hash functions Bitcoin uses, all from @noble/hashes (audited, no native code, runs in browsers).
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';

export { sha256 };

// sha256d runs tens of thousands of times in a wallet's sync (every txid, merkle node and block hash): one hasher is
// reset from a pristine one (noble's _cloneInto, which copies the state and clears the finished flag) instead of a
// new hasher, with its buffers, each time. Synchronous, so no caller can see it half-used.
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

/**
 * sha256d of `data` (or of `data ‖ more`) written into `out` (its first 32 bytes): no digest copied out and no hasher
 * wiped, which a wallet's sync of tens of thousands of merkle nodes and txids would feel as garbage. Two 32-byte halves
 * given apart (a merkle node's children) are buffered by the hasher as they are, with no view made of them.
 */
export function sha256dInto(data: Uint8Array, out: Uint8Array, more?: Uint8Array): void {
  if (BLOCK !== undefined) return sha256dThroughBlock(data, out, more, BLOCK.block, BLOCK.head);
  const h = PRISTINE._cloneInto(scratch);
  h.update(data);
  if (more !== undefined) h.update(more);
  h.digestInto(once);
  PRISTINE._cloneInto(h);
  h.update(once);
  h.digestInto(out);
}

// noble writes a digest through a DataView: the one it keeps of the hasher's own block buffer (`buffer`, declared for
// its subclasses) when the digest goes there, else a new view of the destination, two per sha256d, which a wallet's
// sync of 40,000 of them feels. So the digests go to the block buffer, the first one fed back from there (its first 32
// bytes, copied onto themselves), the second copied out. Used only when, checked once here, it gives what the plain
// way gives; anywhere else (another noble), the plain way above.
const BLOCK: { readonly block: Uint8Array; readonly head: Uint8Array } | undefined = /* @__PURE__ */ (() => {
  const block = (scratch as unknown as { buffer?: unknown }).buffer;
  if (!(block instanceof Uint8Array) || block.length < 32) return undefined;
  const head = block.subarray(0, 32);
  try {
    for (const length of [0, 31, 32, 64, 80, 150]) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 7 + length) & 0xff);
      const plain = sha256(sha256(data));
      const fast = new Uint8Array(32);
      sha256dThroughBlock(data.subarray(0, length >> 1), fast, data.subarray(length >> 1), block, head);
      if (!equal32(plain, fast)) return undefined;
      sha256dThroughBlock(data, fast, undefined, block, head);
      if (!equal32(plain, fast)) return undefined;
    }
  } catch {
    return undefined;
  }
  return { block, head };
})();

/** Whether sha256dInto writes its digests through the hasher's block buffer (the installed noble passed the check). */
export const SHA256D_THROUGH_BLOCK = BLOCK !== undefined;

/** sha256d with both digests written to the hasher's `block` buffer (`head` its first 32 bytes), then copied to `out`. */
function sha256dThroughBlock(data: Uint8Array, out: Uint8Array, more: Uint8Array | undefined, block: Uint8Array, head: Uint8Array): void {
  const h = PRISTINE._cloneInto(scratch);
  h.update(data);
  if (more !== undefined) h.update(more);
  h.digestInto(block); // the hasher's own buffer: written through the view noble keeps of it
  PRISTINE._cloneInto(h); // a fresh state; nothing buffered, so the block buffer keeps the digest
  h.update(head);
  h.digestInto(block);
  out.set(head);
}

function equal32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** RIPEMD-160 of SHA-256 (Bitcoin's `Hash160`): public key hashes and P2SH script hashes. */
export function hash160(data: Uint8Array): Uint8Array {
  return ripemd160(sha256(data));
}
