// Merkle proofs checked against the nodes earlier proofs of the same block proved: the same answers as checking each
// proof to the root, with fewer hashes.
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bitcoin/bytes.js';
import { sha256d } from '../../src/bitcoin/hash.js';
import { merkleBranch, merkleRoot, verifyMerkleProof } from '../../src/bitcoin/merkle.js';
import { ProvenNodes } from '../../src/network/proven-nodes.js';

const txids = Array.from({ length: 13 }, (_, i) => bytesToHex(sha256d(Uint8Array.of(i))));
const root = merkleRoot(txids);
/** A header whose merkle root is the tree's (only bytes 36..68 are read). */
const header = '00'.repeat(36) + bytesToHex(Uint8Array.from(Buffer.from(root, 'hex')).reverse()) + '00'.repeat(12);
const proofOf = (pos: number) => ({ merkle: merkleBranch(txids, pos), pos });

describe('ProvenNodes', () => {
  it('proves every transaction of a block as the plain check does, and refuses what it refuses', () => {
    const nodes = new ProvenNodes();
    for (let pos = 0; pos < txids.length; pos++) {
      expect(verifyMerkleProof(txids[pos]!, proofOf(pos), root)).toBe(true);
      expect(nodes.verify(txids[pos]!, proofOf(pos), header, 'block')).toBe(true);
    }
    // Now every place is known: a wrong transaction, a wrong position, a wrong sibling are refused.
    expect(nodes.verify('ab'.repeat(32), proofOf(3), header, 'block')).toBe(false);
    expect(nodes.verify(txids[3]!, { ...proofOf(3), pos: 4 }, header, 'block')).toBe(false);
    const bad = proofOf(5);
    expect(new ProvenNodes().verify(txids[5]!, { ...bad, merkle: ['cd'.repeat(32), ...bad.merkle.slice(1)] }, header, 'block')).toBe(false);
    // Once the transaction's own place is proven, what it claims is known true, whatever siblings come with it.
    expect(nodes.verify(txids[5]!, { ...bad, merkle: ['cd'.repeat(32), ...bad.merkle.slice(1)] }, header, 'block')).toBe(true);
    // Positions the branch cannot reach, junk hex, another depth: refused, and nothing is learnt from them.
    expect(nodes.verify(txids[1]!, { ...proofOf(1), pos: 2 ** 10 }, header, 'block')).toBe(false);
    expect(nodes.verify(txids[1]!, { merkle: ['zz'], pos: 1 }, header, 'block')).toBe(false);
    expect(nodes.verify(txids[1]!, { merkle: proofOf(1).merkle.slice(1), pos: 0 }, header, 'block')).toBe(false);
    expect(nodes.verify(txids[12]!, proofOf(12), header, 'block')).toBe(true);
    // Another block's places are its own.
    expect(nodes.verify(txids[2]!, proofOf(2), '11'.repeat(80), 'other')).toBe(false);
  });
});
