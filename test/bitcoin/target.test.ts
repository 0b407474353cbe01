// Compact bits, targets and difficulty: Bitcoin Core's arith_uint256 vectors and real block difficulties.
import { describe, expect, it } from 'vitest';
import {
  BitcoinError,
  bitsToDifficulty,
  bitsToTarget,
  decodeBits,
  DIFF1_TARGET,
  difficultyToTarget,
  hashDifficulty,
  hashMeetsTarget,
  hashToBigInt,
  hashFromHex,
  MAX_TARGET,
  targetToBits,
  targetToBytes,
  targetToDifficulty,
} from '../../src/bitcoin.js';
import { BLOCK_100000, MAINNET_HASHES } from '../fixtures/bitcoin/mainnet-headers.js';

/** SetCompact / GetCompact from Bitcoin Core's src/test/arith_uint256_tests.cpp: [compact, hex, GetCompact, negative, overflow]. */
const CORE_COMPACT: [number, string, number, boolean, boolean][] = [
  [0x02800056, '0', 0, false, false],
  [0x03800000, '0', 0, false, false],
  [0x04800000, '0', 0, false, false],
  [0x01123456, '12', 0x01120000, false, false],
  [0x01fedcba, '7e', 0x01fe0000, true, false],
  [0x02123456, '1234', 0x02123400, false, false],
  [0x03123456, '123456', 0x03123456, false, false],
  [0x04123456, '12345600', 0x04123456, false, false],
  [0x04923456, '12345600', 0x04923456, true, false],
  [0x05009234, '92340000', 0x05009234, false, false],
  [0x20123456, '123456' + '0'.repeat(58), 0x20123456, false, false],
];

describe('compact bits', () => {
  it.each(CORE_COMPACT)(
    'Core vector %# (compact %d) decodes as bitcoind does',
    (compact, hex, recompact, negative, overflow) => {
      const d = decodeBits(compact);
      expect(d.target).toBe(BigInt(`0x${hex}`));
      expect(d.negative).toBe(negative);
      expect(d.overflow).toBe(overflow);
      // Core re-encodes negative targets with GetCompact(true), i.e. with the sign bit put back.
      expect(targetToBits(d.target) | (negative ? 0x00800000 : 0)).toBe(recompact);
    },
  );

  it('reports overflow for 0xff123456 and refuses invalid bits as targets', () => {
    expect(decodeBits(0xff123456)).toMatchObject({ negative: false, overflow: true });
    for (const bad of [0xff123456, 0x04923456, 0x02800056]) expect(() => bitsToTarget(bad)).toThrow(BitcoinError);
  });

  it('never makes a compact with the sign bit set (Core: 0x80 -> 0x02008000)', () => {
    expect(targetToBits(0x80n)).toBe(0x02008000);
  });

  it('maps 0x1d00ffff to the diff1 target and back', () => {
    expect(bitsToTarget(0x1d00ffff)).toBe(DIFF1_TARGET);
    expect(DIFF1_TARGET.toString(16).padStart(64, '0')).toBe(
      '00000000ffff0000000000000000000000000000000000000000000000000000',
    );
    expect(targetToBits(DIFF1_TARGET)).toBe(0x1d00ffff);
  });
});

describe('difficulty', () => {
  it('is 1 for the genesis bits and 14484.16... for block 100000 (bitcoind / mempool.space)', () => {
    expect(bitsToDifficulty(0x1d00ffff)).toBe(1);
    expect(bitsToDifficulty(BLOCK_100000.bits)).toBeCloseTo(BLOCK_100000.difficulty, 9);
  });

  it('converts pool difficulties to targets exactly, fractional ones too', () => {
    expect(difficultyToTarget(1)).toBe(DIFF1_TARGET);
    expect(difficultyToTarget(8192)).toBe(DIFF1_TARGET / 8192n);
    expect(difficultyToTarget(0.5)).toBe(DIFF1_TARGET * 2n);
    expect(difficultyToTarget(1.999969)).toBe((DIFF1_TARGET * 2n ** 52n) / BigInt(1.999969 * 2 ** 52));
    expect(difficultyToTarget(2 ** -40)).toBe(MAX_TARGET);
    for (const d of [1, 3, 8192, 0.001, 1e6, 123456.789])
      expect(targetToDifficulty(difficultyToTarget(d))).toBeCloseTo(d, 6);
  });

  it('refuses difficulties that are not finite and positive', () => {
    for (const bad of [0, -1, NaN, Infinity, '1' as unknown as number]) {
      expect(() => difficultyToTarget(bad)).toThrow(BitcoinError);
    }
  });

  it('gives a share difficulty for a block hash, and compares it with targets', () => {
    const genesisHash = hashFromHex(MAINNET_HASHES[0]!);
    expect(hashToBigInt(genesisHash)).toBe(BigInt(`0x${MAINNET_HASHES[0]!}`));
    // The genesis hash met difficulty 1 by a wide margin; its share difficulty sits between two integers.
    const d = hashDifficulty(genesisHash);
    expect(d).toBeGreaterThan(1);
    expect(hashMeetsTarget(genesisHash, DIFF1_TARGET)).toBe(true);
    expect(hashMeetsTarget(genesisHash, difficultyToTarget(Math.ceil(d)))).toBe(false);
    expect(hashMeetsTarget(genesisHash, targetToBytes(difficultyToTarget(Math.floor(d))))).toBe(true);
    const target = hashToBigInt(genesisHash);
    expect(hashMeetsTarget(genesisHash, target)).toBe(true);
    expect(hashMeetsTarget(genesisHash, target - 1n)).toBe(false);
  });
});
