// A small CPU nonce search, for tests, demos and regtest: it scans the nonce field of an 80-byte header until the
// hash meets a target. The first 64 bytes of the header do not change with the nonce, so their SHA-256 state is
// computed once and cloned for every try. Real mining belongs on ASICs; this does a few hundred thousand
// hashes a second.
import { AbortedError } from '../runtime/errors.js';
import { bytesToHex, hashToHex, toBytes, u32ToHex, writeU32LE, type BytesLike } from './bytes.js';
import { BitcoinError } from './errors.js';
import { sha256 } from './hash.js';
import { HEADER_SIZE } from './header.js';
import { hashMeetsTarget, targetToBytes } from './target.js';

/** Nonces tried between two yields to the event loop in `searchNonce`. */
const DEFAULT_CHUNK = 16_384;

export interface NonceSearchOptions {
  /** First nonce tried (default 0). */
  readonly startNonce?: number;
  /** How many nonces to try at most (default: up to 0xffffffff). */
  readonly maxIterations?: number;
}

export interface AsyncNonceSearchOptions extends NonceSearchOptions {
  /** Nonces tried before yielding to the event loop (default 16,384). */
  readonly chunkSize?: number;
  /** Stops the search; the promise then rejects with an AbortedError. */
  readonly signal?: AbortSignal;
}

export interface FoundNonce {
  readonly nonce: number;
  /** The nonce as mining.submit sends it: 8 hex digits, big-endian. */
  readonly nonceHex: string;
  /** The header with the nonce filled in, hex. */
  readonly header: string;
  /** Block hash, display hex. */
  readonly hash: string;
  /** Nonces tried, including the one found. */
  readonly tries: number;
}

/** Synchronous search over at most `maxIterations` nonces. Returns null when none in the range meets the target. */
export function findNonce(header: BytesLike, target: bigint, options: NonceSearchOptions = {}): FoundNonce | null {
  const scan = new Scanner(header, target, options);
  return scan.run(scan.remaining);
}

/**
 * Like findNonce, but yields to the event loop every `chunkSize` nonces so it can run beside other work and be
 * stopped with an AbortSignal. Resolves null when the range is exhausted.
 */
export async function searchNonce(
  header: BytesLike,
  target: bigint,
  options: AsyncNonceSearchOptions = {},
): Promise<FoundNonce | null> {
  const scan = new Scanner(header, target, options);
  const chunk = options.chunkSize ?? DEFAULT_CHUNK;
  if (!Number.isInteger(chunk) || chunk < 1) throw new BitcoinError('bad-argument', `chunkSize: ${String(chunk)}`);
  const { signal } = options;
  for (;;) {
    if (signal?.aborted) throw new AbortedError('searchNonce', signal.reason);
    const found = scan.run(Math.min(chunk, scan.remaining));
    if (found || scan.remaining === 0) return found;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}

class Scanner {
  readonly #header: Uint8Array;
  readonly #tail: Uint8Array;
  readonly #midstate: ReturnType<typeof sha256.create>;
  readonly #target: Uint8Array;
  #nonce: number;
  #tries = 0;
  remaining: number;

  constructor(header: BytesLike, target: bigint, options: NonceSearchOptions) {
    this.#header = toBytes(header, 'header', HEADER_SIZE).slice();
    this.#target = targetToBytes(target);
    const start = options.startNonce ?? 0;
    if (!Number.isInteger(start) || start < 0 || start > 0xffffffff)
      throw new BitcoinError('bad-argument', `startNonce: ${String(start)}`);
    const max = options.maxIterations ?? 0x100000000 - start;
    if (!Number.isInteger(max) || max < 0) throw new BitcoinError('bad-argument', `maxIterations: ${String(max)}`);
    this.#nonce = start;
    this.remaining = Math.min(max, 0x100000000 - start);
    this.#midstate = sha256.create().update(this.#header.subarray(0, 64));
    this.#tail = this.#header.subarray(64);
  }

  run(count: number): FoundNonce | null {
    for (let i = 0; i < count; i++) {
      const nonce = this.#nonce++;
      this.remaining--;
      this.#tries++;
      writeU32LE(this.#header, 76, nonce);
      const hash = sha256(this.#midstate.clone().update(this.#tail).digest());
      if (hashMeetsTarget(hash, this.#target)) {
        return {
          nonce,
          nonceHex: u32ToHex(nonce),
          header: bytesToHex(this.#header),
          hash: hashToHex(hash),
          tries: this.#tries,
        };
      }
    }
    return null;
  }
}
