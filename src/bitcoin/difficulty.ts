// The difficulty rules: which nBits a header at a given height must carry, as Bitcoin Core's pow.cpp
// (GetNextWorkRequired, CalculateNextWorkRequired) and ContextualCheckBlockHeader decide it. Every 2016 blocks the
// target is scaled by the time the previous period took (clamped to a quarter and four times two weeks) and capped
// at the network's proof-of-work limit; in between it does not change, except on testnet (and regtest) where a
// block more than 20 minutes after its parent may use the limit, and the blocks after it return to the last bits
// that were not such an exception. Regtest never retargets. Testnet4 (BIP94) scales the first block's bits of the
// period instead of the last one's, and refuses a period's first block more than 10 minutes before its parent.
import type { Network } from './networks.js';
import { bitsToTarget, POW_LIMITS, targetToBits } from './target.js';

/** Blocks between two retargets. */
export const RETARGET_INTERVAL = 2016;
/** Two weeks: the time a period should take. */
export const TARGET_TIMESPAN = 14 * 24 * 60 * 60;
/** Ten minutes: the time a block should take. */
export const TARGET_SPACING = 10 * 60;
/** BIP94: how far before its parent a period's first block may be timed. */
export const MAX_TIMEWARP = 600;

/** What the rules need of a header: its height, time and nBits. */
export interface DifficultyHeader {
  readonly height: number;
  readonly time: number;
  readonly bits: number;
}

export interface DifficultyRules {
  readonly network: Network;
  /** Testnet4's rules (BIP94); the network must be 'testnet'. */
  readonly bip94?: boolean | undefined;
}

/** The headers below the one checked, by height; undefined for a height it does not hold. */
export type AncestorLookup = (height: number) => DifficultyHeader | undefined;

export type DifficultyCheck =
  | { readonly valid: true }
  | {
      readonly valid: false;
      /** `bits`: not the nBits the rules give; `time`: a BIP94 time warp; `no-context`: an ancestor needed is not known. */
      readonly problem: 'bits' | 'time' | 'no-context';
      readonly message: string;
      /** The nBits the rules give (for 'bits'). */
      readonly expected?: number;
      /** The height of the ancestor that was needed (for 'no-context'). */
      readonly missing?: number;
    };

/** The compact form of a network's proof-of-work limit, what a min-difficulty block carries. */
export function powLimitBits(network: Network): number {
  return targetToBits(POW_LIMITS[network]);
}

/** Whether the network lets a block more than 20 minutes after its parent use the proof-of-work limit. */
export function allowsMinDifficulty(network: Network): boolean {
  return network === 'testnet' || network === 'regtest';
}

/** The first height of the difficulty period that holds `height`. */
export function periodStart(height: number): number {
  return height - (height % RETARGET_INTERVAL);
}

/**
 * CalculateNextWorkRequired: the nBits of the first block of a period, from the bits it scales (the last block's, or
 * the first block's under BIP94) and the time between the first and last blocks of the period before.
 */
export function retargetBits(bits: number, firstTime: number, lastTime: number, network: Network): number {
  if (network === 'regtest') return bits;
  let timespan = lastTime - firstTime;
  if (timespan < TARGET_TIMESPAN / 4) timespan = TARGET_TIMESPAN / 4;
  if (timespan > TARGET_TIMESPAN * 4) timespan = TARGET_TIMESPAN * 4;
  // Core multiplies a 256-bit number; for the limits of mainnet, testnet and signet (at most 2^235) times 4 * two
  // weeks (under 2^23) it cannot overflow, and a bigint never does.
  let target = (bitsToTarget(bits) * BigInt(timespan)) / BigInt(TARGET_TIMESPAN);
  const limit = POW_LIMITS[network];
  if (target > limit) target = limit;
  return targetToBits(target);
}

/**
 * GetNextWorkRequired: the nBits the header at `height` (parent at `height - 1`) timed `time` must carry. Undefined
 * when an ancestor it needs is not in `ancestors` (see `missing` in checkDifficulty).
 */
export function nextWorkRequired(height: number, time: number, ancestors: AncestorLookup, rules: DifficultyRules): number | undefined {
  const result = required(height, time, ancestors, rules);
  return typeof result === 'number' ? result : undefined;
}

/** Checks one header's nBits (and, under BIP94, its time at a period's start) against its ancestors. */
export function checkDifficulty(header: DifficultyHeader, ancestors: AncestorLookup, rules: DifficultyRules): DifficultyCheck {
  const { height, time, bits } = header;
  if (height <= 0) return { valid: true }; // the genesis block has no parent to be checked against
  const result = required(height, time, ancestors, rules);
  if (typeof result !== 'number') {
    return { valid: false, problem: 'no-context', missing: result.missing, message: `header ${height}: the header at height ${result.missing} is needed to check its nBits` };
  }
  if (rules.bip94 && height % RETARGET_INTERVAL === 0) {
    const parent = ancestors(height - 1) as DifficultyHeader; // required() has read it
    if (time < parent.time - MAX_TIMEWARP) return { valid: false, problem: 'time', message: `header ${height}: its time ${time} is more than ${MAX_TIMEWARP} s before its parent's (${parent.time}), a time warp BIP94 refuses` };
  }
  if (bits >>> 0 !== result) {
    return { valid: false, problem: 'bits', expected: result, message: `header ${height}: nBits ${hex8(bits)}, but the ${rules.network}${rules.bip94 ? ' (BIP94)' : ''} difficulty rules give ${hex8(result)}` };
  }
  return { valid: true };
}

/**
 * The lowest height `checkDifficulty` may read when checking headers from `height` on: the first block of the period
 * before (for the retarget at the next boundary, and testnet's walk back to the period's start).
 */
export function contextStart(height: number): number {
  return Math.max(0, periodStart(Math.max(0, height - 1)));
}

function required(height: number, time: number, ancestors: AncestorLookup, rules: DifficultyRules): number | { missing: number } {
  const parent = ancestors(height - 1);
  if (!parent) return { missing: height - 1 };
  const network = rules.network;
  const limitBits = powLimitBits(network);
  if (height % RETARGET_INTERVAL !== 0) {
    if (!allowsMinDifficulty(network)) return parent.bits >>> 0;
    // Testnet: a block more than twice the spacing after its parent may use the limit ...
    if (time > parent.time + TARGET_SPACING * 2) return limitBits;
    // ... else the bits of the last block that did not, walking back no further than the period's first block.
    let at = parent;
    while (at.height % RETARGET_INTERVAL !== 0 && at.bits >>> 0 === limitBits) {
      const before = ancestors(at.height - 1);
      if (!before) return { missing: at.height - 1 };
      at = before;
    }
    return at.bits >>> 0;
  }
  if (network === 'regtest') return parent.bits >>> 0;
  const first = ancestors(height - RETARGET_INTERVAL);
  if (!first) return { missing: height - RETARGET_INTERVAL };
  return retargetBits(rules.bip94 ? first.bits : parent.bits, first.time, parent.time, network);
}

function hex8(bits: number): string {
  return `0x${(bits >>> 0).toString(16).padStart(8, '0')}`;
}
