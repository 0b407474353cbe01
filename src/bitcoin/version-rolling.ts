// BIP310 version rolling ("version-rolling" in mining.configure). The pool grants a mask; the miner may change
// only the version bits inside it and sends them as the 6th mining.submit param; the pool rebuilds
// nVersion = (job_version & ~mask) | (version_bits & mask). (ckpool computes job_version | version_bits instead,
// which gives the same header whenever the job version has no bits inside the mask.)
import { u32FromHex, u32ToHex } from './bytes.js';
import { BitcoinError } from './errors.js';

/** BIP320: the 16 version bits (13 to 28) reserved for general use, the mask most pools grant. */
export const BIP320_VERSION_MASK = 0x1fffe000;

/** Parses a TMask (8 hex digits, big-endian) as sent in mining.configure and mining.set_version_mask. */
export function parseVersionMask(mask: string): number {
  return u32FromHex(mask, 'version mask');
}

/** Formats a mask the way BIP310 sends it: 8 lowercase hex digits. */
export function formatVersionMask(mask: number): string {
  return u32ToHex(mask);
}

/** Number of set bits. */
export function bitCount(value: number): number {
  let v = value >>> 0;
  let n = 0;
  while (v !== 0) {
    v &= v - 1;
    n++;
  }
  return n;
}

export interface VersionRollingRequest {
  /** `version-rolling.mask` from the miner; BIP310's default is "ffffffff". */
  readonly mask?: string | number;
  /**
   * `version-rolling.min-bit-count`; some miners send it as a string (read as hex, as SRI does: 1 to 8 digits),
   * some omit it. More than 32 cannot be granted: the grant is then not `enough`.
   */
  readonly minBitCount?: number | string;
}

export interface VersionRollingGrant {
  /** The mask to answer with in `version-rolling.mask`: the server's mask AND the miner's. */
  readonly mask: number;
  readonly maskHex: string;
  readonly bitCount: number;
  /** Whether the granted mask has at least the miner's min-bit-count bits. */
  readonly enough: boolean;
}

/** The server side of mining.configure's version-rolling: the intersection of the two masks. */
export function negotiateVersionRolling(serverMask: number, request: VersionRollingRequest = {}): VersionRollingGrant {
  checkU32(serverMask, 'server mask');
  const requested =
    request.mask === undefined
      ? 0xffffffff
      : typeof request.mask === 'string'
        ? parseVersionMask(request.mask)
        : checkU32(request.mask, 'mask');
  const minBits = minBitCountOf(request.minBitCount);
  const mask = (serverMask & requested) >>> 0;
  const count = bitCount(mask);
  return { mask, maskHex: formatVersionMask(mask), bitCount: count, enough: count >= minBits };
}

/** A count as miners send it: an integer >= 0, or up to 8 hex digits. */
function minBitCountOf(value: number | string | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === 'string' ? /^[0-9a-fA-F]{1,8}$/.test(value) : Number.isInteger(value) && value >= 0) {
    return typeof value === 'string' ? Number.parseInt(value, 16) : value;
  }
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 20)) : String(value);
  throw new BitcoinError('bad-argument', `version-rolling.min-bit-count: expected an integer >= 0 or 1 to 8 hex digits, got ${shown}`);
}

/** BIP310's block version: (jobVersion & ~mask) | (versionBits & mask), unsigned. */
export function applyVersionBits(jobVersion: number, versionBits: number, mask: number): number {
  return (
    ((checkU32(jobVersion, 'job version') & ~checkU32(mask, 'mask')) |
      (checkU32(versionBits, 'version bits') & mask)) >>>
    0
  );
}

/** Whether a miner set only bits the mask allows (BIP310: version_bits & ~mask must be 0). */
export function versionBitsAllowed(versionBits: number, mask: number): boolean {
  return (checkU32(versionBits, 'version bits') & ~checkU32(mask, 'mask')) >>> 0 === 0;
}

function checkU32(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new BitcoinError('bad-argument', `${what}: expected a 32-bit unsigned integer, got ${String(value)}`);
  }
  return value;
}
