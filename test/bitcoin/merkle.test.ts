// Merkle roots, get_merkle proofs and cp_height checkpoint proofs, against real blocks and the Electrum docs'
// traffic (which an ElectrumX server on regtest produced).
import { describe, expect, it } from 'vitest';
import {
  BitcoinError,
  coinbaseMerkleBranch,
  headersMerkleRoot,
  merkleBranch,
  merkleRoot,
  parseHeader,
  serializeHeader,
  verifyHeaderProof,
  verifyHeadersProof,
  verifyMerkleProof,
  verifyTransactionInHeader,
} from '../../src/bitcoin.js';
import { CHECKPOINT_EXAMPLE, STATUS_EXAMPLE } from '../fixtures/bitcoin/electrum-docs.js';
import {
  BLOCK_100000,
  GENESIS_MERKLE_ROOT,
  MAINNET_HASHES,
  MAINNET_HEADERS,
} from '../fixtures/bitcoin/mainnet-headers.js';

const block100000Header = serializeHeader({
  version: BLOCK_100000.version,
  prevHash: BLOCK_100000.prevHash,
  merkleRoot: BLOCK_100000.merkleRoot,
  time: BLOCK_100000.time,
  bits: BLOCK_100000.bits,
  nonce: BLOCK_100000.nonce,
});

describe('merkle root', () => {
  it('of block 100000 (4 transactions)', () => {
    expect(merkleRoot(BLOCK_100000.txids)).toBe(BLOCK_100000.merkleRoot);
  });

  it('of a coinbase-only block is the coinbase txid (genesis)', () => {
    expect(merkleRoot([GENESIS_MERKLE_ROOT])).toBe(GENESIS_MERKLE_ROOT);
    expect(parseHeader(MAINNET_HEADERS[0]!).merkleRoot).toBe(GENESIS_MERKLE_ROOT);
    expect(merkleBranch([GENESIS_MERKLE_ROOT], 0)).toEqual([]);
  });

  it('refuses an empty list, a bad index and malformed hashes', () => {
    expect(() => merkleRoot([])).toThrow(BitcoinError);
    expect(() => merkleBranch(BLOCK_100000.txids, 4)).toThrow(BitcoinError);
    expect(() => merkleRoot(['abcd'])).toThrow(/expected 32 bytes/);
  });
});

describe('branches', () => {
  it("give block 100000's coinbase branch as btcrelay and the Stratum tutorial have it", () => {
    expect(merkleBranch(BLOCK_100000.txids, 0)).toEqual(BLOCK_100000.coinbaseBranchDisplay);
    expect(coinbaseMerkleBranch(BLOCK_100000.txids.slice(1))).toEqual(BLOCK_100000.coinbaseBranchStratum);
  });

  it('match what ElectrumX answered in the status example, the odd-count duplicate included', () => {
    // Block 2473 holds three transactions: the coinbase (first node of pos 1's branch), 9c42... and 770f....
    const [, pos1, pos2] = STATUS_EXAMPLE.merkle;
    const txs = [pos1!.merkle[0]!, pos1!.tx_hash, pos2!.tx_hash];
    expect(merkleBranch(txs, 1)).toEqual(pos1!.merkle);
    expect(merkleBranch(txs, 2)).toEqual(pos2!.merkle); // 770f... is paired with itself
    // Both proofs lead to the same root, which must be the root of the three transactions.
    const root = merkleRoot(txs);
    expect(verifyMerkleProof(pos1!.tx_hash, pos1!, root)).toBe(true);
    expect(verifyMerkleProof(pos2!.tx_hash, pos2!, root)).toBe(true);
  });
});

describe('verifyMerkleProof / verifyTransactionInHeader', () => {
  it('accepts proofs for transactions of block 100000 against its header', () => {
    const coinbase = { block_height: 100000, merkle: BLOCK_100000.coinbaseBranchDisplay, pos: 0 };
    expect(verifyTransactionInHeader(BLOCK_100000.txids[0]!, coinbase, block100000Header)).toBe(true);
    for (let pos = 0; pos < 4; pos++) {
      const proof = { merkle: merkleBranch(BLOCK_100000.txids, pos), pos };
      expect(verifyTransactionInHeader(BLOCK_100000.txids[pos]!, proof, block100000Header)).toBe(true);
    }
  });

  it('refuses a wrong position, a wrong transaction, a wrong header and an unreachable position', () => {
    const proof = { merkle: BLOCK_100000.coinbaseBranchDisplay, pos: 0 };
    expect(verifyTransactionInHeader(BLOCK_100000.txids[0]!, { ...proof, pos: 1 }, block100000Header)).toBe(false);
    expect(verifyTransactionInHeader(BLOCK_100000.txids[2]!, proof, block100000Header)).toBe(false);
    expect(verifyTransactionInHeader(BLOCK_100000.txids[0]!, proof, MAINNET_HEADERS[1]!)).toBe(false);
    expect(verifyMerkleProof(BLOCK_100000.txids[0]!, { ...proof, pos: 4 }, BLOCK_100000.merkleRoot)).toBe(false);
    expect(verifyMerkleProof(BLOCK_100000.txids[0]!, { ...proof, pos: -1 }, BLOCK_100000.merkleRoot)).toBe(false);
  });

  it('throws a BitcoinError on malformed hex in a proof', () => {
    expect(() => verifyMerkleProof('00', { merkle: [], pos: 0 }, BLOCK_100000.merkleRoot)).toThrow(BitcoinError);
    expect(() =>
      verifyMerkleProof(BLOCK_100000.txids[0]!, { merkle: ['xyz'], pos: 0 }, BLOCK_100000.merkleRoot),
    ).toThrow(BitcoinError);
  });
});

describe('checkpoint proofs (cp_height)', () => {
  it('accept the docs example: header 5 under the root of headers 0..8', () => {
    expect(verifyHeaderProof(CHECKPOINT_EXAMPLE, CHECKPOINT_EXAMPLE.height)).toBe(true);
    expect(verifyHeaderProof(CHECKPOINT_EXAMPLE, CHECKPOINT_EXAMPLE.height, CHECKPOINT_EXAMPLE.root)).toBe(true);
    // The deepest node of the branch is header 4's hash: ElectrumX pairs block hashes.
    expect(CHECKPOINT_EXAMPLE.branch[0]).toBe(MAINNET_HASHES[4]);
  });

  it('rebuild the docs root from headers 0 to cp_height, and every branch', () => {
    const headers = MAINNET_HEADERS.slice(0, CHECKPOINT_EXAMPLE.cpHeight + 1);
    expect(headersMerkleRoot(headers)).toBe(CHECKPOINT_EXAMPLE.root);
    expect(merkleBranch(MAINNET_HASHES, CHECKPOINT_EXAMPLE.height)).toEqual(CHECKPOINT_EXAMPLE.branch);
    headers.forEach((header, height) => {
      expect(
        verifyHeaderProof(
          { header, branch: merkleBranch(MAINNET_HASHES, height), root: CHECKPOINT_EXAMPLE.root },
          height,
        ),
      ).toBe(true);
    });
  });

  it('refuse another height, another root, a checkpoint the client does not trust, a tampered branch', () => {
    expect(verifyHeaderProof(CHECKPOINT_EXAMPLE, 4)).toBe(false);
    expect(verifyHeaderProof(CHECKPOINT_EXAMPLE, 16)).toBe(false);
    expect(verifyHeaderProof({ ...CHECKPOINT_EXAMPLE, root: MAINNET_HASHES[0]! }, 5)).toBe(false);
    expect(verifyHeaderProof(CHECKPOINT_EXAMPLE, 5, MAINNET_HASHES[0]!)).toBe(false);
    const branch = [...CHECKPOINT_EXAMPLE.branch];
    branch[2] = MAINNET_HASHES[2]!;
    expect(verifyHeaderProof({ ...CHECKPOINT_EXAMPLE, branch }, 5)).toBe(false);
    expect(() => verifyHeaderProof(CHECKPOINT_EXAMPLE, -1)).toThrow(BitcoinError);
  });

  it('check a blockchain.block.headers answer, 1.6 list or pre-1.6 hex, with its proof on the last header', () => {
    const headers = MAINNET_HEADERS.slice(3, 6);
    const proof = { branch: CHECKPOINT_EXAMPLE.branch, root: CHECKPOINT_EXAMPLE.root };
    const answer = { count: 3, headers, max: 2016, ...proof }; // as a 1.6 server sends it, `max` included
    expect(verifyHeadersProof(answer, 3, CHECKPOINT_EXAMPLE.root)).toBe(true);
    expect(verifyHeadersProof({ count: 3, hex: headers.join(''), ...proof }, 3)).toBe(true);
    expect(verifyHeadersProof({ count: 2, headers: MAINNET_HEADERS.slice(0, 2) }, 0)).toBe(true);
    // Wrong count, broken linkage, a proof for another height, an expected root without a proof.
    expect(verifyHeadersProof({ count: 4, headers, ...proof }, 3)).toBe(false);
    expect(
      verifyHeadersProof(
        { count: 3, headers: [MAINNET_HEADERS[3]!, MAINNET_HEADERS[5]!, MAINNET_HEADERS[4]!], ...proof },
        3,
      ),
    ).toBe(false);
    expect(verifyHeadersProof({ count: 3, headers, ...proof }, 2)).toBe(false);
    expect(verifyHeadersProof({ count: 2, headers: MAINNET_HEADERS.slice(0, 2) }, 0, CHECKPOINT_EXAMPLE.root)).toBe(
      false,
    );
  });
});
