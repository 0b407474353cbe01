// Headers, hashes, proof of work and chains, against real mainnet headers and the genesis blocks of Bitcoin
// Core's chainparams.
import { describe, expect, it } from 'vitest';
import {
  BitcoinError,
  blockHash,
  checkProofOfWork,
  parseHeader,
  serializeHeader,
  verifyHeaderChain,
  type BlockHeader,
} from '../../src/bitcoin.js';
import {
  BLOCK_100000,
  BLOCK_125552,
  GENESIS_MERKLE_ROOT,
  GENESIS_PARAMS,
  MAINNET_HASHES,
  MAINNET_HEADERS,
} from '../fixtures/bitcoin/mainnet-headers.js';

const ZERO_HASH = '0'.repeat(64);
const genesis = (p: { time: number; nonce: number; bits: number }): BlockHeader => ({
  version: 1,
  prevHash: ZERO_HASH,
  merkleRoot: GENESIS_MERKLE_ROOT,
  time: p.time,
  bits: p.bits,
  nonce: p.nonce,
});

/** Flips one bit of a hex header at a byte offset. */
function tamper(header: string, byte: number): string {
  const v = parseInt(header.slice(byte * 2, byte * 2 + 2), 16) ^ 0x01;
  return header.slice(0, byte * 2) + v.toString(16).padStart(2, '0') + header.slice(byte * 2 + 2);
}

describe('parse, serialize, hash', () => {
  it('gives the known hashes of mainnet blocks 0 to 8', () => {
    MAINNET_HEADERS.forEach((h, i) => expect(blockHash(h)).toBe(MAINNET_HASHES[i]));
  });

  it('parses the genesis header into its fields and back', () => {
    const g = parseHeader(MAINNET_HEADERS[0]!);
    expect(g).toEqual(genesis(GENESIS_PARAMS.mainnet));
    expect(serializeHeader(g)).toBe(MAINNET_HEADERS[0]);
  });

  it('round-trips every header and links each to the one before', () => {
    MAINNET_HEADERS.forEach((h, i) => {
      expect(serializeHeader(parseHeader(h))).toBe(h);
      if (i > 0) expect(parseHeader(h).prevHash).toBe(MAINNET_HASHES[i - 1]);
    });
  });

  it('hashes block 125552 (the bitcoin wiki example)', () => {
    expect(blockHash(BLOCK_125552.header)).toBe(BLOCK_125552.hash);
    expect(checkProofOfWork(BLOCK_125552.header, { network: 'mainnet' })).toBe(true);
  });

  it('rebuilds block 100000 from its fields', () => {
    const { hash, txids: _t, coinbase: _c, difficulty: _d, ...fields } = BLOCK_100000;
    const header = serializeHeader({
      version: fields.version,
      prevHash: fields.prevHash,
      merkleRoot: fields.merkleRoot,
      time: fields.time,
      bits: fields.bits,
      nonce: fields.nonce,
    });
    expect(blockHash(header)).toBe(hash);
    expect(checkProofOfWork(header)).toBe(true);
  });

  it('builds the regtest, testnet3 and mainnet genesis blocks from chainparams', () => {
    for (const [network, p] of Object.entries(GENESIS_PARAMS)) {
      const header = serializeHeader(genesis(p));
      expect(blockHash(header), network).toBe(p.hash);
      expect(checkProofOfWork(header, { network: network as 'regtest' | 'testnet' | 'mainnet' })).toBe(true);
    }
    expect(serializeHeader(genesis(GENESIS_PARAMS.mainnet))).toBe(MAINNET_HEADERS[0]);
  });

  it('refuses headers of the wrong size or not hex', () => {
    expect(() => parseHeader(MAINNET_HEADERS[0]!.slice(0, 158))).toThrow(BitcoinError);
    expect(() => blockHash(`${MAINNET_HEADERS[0]!}00`)).toThrow(/expected 80 bytes/);
    expect(() => parseHeader('zz'.repeat(80))).toThrow(/not a hex string/);
    expect(() => serializeHeader({ ...genesis(GENESIS_PARAMS.mainnet), nonce: 2 ** 33 })).toThrow(BitcoinError);
  });
});

describe('proof of work', () => {
  it('holds for every real header and fails once a byte changes', () => {
    for (const h of MAINNET_HEADERS) {
      expect(checkProofOfWork(h, { network: 'mainnet' })).toBe(true);
      expect(checkProofOfWork(tamper(h, 79))).toBe(false);
    }
  });

  it('refuses a regtest header as a mainnet one, and invalid bits without throwing', () => {
    const regtest = serializeHeader(genesis(GENESIS_PARAMS.regtest));
    expect(checkProofOfWork(regtest, { network: 'mainnet' })).toBe(false);
    expect(checkProofOfWork(serializeHeader({ ...genesis(GENESIS_PARAMS.mainnet), bits: 0x04923456 }))).toBe(false);
    expect(checkProofOfWork(serializeHeader({ ...genesis(GENESIS_PARAMS.mainnet), bits: 0xff123456 }))).toBe(false);
  });
});

describe('verifyHeaderChain', () => {
  it('accepts mainnet 0 to 8, as a list or concatenated (pre-1.6 hex)', () => {
    expect(verifyHeaderChain(MAINNET_HEADERS, { network: 'mainnet', startHeight: 0 })).toEqual({
      valid: true,
      count: 9,
      tipHash: MAINNET_HASHES[8],
    });
    expect(verifyHeaderChain(MAINNET_HEADERS.join(''))).toMatchObject({ valid: true, count: 9 });
  });

  it('continues from a known previous hash', () => {
    expect(verifyHeaderChain(MAINNET_HEADERS.slice(3), { prevHash: MAINNET_HASHES[2]! }).valid).toBe(true);
    expect(verifyHeaderChain(MAINNET_HEADERS.slice(3), { prevHash: MAINNET_HASHES[1]! })).toMatchObject({
      valid: false,
      index: 0,
      problem: 'bad-link',
    });
  });

  it('finds a gap, a swap and a tampered header', () => {
    const gap = [...MAINNET_HEADERS.slice(0, 4), ...MAINNET_HEADERS.slice(5)];
    expect(verifyHeaderChain(gap)).toMatchObject({ valid: false, index: 4, problem: 'bad-link' });
    const swapped = [MAINNET_HEADERS[0]!, MAINNET_HEADERS[2]!, MAINNET_HEADERS[1]!];
    expect(verifyHeaderChain(swapped)).toMatchObject({ valid: false, index: 1, problem: 'bad-link' });
    const tampered = MAINNET_HEADERS.slice();
    tampered[6] = tamper(tampered[6]!, 40); // inside the merkle root: the hash changes, the PoW fails
    expect(verifyHeaderChain(tampered)).toMatchObject({ valid: false, index: 6, problem: 'bad-pow' });
    expect(verifyHeaderChain(tampered, { checkPow: false })).toMatchObject({
      valid: false,
      index: 7,
      problem: 'bad-link',
    });
  });

  it('enforces the mainnet proof-of-work limit and the difficulty period', () => {
    const regtest = serializeHeader(genesis(GENESIS_PARAMS.regtest));
    expect(verifyHeaderChain([regtest])).toMatchObject({ valid: true });
    expect(verifyHeaderChain([regtest], { network: 'mainnet' })).toMatchObject({ valid: false, problem: 'bad-bits' });
    // Block 100000 follows a header with other bits; at height 100000 (not a multiple of 2016) that is refused.
    const b1 = parseHeader(MAINNET_HEADERS[1]!);
    const changed = serializeHeader({ ...b1, bits: 0x1c00ffff });
    expect(
      verifyHeaderChain([MAINNET_HEADERS[0]!, changed], { network: 'mainnet', startHeight: 0, checkPow: false }),
    ).toMatchObject({ valid: false, index: 1, problem: 'bad-bits' });
    expect(
      verifyHeaderChain([MAINNET_HEADERS[0]!, changed], { network: 'mainnet', startHeight: 2015, checkPow: false }),
    ).toMatchObject({ valid: true });
  });

  it('reports a short header and throws on text that is not hex', () => {
    expect(verifyHeaderChain([MAINNET_HEADERS[0]!, MAINNET_HEADERS[1]!.slice(0, 100)])).toMatchObject({
      valid: false,
      index: 1,
      problem: 'bad-length',
    });
    expect(() => verifyHeaderChain(['nope'])).toThrow(BitcoinError);
    expect(() => verifyHeaderChain(`${MAINNET_HEADERS[0]!}00`)).toThrow(/multiple of 80/);
    expect(verifyHeaderChain([])).toEqual({ valid: true, count: 0, tipHash: null });
  });
});
