// BIP310 version rolling, the extranonce2 counter and the CPU nonce search.
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/runtime/errors.js';
import {
  applyVersionBits,
  BIP320_VERSION_MASK,
  BitcoinError,
  bitsToTarget,
  blockHash,
  buildHeader,
  difficultyToTarget,
  Extranonce2Counter,
  findNonce,
  formatExtranonce2,
  negotiateVersionRolling,
  parseNotify,
  parseVersionMask,
  searchNonce,
  serializeHeader,
  ShareValidator,
  versionBitsAllowed,
} from '../../src/bitcoin.js';
import { GENESIS_MERKLE_ROOT, GENESIS_PARAMS } from '../fixtures/bitcoin/mainnet-headers.js';
import { BIP310_CONFIGURE, EXTRANONCE2_VECTORS, PUBLIC_POOL_SHARE } from '../fixtures/bitcoin/stratum-captures.js';

describe('version rolling (BIP310)', () => {
  it('grants the intersection of the masks, as in the BIP example', () => {
    const grant = negotiateVersionRolling(0x18000000, {
      mask: BIP310_CONFIGURE.requestedMask,
      minBitCount: BIP310_CONFIGURE.minBitCount,
    });
    expect(grant).toEqual({ mask: 0x18000000, maskHex: BIP310_CONFIGURE.grantedMask, bitCount: 2, enough: true });
    expect(negotiateVersionRolling(0x18000000, { mask: '1fffe000', minBitCount: '3' }).enough).toBe(false);
    // cgminer sends only a mask of ffffffff; the pool's own mask comes back (ckpool answers 1fffe000).
    expect(negotiateVersionRolling(BIP320_VERSION_MASK, { mask: 'ffffffff' }).maskHex).toBe('1fffe000');
    expect(negotiateVersionRolling(BIP320_VERSION_MASK).maskHex).toBe('1fffe000');
  });

  it("computes the captured share's version and checks the bits a miner used", () => {
    expect(
      applyVersionBits(0x20000000, parseVersionMask(PUBLIC_POOL_SHARE.submit.versionBits), BIP320_VERSION_MASK),
    ).toBe(PUBLIC_POOL_SHARE.loggedVersion);
    // Bits of the job version inside the mask are replaced, bits outside are kept.
    expect(applyVersionBits(0x2000e004, 0x00002000, 0x0000e000)).toBe(0x20002004);
    expect(versionBitsAllowed(0x00b44000, BIP320_VERSION_MASK)).toBe(true);
    expect(versionBitsAllowed(0x20000000, BIP320_VERSION_MASK)).toBe(false);
    expect(versionBitsAllowed(0, 0)).toBe(true);
  });

  it('refuses malformed masks', () => {
    expect(() => parseVersionMask('1fffe00')).toThrow(BitcoinError);
    expect(() => negotiateVersionRolling(BIP320_VERSION_MASK, { minBitCount: 'two' })).toThrow(BitcoinError);
    expect(() => negotiateVersionRolling(BIP320_VERSION_MASK, { minBitCount: -1 })).toThrow(BitcoinError);
    expect(() => negotiateVersionRolling(BIP320_VERSION_MASK, { minBitCount: 1.5 })).toThrow(BitcoinError);
  });

  it('reads a string min-bit-count as hex, as SRI does, and grants nothing for more than 32 bits', () => {
    expect(negotiateVersionRolling(BIP320_VERSION_MASK, { minBitCount: '10' }).enough).toBe(true); // 16 bits of 16
    expect(negotiateVersionRolling(BIP320_VERSION_MASK, { minBitCount: '11' }).enough).toBe(false); // 17
    expect(negotiateVersionRolling(0xffffffff, { minBitCount: 33 }).enough).toBe(false);
    expect(negotiateVersionRolling(0xffffffff, { minBitCount: 2 ** 32 }).enough).toBe(false);
    expect(negotiateVersionRolling(0xffffffff, { minBitCount: 'ffffffff' }).enough).toBe(false);
    expect(() => applyVersionBits(-1, 0, 0)).toThrow(BitcoinError);
  });
});

describe('extranonce2', () => {
  it.each(EXTRANONCE2_VECTORS)('$value in $size bytes is $hex (ESP-Miner)', ({ value, size, hex }) => {
    expect(formatExtranonce2(value, size)).toBe(hex);
  });

  it('counts through every value of its size once, then stops', () => {
    const counter = new Extranonce2Counter(1, 254);
    expect(counter.remaining).toBe(2n);
    expect([counter.next(), counter.next()]).toEqual(['fe', 'ff']);
    expect(() => counter.next()).toThrow(BitcoinError);
    const c4 = new Extranonce2Counter(4);
    expect([c4.next(), c4.next()]).toEqual(['00000000', '01000000']);
    expect(new Extranonce2Counter(8, 2n ** 63n).next()).toBe('0000000000000080');
  });

  it('refuses sizes and values that do not fit', () => {
    expect(() => new Extranonce2Counter(0)).toThrow(BitcoinError);
    expect(() => new Extranonce2Counter(2, 65536)).toThrow(BitcoinError);
    expect(() => formatExtranonce2(256, 1)).toThrow(BitcoinError);
  });
});

describe('nonce search', () => {
  const regtestGenesis = (nonce: number): string =>
    serializeHeader({
      version: 1,
      prevHash: '0'.repeat(64),
      merkleRoot: GENESIS_MERKLE_ROOT,
      time: GENESIS_PARAMS.regtest.time,
      bits: GENESIS_PARAMS.regtest.bits,
      nonce,
    });

  it("finds the regtest genesis block's nonce and hash (chainparams: nonce 2)", () => {
    const found = findNonce(regtestGenesis(0), bitsToTarget(GENESIS_PARAMS.regtest.bits), {
      startNonce: 2,
      maxIterations: 1,
    });
    expect(found).toMatchObject({ nonce: 2, nonceHex: '00000002', hash: GENESIS_PARAMS.regtest.hash, tries: 1 });
    expect(found?.header).toBe(regtestGenesis(2));
  });

  it('tries nonces in order from startNonce and stops after maxIterations', () => {
    const target = bitsToTarget(GENESIS_PARAMS.regtest.bits);
    const first = findNonce(regtestGenesis(0), target);
    expect(first).not.toBeNull();
    // Every nonce before the one found misses the target.
    for (let n = 0; n < first!.nonce; n++)
      expect(findNonce(regtestGenesis(0), target, { startNonce: n, maxIterations: 1 })).toBeNull();
    expect(first!.tries).toBe(first!.nonce + 1);
    expect(findNonce(regtestGenesis(0), 0n, { maxIterations: 1000 })).toBeNull();
    expect(findNonce(regtestGenesis(0), 0n, { startNonce: 0xfffffff0 })).toBeNull();
  });

  it('finds a share for a real job at a low difficulty, which the pool-side check accepts', async () => {
    const job = parseNotify(PUBLIC_POOL_SHARE.notify);
    const work = { extranonce1: PUBLIC_POOL_SHARE.extranonce1, extranonce2: '00000000', nonce: '00000000' };
    const difficulty = 2 ** -16; // about 2^16 tries on average
    const found = await searchNonce(buildHeader(job, work).header, difficultyToTarget(difficulty), { chunkSize: 4096 });
    expect(found).not.toBeNull();
    const check = new ShareValidator(job, { extranonce1: work.extranonce1, extranonce2Size: 4 }).check(
      { extranonce2: '00000000', ntime: job.ntime, nonce: found!.nonceHex },
      difficulty,
    );
    expect(check.accepted).toBe(true);
    expect(check.hash).toBe(found!.hash);
    expect(blockHash(found!.header)).toBe(found!.hash);
  });

  it('can be aborted, before or while it runs', async () => {
    const header = regtestGenesis(0);
    const aborted = new AbortController();
    aborted.abort();
    await expect(searchNonce(header, 0n, { signal: aborted.signal })).rejects.toBeInstanceOf(AbortedError);
    // Target 0 is never met: the search would run through all 2^32 nonces. It tries its first chunk before
    // the call returns, then yields to the event loop between chunks; the abort lands at such a yield.
    const controller = new AbortController();
    const search = searchNonce(header, 0n, { signal: controller.signal, chunkSize: 256 });
    controller.abort();
    await expect(search).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('refuses bad options', async () => {
    expect(() => findNonce(regtestGenesis(0), 1n, { startNonce: -1 })).toThrow(BitcoinError);
    expect(() => findNonce('00', 1n)).toThrow(BitcoinError);
    await expect(searchNonce(regtestGenesis(0), 1n, { chunkSize: 0 })).rejects.toBeInstanceOf(BitcoinError);
  });
});
