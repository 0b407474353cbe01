// Stratum jobs to headers, cross-checked against real traffic: a share Public-Pool accepted (with BIP310 version
// rolling), a Slush Pool share kept by ESP-Miner, and mainnet block 100000 rebuilt from its coinbase and branch.
import { describe, expect, it } from 'vitest';
import {
  BitcoinError,
  buildCoinbase,
  buildHeader,
  hashFromHex,
  hashToHex,
  hexToBytes,
  meetsDifficulty,
  parseNotify,
  prevHashFromStratum,
  prevHashToStratum,
  serializeHeader,
  shareDifficulty,
  stratumMerkleRoot,
  u32ToHex,
  type StratumJob,
} from '../../src/bitcoin.js';
import { BLOCK_100000 } from '../fixtures/bitcoin/mainnet-headers.js';
import { PUBLIC_POOL_SHARE, SLUSH_SHARE } from '../fixtures/bitcoin/stratum-captures.js';

describe('a share Public-Pool accepted (mujina capture)', () => {
  const job = parseNotify(PUBLIC_POOL_SHARE.notify);
  const { submit } = PUBLIC_POOL_SHARE;
  const built = buildHeader(job, {
    extranonce1: PUBLIC_POOL_SHARE.extranonce1,
    extranonce2: submit.extranonce2,
    extranonce2Size: PUBLIC_POOL_SHARE.extranonce2Size,
    ntime: submit.ntime,
    nonce: submit.nonce,
    versionBits: submit.versionBits,
    versionMask: PUBLIC_POOL_SHARE.versionMask,
  });

  it('names the notify params', () => {
    expect(job).toMatchObject({
      jobId: '875b4b7',
      version: '20000000',
      nbits: '17023a04',
      ntime: '685468d7',
      cleanJobs: false,
    });
    expect(job.merkleBranch).toHaveLength(12);
  });

  it('decodes the word-swapped prevhash to the bytes the ASIC was sent', () => {
    expect(hashFromHex(prevHashFromStratum(job.prevHash))).toEqual(hexToBytes(PUBLIC_POOL_SHARE.wirePrevHash));
    expect(prevHashFromStratum(job.prevHash)).toBe(hashToHex(hexToBytes(PUBLIC_POOL_SHARE.wirePrevHash)));
    expect(prevHashToStratum(prevHashFromStratum(job.prevHash))).toBe(job.prevHash);
  });

  it('computes the merkle root the ASIC was sent', () => {
    expect(hashFromHex(built.merkleRoot)).toEqual(hexToBytes(PUBLIC_POOL_SHARE.wireMerkleRoot));
  });

  it('rolls the version as the miner logged it (BIP310)', () => {
    expect(built.version).toBe(PUBLIC_POOL_SHARE.loggedVersion);
  });

  it('meets the pool difficulty with the difficulty the miner logged', () => {
    expect(built.difficulty).toBeGreaterThanOrEqual(PUBLIC_POOL_SHARE.poolDifficulty);
    expect(Math.abs(built.difficulty - PUBLIC_POOL_SHARE.loggedDifficulty)).toBeLessThan(0.05);
    expect(shareDifficulty(built.header)).toBe(built.difficulty);
    expect(meetsDifficulty(built.header, PUBLIC_POOL_SHARE.poolDifficulty)).toBe(true);
    expect(meetsDifficulty(built.header, 29589)).toBe(false);
    expect(built.meetsNetworkTarget).toBe(false);
  });

  it('is not a valid share without the rolled version, or with another nonce', () => {
    const plain = buildHeader(job, {
      extranonce1: PUBLIC_POOL_SHARE.extranonce1,
      extranonce2: submit.extranonce2,
      ntime: submit.ntime,
      nonce: submit.nonce,
    });
    expect(plain.version).toBe(0x20000000);
    expect(plain.difficulty).toBeLessThan(PUBLIC_POOL_SHARE.poolDifficulty);
    const other = buildHeader(job, { ...PUBLIC_POOL_SHARE, ...submit, nonce: '7552034d' });
    expect(other.difficulty).toBeLessThan(PUBLIC_POOL_SHARE.poolDifficulty);
  });

  it('builds the coinbase as coinb1 + extranonce1 + extranonce2 + coinb2', () => {
    const coinbase = buildCoinbase(job, PUBLIC_POOL_SHARE.extranonce1, submit.extranonce2, 4);
    expect(coinbase).toBe(job.coinb1 + PUBLIC_POOL_SHARE.extranonce1 + submit.extranonce2 + job.coinb2);
    expect(built.coinbase).toBe(coinbase);
    expect(stratumMerkleRoot(coinbase, job.merkleBranch)).toBe(built.merkleRoot);
  });

  it('refuses malformed miner values with BitcoinErrors', () => {
    const base = { extranonce1: PUBLIC_POOL_SHARE.extranonce1, extranonce2: submit.extranonce2, nonce: submit.nonce };
    const reason = (work: Parameters<typeof buildHeader>[1]): string => {
      try {
        buildHeader(job, work);
      } catch (e) {
        expect(e).toBeInstanceOf(BitcoinError);
        return (e as BitcoinError).reason;
      }
      return 'none';
    };
    expect(reason({ ...base, extranonce2: '170000', extranonce2Size: 4 })).toBe('bad-length');
    expect(reason({ ...base, nonce: '7552034' })).toBe('bad-hex');
    expect(reason({ ...base, nonce: '7552034c00' })).toBe('bad-length');
    expect(reason({ ...base, ntime: 'zzzzzzzz' })).toBe('bad-hex');
    expect(reason({ ...base, versionBits: '00b44000' })).toBe('bad-argument'); // no mask granted
    expect(reason({ ...base, versionBits: 'e0000000', versionMask: PUBLIC_POOL_SHARE.versionMask })).toBe(
      'bad-argument',
    );
  });

  it('refuses malformed notify params', () => {
    expect(() => parseNotify([])).toThrow(BitcoinError);
    const broken = [...PUBLIC_POOL_SHARE.notify] as unknown[];
    broken[1] = 'abcd';
    expect(() => parseNotify(broken)).toThrow(/prevhash: expected 32 bytes/);
    broken[1] = PUBLIC_POOL_SHARE.notify[1];
    broken[4] = ['00'];
    expect(() => parseNotify(broken)).toThrow(/merkle_branch\[0\]/);
    broken[4] = 'nope';
    expect(() => parseNotify(broken)).toThrow(BitcoinError);
  });
});

describe('a Slush Pool share (ESP-Miner test vector)', () => {
  it('gives the merkle root and the share difficulty ESP-Miner computes', () => {
    const root = stratumMerkleRoot(SLUSH_SHARE.coinbase, SLUSH_SHARE.merkleBranch);
    expect(hashFromHex(root)).toEqual(hexToBytes(SLUSH_SHARE.merkleRootInternal));
    const header = serializeHeader({
      version: parseInt(SLUSH_SHARE.version, 16),
      prevHash: prevHashFromStratum(SLUSH_SHARE.prevHash),
      merkleRoot: root,
      time: parseInt(SLUSH_SHARE.ntime, 16),
      bits: parseInt(SLUSH_SHARE.nbits, 16),
      nonce: parseInt(SLUSH_SHARE.nonce, 16),
    });
    expect(Math.floor(shareDifficulty(header))).toBe(SLUSH_SHARE.difficultyFloor);
  });
});

describe('mainnet block 100000 from its coinbase and merkle branch', () => {
  // The job a pool would have sent for block 100000 (the Stratum tutorial's notify, with the prevhash put in
  // Stratum's word-swapped order), and the values the block's miner put in.
  const job: StratumJob = {
    jobId: '674320f700005d59',
    prevHash: prevHashToStratum(BLOCK_100000.prevHash),
    coinb1: BLOCK_100000.coinb1,
    coinb2: BLOCK_100000.coinb2,
    merkleBranch: BLOCK_100000.coinbaseBranchStratum,
    version: u32ToHex(BLOCK_100000.version),
    nbits: u32ToHex(BLOCK_100000.bits),
    ntime: u32ToHex(BLOCK_100000.time),
    cleanJobs: true,
  };
  const built = buildHeader(job, {
    extranonce1: BLOCK_100000.extranonce1,
    extranonce2: BLOCK_100000.extranonce2,
    nonce: u32ToHex(BLOCK_100000.nonce),
  });

  it('rebuilds the coinbase, its txid, the merkle root and the block hash', () => {
    expect(built.coinbase).toBe(BLOCK_100000.coinbase);
    expect(built.coinbaseTxid).toBe(BLOCK_100000.txids[0]);
    expect(built.merkleRoot).toBe(BLOCK_100000.merkleRoot);
    expect(built.hash).toBe(BLOCK_100000.hash);
  });

  it('is a block: it meets its own nbits, so any pool difficulty up to the network one', () => {
    expect(built.meetsNetworkTarget).toBe(true);
    expect(built.difficulty).toBeGreaterThan(BLOCK_100000.difficulty);
    expect(meetsDifficulty(built.header, BLOCK_100000.difficulty)).toBe(true);
  });
});
