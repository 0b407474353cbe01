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

  it('knows the siblings a proven path was hashed with, and still refuses another transaction in their place', () => {
    const nodes = new ProvenNodes();
    expect(nodes.verify(txids[4]!, proofOf(4), header, 'block')).toBe(true);
    // Transaction 5 was hashed with 4: its place is known, so even a proof with junk siblings proves it (as above).
    const junk = proofOf(5).merkle.map(() => 'ef'.repeat(32));
    expect(nodes.verify(txids[5]!, { merkle: junk, pos: 5 }, header, 'block')).toBe(true);
    // Another transaction at that place, or transaction 5 at another, is refused, with honest siblings or not.
    expect(nodes.verify(txids[6]!, { merkle: proofOf(5).merkle, pos: 5 }, header, 'block')).toBe(false);
    expect(nodes.verify(txids[5]!, { merkle: proofOf(6).merkle, pos: 6 }, header, 'block')).toBe(false);
    // The copy the odd last node is paired with: the plain check accepts it at the place after, and so does this.
    const last = { merkle: merkleBranch(txids, 12), pos: 13 };
    expect(verifyMerkleProof(txids[12]!, last, root)).toBe(true);
    expect(nodes.verify(txids[12]!, proofOf(12), header, 'block')).toBe(true);
    expect(nodes.verify(txids[12]!, { merkle: junk.slice(0, last.merkle.length), pos: 13 }, header, 'block')).toBe(true);
  });

  it('learns nothing from a false proof: a lie cannot make a later one pass (the cache is shared by every server)', () => {
    const nodes = new ProvenNodes();
    const liar = 'aa'.repeat(32);
    // A liar's proof of a transaction not in the block, with made-up siblings: refused, and nothing of it is kept.
    const made = proofOf(2).merkle.map((_, i) => (i === 0 ? 'bb'.repeat(32) : 'cc'.repeat(32)));
    expect(nodes.verify(liar, { merkle: made, pos: 2 }, header, 'block')).toBe(false);
    expect(nodes.verify(liar, { merkle: made, pos: 2 }, header, 'block')).toBe(false);
    // A false sibling beside a true transaction: refused; the true proofs still pass, and the false sibling is not known.
    expect(nodes.verify(txids[2]!, { merkle: ['bb'.repeat(32), ...proofOf(2).merkle.slice(1)], pos: 2 }, header, 'block')).toBe(false);
    expect(nodes.verify('bb'.repeat(32), { merkle: proofOf(3).merkle, pos: 3 }, header, 'block')).toBe(false);
    expect(nodes.verify(txids[2]!, proofOf(2), header, 'block')).toBe(true);
    expect(nodes.verify(txids[3]!, proofOf(3), header, 'block')).toBe(true);
    // Every transaction still proves as the plain check says, in any order.
    for (const pos of [12, 0, 7, 1, 11, 6, 9, 4, 10, 5, 8]) expect(nodes.verify(txids[pos]!, proofOf(pos), header, 'block')).toBe(true);
    for (let pos = 0; pos < txids.length; pos++) expect(nodes.verify(liar, proofOf(pos), header, 'block')).toBe(false);
  });

  it('checks a branch too deep to remember all the way to the root, as the plain check does', () => {
    // No block is 2^31 transactions deep, but a server may say so: a true fold of 31 levels proves, a false one not.
    const siblings = Array.from({ length: 31 }, (_, i) => bytesToHex(sha256d(Uint8Array.of(100 + i))));
    const pos = 2 ** 30 + 12345;
    const deepRoot = siblings.reduce((node, sibling, level) => {
      const right = Math.floor(pos / 2 ** level) % 2 === 1;
      const [l, r] = right ? [Buffer.from(sibling, 'hex').reverse(), node] : [node, Buffer.from(sibling, 'hex').reverse()];
      return Buffer.from(sha256d(Uint8Array.from(Buffer.concat([l, r]))));
    }, Buffer.from(txids[0]!, 'hex').reverse());
    const deepHeader = '00'.repeat(36) + deepRoot.toString('hex') + '00'.repeat(12);
    const nodes = new ProvenNodes();
    expect(verifyMerkleProof(txids[0]!, { merkle: siblings, pos }, Buffer.from(deepRoot).reverse().toString('hex'))).toBe(true);
    expect(nodes.verify(txids[0]!, { merkle: siblings, pos }, deepHeader, 'deep')).toBe(true);
    expect(nodes.verify(txids[0]!, { merkle: siblings, pos: pos + 1 }, deepHeader, 'deep')).toBe(false);
    expect(nodes.verify(txids[1]!, { merkle: siblings, pos }, deepHeader, 'deep')).toBe(false);
    expect(nodes.verify(txids[0]!, { merkle: ['ab'.repeat(32), ...siblings.slice(1)], pos }, deepHeader, 'deep')).toBe(false);
  });
});
