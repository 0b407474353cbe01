// 80-byte block headers: parse, serialize, hash, proof of work, and checking that a run of headers links up.
// Hashes in a BlockHeader are display hex (byte-reversed), the way explorers and Electrum show them.
import { bytesToHex, hashFromHex, hashToHex, readU32LE, toBytes, writeU32LE, type BytesLike } from './bytes.js';
import { BitcoinError } from './errors.js';
import { sha256d } from './hash.js';
import type { Network } from './networks.js';
import { decodeBits, hashMeetsTarget, hashToBigInt, POW_LIMITS } from './target.js';

export const HEADER_SIZE = 80;

export interface BlockHeader {
  /** nVersion, as an unsigned 32-bit number (version-rolled headers set high bits). */
  readonly version: number;
  /** Previous block hash, display hex. */
  readonly prevHash: string;
  /** Merkle root, display hex (the byte order of txids). */
  readonly merkleRoot: string;
  /** Unix time in seconds. */
  readonly time: number;
  /** Compact target (nBits). */
  readonly bits: number;
  readonly nonce: number;
}

/** Parses an 80-byte header (hex or bytes). Longer input (AuxPoW) is refused with `bad-length`. */
export function parseHeader(header: BytesLike): BlockHeader {
  const b = toBytes(header, 'header', HEADER_SIZE);
  return {
    version: readU32LE(b, 0),
    prevHash: hashToHex(b.subarray(4, 36)),
    merkleRoot: hashToHex(b.subarray(36, 68)),
    time: readU32LE(b, 68),
    bits: readU32LE(b, 72),
    nonce: readU32LE(b, 76),
  };
}

/** The 80 serialized bytes of a header. */
export function serializeHeaderBytes(header: BlockHeader): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  writeU32LE(out, 0, checkU32(header.version, 'version'));
  out.set(hashFromHex(header.prevHash, 'prevHash'), 4);
  out.set(hashFromHex(header.merkleRoot, 'merkleRoot'), 36);
  writeU32LE(out, 68, checkU32(header.time, 'time'));
  writeU32LE(out, 72, checkU32(header.bits, 'bits'));
  writeU32LE(out, 76, checkU32(header.nonce, 'nonce'));
  return out;
}

/** The 80 serialized bytes of a header, as hex (what Electrum servers send). */
export function serializeHeader(header: BlockHeader): string {
  return bytesToHex(serializeHeaderBytes(header));
}

/** sha256d of a header: internal bytes, the number compared against the target. */
export function headerHashBytes(header: BytesLike): Uint8Array {
  return sha256d(toBytes(header, 'header', HEADER_SIZE));
}

/** The block hash of a header, display hex. */
export function blockHash(header: BytesLike): string {
  return hashToHex(headerHashBytes(header));
}

export interface PowOptions {
  /** Also require the target to be at or below this network's proof-of-work limit. */
  readonly network?: Network;
}

/**
 * Whether a header's hash meets the target of its own nBits. False (never a throw) for invalid nBits,
 * so it can be applied to anything a server sends.
 */
export function checkProofOfWork(header: BytesLike, options: PowOptions = {}): boolean {
  const b = toBytes(header, 'header', HEADER_SIZE);
  const { target, negative, overflow } = decodeBits(readU32LE(b, 72));
  if (negative || overflow || target === 0n) return false;
  if (options.network !== undefined && target > POW_LIMITS[options.network]) return false;
  return hashMeetsTarget(sha256d(b), target);
}

export type HeaderChainProblem = 'bad-link' | 'bad-pow' | 'bad-bits' | 'bad-length';

export type HeaderChainResult =
  | {
      readonly valid: true;
      readonly count: number;
      /** Display hash of the last header, or of `prevHash` for an empty run. */ readonly tipHash: string | null;
    }
  | { readonly valid: false; readonly index: number; readonly problem: HeaderChainProblem; readonly message: string };

export interface HeaderChainOptions extends PowOptions {
  /** Display hash the first header must point to (the header before the run, e.g. one already verified). */
  readonly prevHash?: string;
  /** Check each header's proof of work against its own nBits (default true). */
  readonly checkPow?: boolean;
  /**
   * Height of the first header. With `network: 'mainnet'` it enables the difficulty-period rule: nBits may
   * only change at heights that are multiples of 2016. (The new value at a boundary is not recomputed.)
   */
  readonly startHeight?: number;
}

/**
 * Checks a run of headers (e.g. `blockchain.block.headers`): each one's previous hash is the hash of the one
 * before, and each meets its target. Returns where and why it fails instead of throwing, except for input
 * that is not headers at all (bad hex), which throws a BitcoinError.
 */
export function verifyHeaderChain(
  headers: readonly BytesLike[] | BytesLike,
  options: HeaderChainOptions = {},
): HeaderChainResult {
  const list = splitHeaders(headers);
  let prev: Uint8Array | null = options.prevHash === undefined ? null : hashFromHex(options.prevHash, 'prevHash');
  let prevBits: number | null = null;
  const checkPow = options.checkPow ?? true;
  for (let i = 0; i < list.length; i++) {
    const b = list[i]!;
    if (b.length !== HEADER_SIZE) {
      return { valid: false, index: i, problem: 'bad-length', message: `header ${i}: ${b.length} bytes, not 80` };
    }
    if (prev !== null && !sameBytes(b.subarray(4, 36), prev)) {
      return {
        valid: false,
        index: i,
        problem: 'bad-link',
        message: `header ${i}: previous hash does not match the hash of the header before`,
      };
    }
    const bits = readU32LE(b, 72);
    const decoded = decodeBits(bits);
    if (decoded.negative || decoded.overflow || decoded.target === 0n) {
      return { valid: false, index: i, problem: 'bad-bits', message: `header ${i}: invalid nBits` };
    }
    if (options.network !== undefined && decoded.target > POW_LIMITS[options.network]) {
      return {
        valid: false,
        index: i,
        problem: 'bad-bits',
        message: `header ${i}: target above the ${options.network} proof-of-work limit`,
      };
    }
    if (options.network === 'mainnet' && options.startHeight !== undefined && prevBits !== null) {
      if ((options.startHeight + i) % 2016 !== 0 && bits !== prevBits) {
        return {
          valid: false,
          index: i,
          problem: 'bad-bits',
          message: `header ${i}: nBits changed inside a difficulty period`,
        };
      }
    }
    const hash = sha256d(b);
    if (checkPow && hashToBigInt(hash) > decoded.target) {
      return { valid: false, index: i, problem: 'bad-pow', message: `header ${i}: hash above its target` };
    }
    prev = hash;
    prevBits = bits;
  }
  return { valid: true, count: list.length, tipHash: prev === null ? null : hashToHex(prev) };
}

/** Splits concatenated headers (the pre-1.6 `hex` field of blockchain.block.headers) or takes a list. */
export function splitHeaders(headers: readonly BytesLike[] | BytesLike): Uint8Array[] {
  if (Array.isArray(headers)) return headers.map((h: BytesLike, i) => toBytes(h, `headers[${i}]`));
  const all = toBytes(headers as BytesLike, 'headers');
  if (all.length % HEADER_SIZE !== 0) {
    throw new BitcoinError('bad-length', `headers: ${all.length} bytes is not a multiple of 80`);
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += HEADER_SIZE) out.push(all.subarray(i, i + HEADER_SIZE));
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkU32(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw new BitcoinError('bad-argument', `${what}: expected a 32-bit integer, got ${String(value)}`);
  }
  return value >>> 0;
}
