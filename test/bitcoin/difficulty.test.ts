// The difficulty rules, checked against real mainnet retargets and constructed testnet, signet and regtest periods.
//
// Mainnet fixtures are the heights, times and nBits of Bitcoin Core's src/test/pow_tests.cpp (get_next_work*), which
// come from the real chain: blocks 30240/32255 (the first retarget that changed the difficulty, to 0x1d00d86a at
// 32256), 0/2015 (capped at the limit), 66528/68543 (the quarter clamp). The "upper clamp" case uses a first time
// that is not a real block time, as Core's does. Testnet, signet and regtest periods are constructed: no real
// header bytes are needed, since the rules read only height, time and nBits.
import { describe, expect, it } from 'vitest';
import {
  RETARGET_INTERVAL,
  TARGET_TIMESPAN,
  checkDifficulty,
  contextStart,
  nextWorkRequired,
  powLimitBits,
  retargetBits,
  type DifficultyHeader,
} from '../../src/bitcoin/difficulty.js';
import { checkProofOfWork } from '../../src/bitcoin/header.js';
import { bitsToTarget, targetToBits } from '../../src/bitcoin/target.js';
import { SIGNET_GENESIS } from '../../src/network/checkpoints.js';

/** A lookup over some headers. */
function lookup(headers: readonly DifficultyHeader[]) {
  const byHeight = new Map(headers.map((h) => [h.height, h]));
  return (height: number) => byHeight.get(height);
}

/** A full period of headers (first, ..., last) with `bits`, spaced `spacing` s; `minAt` lists heights using `minBits`. */
function period(start: number, firstTime: number, spacing: number, bits: number, minAt: ReadonlySet<number> = new Set(), minBits = 0): DifficultyHeader[] {
  const out: DifficultyHeader[] = [];
  for (let i = 0; i < RETARGET_INTERVAL; i++) out.push({ height: start + i, time: firstTime + i * spacing, bits: minAt.has(start + i) ? minBits : bits });
  return out;
}

const MAINNET_RETARGETS = [
  // [first height, first time, last time, last bits, expected bits at first + 2016]
  { name: 'block 32256, the first change', first: 30240, firstTime: 1261130161, lastTime: 1262152739, bits: 0x1d00ffff, expected: 0x1d00d86a },
  { name: 'block 2016, capped at the limit', first: 0, firstTime: 1231006505, lastTime: 1233061996, bits: 0x1d00ffff, expected: 0x1d00ffff },
  { name: 'block 68544, clamped to a quarter', first: 66528, firstTime: 1279008237, lastTime: 1279297671, bits: 0x1c05a3f4, expected: 0x1c0168fd },
  { name: 'block 46368, clamped to four times', first: 44352, firstTime: 1263163443, lastTime: 1269211443, bits: 0x1c387f6f, expected: 0x1d00e1fd },
] as const;

describe('difficulty rules', () => {
  it.each(MAINNET_RETARGETS)('mainnet retarget: $name', ({ first, firstTime, lastTime, bits, expected }) => {
    expect(retargetBits(bits, firstTime, lastTime, 'mainnet')).toBe(expected);
    const ancestors = lookup([
      { height: first, time: firstTime, bits },
      { height: first + RETARGET_INTERVAL - 1, time: lastTime, bits },
    ]);
    const height = first + RETARGET_INTERVAL;
    expect(nextWorkRequired(height, lastTime + 600, ancestors, { network: 'mainnet' })).toBe(expected);
    expect(checkDifficulty({ height, time: lastTime + 600, bits: expected }, ancestors, { network: 'mainnet' })).toEqual({ valid: true });
    const wrong = checkDifficulty({ height, time: lastTime + 600, bits: bits }, ancestors, { network: 'mainnet' });
    if (expected !== bits) expect(wrong).toMatchObject({ valid: false, problem: 'bits', expected });
  });

  it('mainnet and signet: bits do not change inside a period, whatever the time', () => {
    for (const network of ['mainnet', 'signet'] as const) {
      const parent = { height: 32257, time: 1_262_200_000, bits: 0x1d00d86a };
      const ancestors = lookup([parent]);
      expect(checkDifficulty({ height: 32258, time: parent.time + 3600, bits: 0x1d00d86a }, ancestors, { network })).toEqual({ valid: true });
      // Mainnet has no 20-minute rule: the limit is refused an hour later too.
      expect(checkDifficulty({ height: 32258, time: parent.time + 3600, bits: powLimitBits(network) }, ancestors, { network })).toMatchObject({ valid: false, problem: 'bits', expected: 0x1d00d86a });
    }
  });

  it('signet retargets like mainnet, capped at its own limit', () => {
    const limit = powLimitBits('signet');
    expect(limit).toBe(0x1e0377ae);
    // Signet's genesis meets its own limit (a limit 256 times too small once refused it).
    expect(checkProofOfWork(SIGNET_GENESIS.header!, { network: 'signet' })).toBe(true);
    const blocks = period(2016, 1_600_000_000, 600, limit);
    const last = blocks[blocks.length - 1]!;
    // A period twice as fast as planned: the target halves.
    const fast = [blocks[0]!, { ...last, time: blocks[0]!.time + TARGET_TIMESPAN / 2 }];
    expect(nextWorkRequired(4032, last.time + 600, lookup(fast), { network: 'signet' })).toBe(targetToBits(bitsToTarget(limit) / 2n));
    // A slow one cannot go above the limit.
    const slow = [blocks[0]!, { ...last, time: blocks[0]!.time + TARGET_TIMESPAN * 3 }];
    expect(nextWorkRequired(4032, last.time + 600, lookup(slow), { network: 'signet' })).toBe(limit);
  });

  it("testnet: the 20-minute rule, and the walk back to the last bits that were not the limit", () => {
    const limit = powLimitBits('testnet');
    const real = 0x1c00ffff;
    const blocks = period(4032, 1_500_000_000, 600, real, new Set([4040, 4041, 4042]), limit);
    const ancestors = lookup(blocks);
    const rules = { network: 'testnet' } as const;
    const parentOf = (h: number) => blocks[h - 4032 - 1]!;
    // More than 20 minutes after the parent: the rule gives the limit.
    expect(nextWorkRequired(4036, parentOf(4036).time + 1201, ancestors, rules)).toBe(limit);
    // Exactly 20 minutes: not more than twice the spacing, so the period's bits.
    expect(nextWorkRequired(4036, parentOf(4036).time + 1200, ancestors, rules)).toBe(real);
    expect(checkDifficulty({ height: 4036, time: parentOf(4036).time + 1200, bits: limit }, ancestors, rules)).toMatchObject({ valid: false, problem: 'bits', expected: real });
    // After three min-difficulty blocks (4040..4042), a prompt block returns to the bits before them.
    expect(nextWorkRequired(4043, parentOf(4043).time + 60, ancestors, rules)).toBe(real);
    // A period that starts with min-difficulty blocks: the walk stops at its first block, whatever it carries.
    const early = period(6048, 1_501_300_000, 600, real, new Set([6048, 6049]), limit);
    expect(nextWorkRequired(6050, early[1]!.time + 60, lookup(early), rules)).toBe(limit);
    // The walk needs the headers back to the last real bits: without them, it says which one is missing.
    const partial = lookup(blocks.filter((b) => b.height >= 4041));
    expect(checkDifficulty({ height: 4043, time: parentOf(4043).time + 60, bits: real }, partial, rules)).toMatchObject({ valid: false, problem: 'no-context', missing: 4040 });
  });

  it("testnet3 retargets from the period's last bits, even a min-difficulty one; testnet4 (BIP94) from its first", () => {
    const limit = powLimitBits('testnet');
    const real = 0x1c00ffff;
    const blocks = period(4032, 1_500_000_000, 300, real, new Set([6047]), limit); // the period's last block is a min-difficulty one
    const next = 6048;
    const lastTime = blocks[blocks.length - 1]!.time;
    // Testnet3 scales the last block's bits: the limit, halved by a period twice as fast.
    expect(nextWorkRequired(next, lastTime + 600, lookup(blocks), { network: 'testnet' })).toBe(retargetBits(limit, blocks[0]!.time, lastTime, 'testnet'));
    // Testnet4 (BIP94) scales the first block's bits instead, so the real difficulty survives.
    expect(nextWorkRequired(next, lastTime + 600, lookup(blocks), { network: 'testnet', bip94: true })).toBe(retargetBits(real, blocks[0]!.time, lastTime, 'testnet'));
    expect(retargetBits(real, blocks[0]!.time, lastTime, 'testnet')).toBe(targetToBits((bitsToTarget(real) * BigInt(lastTime - blocks[0]!.time)) / BigInt(TARGET_TIMESPAN)));
  });

  it('BIP94 refuses a time warp at the start of a period', () => {
    const blocks = period(4032, 1_500_000_000, 600, 0x1c00ffff);
    const lastTime = blocks[blocks.length - 1]!.time;
    const rules = { network: 'testnet', bip94: true } as const;
    const bits = nextWorkRequired(6048, lastTime, lookup(blocks), rules)!;
    expect(checkDifficulty({ height: 6048, time: lastTime - 600, bits }, lookup(blocks), rules)).toEqual({ valid: true });
    expect(checkDifficulty({ height: 6048, time: lastTime - 601, bits }, lookup(blocks), rules)).toMatchObject({ valid: false, problem: 'time' });
    expect(checkDifficulty({ height: 6048, time: lastTime - 601, bits }, lookup(blocks), { network: 'testnet' })).toEqual({ valid: true });
  });

  it('regtest never retargets; its 20-minute rule gives the limit it already uses', () => {
    const limit = powLimitBits('regtest');
    expect(limit).toBe(0x207fffff);
    const blocks = period(0, 1_296_688_602, 1, limit);
    expect(nextWorkRequired(2016, blocks[2015]!.time + 1, lookup(blocks), { network: 'regtest' })).toBe(limit);
    expect(checkDifficulty({ height: 2016, time: blocks[2015]!.time + 1, bits: 0x2000ffff }, lookup(blocks), { network: 'regtest' })).toMatchObject({ valid: false, problem: 'bits', expected: limit });
    expect(checkDifficulty({ height: 5, time: blocks[4]!.time + 1, bits: 0x1d00ffff }, lookup(blocks), { network: 'regtest' })).toMatchObject({ valid: false, problem: 'bits' });
  });

  it('names the ancestor it needs at a boundary, and where the context of a run starts', () => {
    const ancestors = lookup([{ height: 4031, time: 1, bits: 0x1d00ffff }]);
    expect(checkDifficulty({ height: 4032, time: 2, bits: 0x1d00ffff }, ancestors, { network: 'mainnet' })).toMatchObject({ valid: false, problem: 'no-context', missing: 2016 });
    expect(checkDifficulty({ height: 10, time: 2, bits: 0x1d00ffff }, lookup([]), { network: 'mainnet' })).toMatchObject({ valid: false, problem: 'no-context', missing: 9 });
    expect(checkDifficulty({ height: 0, time: 2, bits: 0x1d00ffff }, lookup([]), { network: 'mainnet' })).toEqual({ valid: true });
    expect([contextStart(0), contextStart(1), contextStart(2016), contextStart(2017), contextStart(4032)]).toEqual([0, 0, 0, 2016, 2016]);
  });
});
