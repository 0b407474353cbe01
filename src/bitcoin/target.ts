// Targets, compact nBits and difficulty. Difficulty is "difficulty 1 as pools use it": the target
// 0x00000000ffff0000...0000 (0xffff << 208), the same diff1 that bitcoind's getdifficulty and every Stratum
// pool's mining.set_difficulty use. A hash is read as a little-endian 256-bit number (its internal bytes).
import { BitcoinError } from './errors.js';

/** The difficulty-1 target, 0x00000000ffff0000000000000000000000000000000000000000000000000000. */
export const DIFF1_TARGET: bigint = 0xffffn << 208n;

/** The largest 256-bit value, the easiest possible target. */
export const MAX_TARGET: bigint = (1n << 256n) - 1n;

/** Proof-of-work limits (the easiest allowed target) from Bitcoin Core's chainparams. */
export const POW_LIMITS = {
  mainnet: (1n << 224n) - 1n,
  testnet: (1n << 224n) - 1n,
  // uint256 "00000377ae" followed by 54 zero digits: the compact 0x1e0377ae of signet's genesis.
  signet: 0x377aen << 216n,
  regtest: (1n << 255n) - 1n,
} as const;

export interface DecodedBits {
  readonly target: bigint;
  /** The sign bit was set with a non-zero mantissa (bitcoind treats such a target as invalid). */
  readonly negative: boolean;
  /** The target does not fit 256 bits. */
  readonly overflow: boolean;
}

/** Decodes compact nBits exactly as bitcoind's `arith_uint256::SetCompact`, reporting the invalid cases. */
export function decodeBits(bits: number): DecodedBits {
  checkU32(bits, 'bits');
  const size = bits >>> 24;
  let word = bits & 0x007fffff;
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else {
    target = BigInt(word) << BigInt(8 * (size - 3));
  }
  const negative = word !== 0 && (bits & 0x00800000) !== 0;
  const overflow = word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  return { target: overflow ? 0n : target, negative, overflow };
}

/** The target of compact nBits. Throws `bad-target` for negative, zero or overflowing encodings. */
export function bitsToTarget(bits: number): bigint {
  const { target, negative, overflow } = decodeBits(bits);
  if (negative || overflow || target === 0n) {
    throw new BitcoinError(
      'bad-target',
      `bits 0x${(bits >>> 0).toString(16).padStart(8, '0')}: ${negative ? 'negative' : overflow ? 'overflows 256 bits' : 'zero'} target`,
    );
  }
  return target;
}

/** Compact nBits of a target, exactly as bitcoind's `arith_uint256::GetCompact` (precision is lost, as there). */
export function targetToBits(target: bigint): number {
  checkTarget(target);
  let size = byteLength(target);
  let compact = size <= 3 ? Number(target << BigInt(8 * (3 - size))) : Number(target >> BigInt(8 * (size - 3)));
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  return ((size << 24) | compact) >>> 0;
}

/** The difficulty of a target: DIFF1_TARGET / target, as a float. Infinity for a zero target. */
export function targetToDifficulty(target: bigint): number {
  checkTarget(target);
  if (target === 0n) return Infinity;
  // Scale before dividing so the quotient keeps full double precision even for difficulties far below 1.
  return Number((DIFF1_TARGET << 64n) / target) / 2 ** 64;
}

/** The difficulty of compact nBits (what bitcoind's getdifficulty reports for a block). */
export function bitsToDifficulty(bits: number): number {
  return targetToDifficulty(bitsToTarget(bits));
}

/**
 * The target for a pool difficulty: floor(DIFF1_TARGET / difficulty), computed exactly for fractional
 * difficulties too (a double is a fraction with a power-of-two denominator). Capped at MAX_TARGET.
 */
export function difficultyToTarget(difficulty: number): bigint {
  if (typeof difficulty !== 'number' || !Number.isFinite(difficulty) || difficulty <= 0) {
    throw new BitcoinError('bad-difficulty', `difficulty: expected a finite number above 0, got ${String(difficulty)}`);
  }
  let numerator = difficulty;
  let shift = 0n;
  while (!Number.isInteger(numerator)) {
    numerator *= 2;
    shift++;
  }
  const target = (DIFF1_TARGET << shift) / BigInt(numerator);
  return target > MAX_TARGET ? MAX_TARGET : target;
}

/** A hash's internal bytes (as sha256d returns them) read as the little-endian number compared with targets. */
export function hashToBigInt(hashInternal: Uint8Array): bigint {
  let value = 0n;
  for (let i = hashInternal.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(hashInternal[i]!);
  return value;
}

/** The difficulty a hash achieves (the "share difficulty"): DIFF1_TARGET / hash. */
export function hashDifficulty(hashInternal: Uint8Array): number {
  return targetToDifficulty(hashToBigInt(hashInternal));
}

/** A target as 32 little-endian bytes, the layout `hashMeetsTarget` compares against without BigInt. */
export function targetToBytes(target: bigint): Uint8Array {
  checkTarget(target);
  const out = new Uint8Array(32);
  let t = target;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  return out;
}

/** Whether a hash (internal bytes) is at or below a target (bigint, or 32 little-endian bytes from targetToBytes). */
export function hashMeetsTarget(hashInternal: Uint8Array, target: bigint | Uint8Array): boolean {
  const t = typeof target === 'bigint' ? targetToBytes(target) : target;
  for (let i = 31; i >= 0; i--) {
    const h = hashInternal[i]!;
    const v = t[i]!;
    if (h !== v) return h < v;
  }
  return true;
}

function byteLength(value: bigint): number {
  let n = 0;
  for (let v = value; v > 0n; v >>= 8n) n++;
  return n;
}

function checkTarget(target: bigint): void {
  if (typeof target !== 'bigint' || target < 0n || target > MAX_TARGET) {
    throw new BitcoinError('bad-target', 'target: expected a bigint from 0 to 2^256-1');
  }
}

function checkU32(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new BitcoinError('bad-argument', `${what}: expected a 32-bit unsigned integer, got ${String(value)}`);
  }
}
