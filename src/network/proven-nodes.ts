// Merkle proofs checked against what earlier proofs of the same block already proved. A wallet syncing thousands of
// transactions of one block would otherwise hash the same upper nodes of its tree once per transaction (ten levels
// for a block of a thousand): here each node on a proven path is remembered by its place in the tree, and a later
// proof that reaches a remembered node with the same hash is proven there, since that node's path to the header's
// merkle root is already known. A proof that reaches a remembered place with another hash is false. Places are
// counted for one depth of tree per block, the depth of its first proof: a proof of another depth (a server passing an
// inner node off as a transaction, say) is checked on its own, all the way to the root, and leaves nothing behind.
//
// The siblings a proven path was hashed with are remembered too: a proven parent is sha256d(left ‖ right), so both
// halves are the tree's nodes at their places (short of a SHA-256 collision). The plain check of a later proof
// reaching such a place would hash that same pair to that same parent, so it is proven there with no hashing at all:
// the second transaction of every pair costs none. (The copy an odd level pairs its last node with is remembered at
// the place after it, where the plain check accepts it too: Bitcoin's merkle trees do not tell the two apart.)
import { equalBytes, hashFromHex, hashFromHexInto, hexToBytes } from '../bitcoin/bytes.js';
import { sha256d } from '../bitcoin/hash.js';

/** Tree nodes remembered over all blocks (about 60 bytes each); the oldest block's go first. */
export const PROVEN_NODES = 200_000;
/** Deeper than any block can be (2^64 transactions): a longer branch is refused before any hashing. */
const MAX_BRANCH = 64;

interface ProvenBlock {
  readonly depth: number;
  /** By level (0: transactions, `depth`: the root), where each proven node's 32 bytes (internal order) are in `slab`. */
  readonly levels: readonly Map<number, number>[];
  /**
   * The nodes' bytes, one after another: one buffer a block rather than an object a node, which the garbage collector
   * would copy and mark again and again while a sync keeps tens of thousands of them.
   */
  slab: Uint8Array;
  used: number;
}

export class ProvenNodes {
  readonly #blocks = new Map<string, ProvenBlock>();
  #size = 0;
  // What the proof being checked would prove (each path node and its sibling), kept from one call to the next so
  // that a sync of thousands of proofs allocates nothing for it: places, and their nodes' bytes one after another.
  readonly #levels: number[] = [];
  readonly #indexes: number[] = [];
  readonly #learned = new Uint8Array((MAX_BRANCH + 1) * 2 * 32);
  /** The pair being hashed: the path's node and its sibling, decoded straight into their halves. */
  readonly #pair = new Uint8Array(64);

  /** Whether `proof` puts `txid` (display hex) under the merkle root of `header` (hex), the header of block `blockHash`. */
  verify(txid: string, proof: { readonly merkle: readonly string[]; readonly pos: number }, header: string, blockHash: string): boolean {
    const branch = proof.merkle;
    if (!Array.isArray(branch) || branch.length > MAX_BRANCH || !Number.isSafeInteger(proof.pos) || proof.pos < 0 || proof.pos >= 2 ** branch.length) return false;
    const depth = branch.length;
    const block = this.#blocks.get(blockHash);
    const known = block !== undefined && block.depth === depth ? block : undefined;
    const same = block === undefined || known !== undefined;
    this.#levels.length = 0;
    this.#indexes.length = 0;
    try {
      let node = hashFromHex(txid, 'txid');
      let index = proof.pos;
      for (let level = 0; ; level++) {
        const at = known === undefined ? undefined : (known.levels[level] as Map<number, number>).get(index);
        if (at !== undefined) {
          if (!sameBytes((known as ProvenBlock).slab, at, node)) return false;
          this.#remember(blockHash, depth);
          return true;
        }
        this.#learn(level, index, node, 0);
        if (level === depth) break;
        const pair = this.#pair;
        const left = index & 1 ? 32 : 0; // the node's half; the sibling takes the other
        pair.set(node, left);
        hashFromHexInto(branch[level] as string, pair, 32 - left, 'merkle');
        this.#learn(level, index ^ 1, pair, 32 - left);
        node = sha256d(pair);
        index = Math.floor(index / 2);
      }
      // The root, bytes 36..68 of the header, in internal order as computed.
      if (typeof header !== 'string' || header.length !== 160) return false;
      if (!equalBytes(hexToBytes(header.slice(72, 136), 'header'), node)) return false;
      if (same) this.#remember(blockHash, depth);
      return true;
    } catch {
      return false; // hex that is not a hash: a proof that proves nothing
    }
  }

  /** Notes that the 32 bytes at `offset` of `source` are the node at (level, index), should the proof prove. */
  #learn(level: number, index: number, source: Uint8Array, offset: number) {
    const learned = this.#learned;
    for (let k = 0, to = this.#levels.length * 32; k < 32; k++) learned[to + k] = source[offset + k] as number;
    this.#levels.push(level);
    this.#indexes.push(index);
  }

  #remember(blockHash: string, depth: number) {
    let block = this.#blocks.get(blockHash);
    if (!block) {
      block = { depth, levels: Array.from({ length: depth + 1 }, () => new Map<number, number>()), slab: new Uint8Array(32 * 64), used: 0 };
      this.#blocks.set(blockHash, block);
    }
    for (let i = 0; i < this.#levels.length; i++) {
      const nodes = block.levels[this.#levels[i] as number] as Map<number, number>;
      const index = this.#indexes[i] as number;
      if (nodes.has(index)) continue;
      if (block.used + 32 > block.slab.length) {
        const grown = new Uint8Array(block.slab.length * 2);
        grown.set(block.slab);
        block.slab = grown;
      }
      const slab = block.slab;
      for (let k = 0, from = i * 32, to = block.used; k < 32; k++) slab[to + k] = this.#learned[from + k] as number;
      nodes.set(index, block.used);
      block.used += 32;
      this.#size++;
    }
    while (this.#size > PROVEN_NODES && this.#blocks.size > 1) {
      const [oldest, { used }] = this.#blocks.entries().next().value as [string, ProvenBlock];
      this.#size -= used / 32;
      this.#blocks.delete(oldest);
    }
  }
}

/** Whether the 32 bytes at `at` in `slab` are `node`. */
function sameBytes(slab: Uint8Array, at: number, node: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (slab[at + i] !== node[i]) return false;
  return true;
}
