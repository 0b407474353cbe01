// Merkle proofs checked against what earlier proofs of the same block already proved. A wallet syncing thousands of
// transactions of one block would otherwise hash the same upper nodes of its tree once per transaction (ten levels
// for a block of a thousand): here each node on a proven path is remembered by its place in the tree, and a later
// proof that reaches a remembered node with the same hash is proven there, since that node's path to the header's
// merkle root is already known. A proof that reaches a remembered place with another hash is false. Places are
// counted for one depth of tree per block, the depth of its first proof: a proof of another depth (a server passing an
// inner node off as a transaction, say) is checked on its own, all the way to the root, and leaves nothing behind, as
// is one deeper than MEMO_DEPTH (no block comes near: 2^29 transactions).
//
// The siblings a proven path was hashed with are remembered too: a proven parent is sha256d(left ‖ right), so both
// halves are the tree's nodes at their places (short of a SHA-256 collision). The plain check of a later proof
// reaching such a place would hash that same pair to that same parent, so it is proven there with no hashing at all:
// the second transaction of every pair costs none. (The copy an odd level pairs its last node with is remembered at
// the place after it, where the plain check accepts it too: Bitcoin's merkle trees do not tell the two apart.)
import { equalBytes, hashFromHexInto, hexToBytes } from '../bitcoin/bytes.js';
import { sha256d, sha256dInto } from '../bitcoin/hash.js';

/** Tree nodes remembered over all blocks (about 60 bytes each); the oldest block's go first. */
export const PROVEN_NODES = 200_000;
/** Deeper than any block can be (2^64 transactions): a longer branch is refused before any hashing. */
const MAX_BRANCH = 64;
/**
 * The deepest tree whose nodes are remembered: a place is numbered as in a binary heap (the root 1, the nodes of level
 * `l` from 2^(depth-l)), which must stay a small integer (below 2^30) for the engine's maps to be fast.
 */
const MEMO_DEPTH = 29;
/**
 * A block's places go from a map to an array indexed by place (2^(depth+1) entries, 4 bytes each) once it holds a
 * node for every DENSE_RATIO places: the array then costs no more than the map's entries (a wallet's sync proving
 * much of a block), and each lookup is an index, not a hash. Blocks with a few proofs keep their small map.
 */
const DENSE_RATIO = 8;

interface ProvenBlock {
  readonly depth: number;
  /** Each proven node's number in `slab` (its 32 bytes, internal order, are words 8n..8n+8), by its place. */
  places: Map<number, number> | undefined;
  /** The same once dense: the node's number plus one by place, 0 for a place not proven. */
  dense: Int32Array | undefined;
  /**
   * The nodes' bytes, one after another, as 32-bit words (copied and compared 8 at a time): one buffer a block rather
   * than an object a node, which the garbage collector would copy and mark again and again while a sync keeps tens of
   * thousands of them.
   */
  slab: Int32Array;
  count: number;
}

export class ProvenNodes {
  readonly #blocks = new Map<string, ProvenBlock>();
  #size = 0;
  // What the proof being checked would prove (each path node and its sibling), kept from one call to the next so
  // that a sync of thousands of proofs allocates nothing for it: places, and their nodes' words one after another.
  readonly #places: number[] = [];
  readonly #learned = new Int32Array((MEMO_DEPTH + 1) * 2 * 8);
  /** The pair being hashed: the path's node and its sibling, decoded straight into their halves; and as words. */
  readonly #pair = new Uint8Array(64);
  readonly #pairWords = new Int32Array(this.#pair.buffer);
  /** Its halves, hashed as two pieces and each written with its parent in place: no view or copy made per node. */
  readonly #left = this.#pair.subarray(0, 32);
  readonly #right = this.#pair.subarray(32);

  /** Whether `proof` puts `txid` (display hex) under the merkle root of `header` (hex), the header of block `blockHash`. */
  verify(txid: string, proof: { readonly merkle: readonly string[]; readonly pos: number }, header: string, blockHash: string): boolean {
    const branch = proof.merkle;
    if (!Array.isArray(branch) || branch.length > MAX_BRANCH || !Number.isSafeInteger(proof.pos) || proof.pos < 0 || proof.pos >= 2 ** branch.length) return false;
    if (typeof header !== 'string' || header.length !== 160) return false;
    const depth = branch.length;
    if (depth > MEMO_DEPTH) return plainVerify(txid, branch, proof.pos, header);
    const block = this.#blocks.get(blockHash);
    const known = block !== undefined && block.depth === depth ? block : undefined;
    const same = block === undefined || known !== undefined;
    const pair = this.#pair;
    const words = this.#pairWords;
    this.#places.length = 0;
    try {
      let index = proof.pos;
      let half = index & 1; // which half of the pair holds the path's node: 1, the right
      hashFromHexInto(txid, pair, half * 32, 'txid');
      for (let level = 0; ; level++) {
        const place = (1 << (depth - level)) + index;
        const at = known === undefined ? undefined : known.dense !== undefined ? (known.dense[place] as number) - 1 : (known.places?.get(place) ?? -1);
        if (at !== undefined && at >= 0) {
          if (!sameWords((known as ProvenBlock).slab, at * 8, words, half * 8)) return false;
          this.#remember(blockHash, depth, known);
          return true;
        }
        this.#learn(place, words, half * 8);
        if (level === depth) break;
        hashFromHexInto(branch[level] as string, pair, 32 - half * 32, 'merkle');
        this.#learn(place ^ 1, words, 8 - half * 8);
        index >>>= 1;
        half = index & 1;
        sha256dInto(this.#left, half ? this.#right : this.#left, this.#right);
      }
      // The root, bytes 36..68 of the header, in internal order as computed.
      if (!equalBytes(hexToBytes(header.slice(72, 136), 'header'), pair.subarray(half * 32, half * 32 + 32))) return false;
      if (same) this.#remember(blockHash, depth, known);
      return true;
    } catch {
      return false; // hex that is not a hash: a proof that proves nothing
    }
  }

  /** Notes that the 8 words at `offset` of `source` are the node at `place`, should the proof prove. */
  #learn(place: number, source: Int32Array, offset: number) {
    const to = this.#places.length * 8;
    const learned = this.#learned;
    for (let k = 0; k < 8; k++) learned[to + k] = source[offset + k] as number;
    this.#places.push(place);
  }

  /** `known`: the block's entry, which the proof's check has looked up already (undefined: a block new here). */
  #remember(blockHash: string, depth: number, known: ProvenBlock | undefined) {
    let block = known;
    if (!block) {
      block = { depth, places: new Map<number, number>(), dense: undefined, slab: new Int32Array(8 * 64), count: 0 };
      this.#blocks.set(blockHash, block);
    }
    const learned = this.#learned;
    for (let i = 0; i < this.#places.length; i++) {
      const place = this.#places[i] as number;
      if (block.dense !== undefined ? block.dense[place] !== 0 : (block.places as Map<number, number>).has(place)) continue;
      if ((block.count + 1) * 8 > block.slab.length) {
        const grown = new Int32Array(block.slab.length * 2);
        grown.set(block.slab);
        block.slab = grown;
      }
      const slab = block.slab;
      for (let k = 0, from = i * 8, to = block.count * 8; k < 8; k++) slab[to + k] = learned[from + k] as number;
      if (block.dense !== undefined) block.dense[place] = ++block.count;
      else (block.places as Map<number, number>).set(place, block.count++);
      this.#size++;
    }
    if (block.places !== undefined && block.count * DENSE_RATIO >= 2 ** (depth + 1)) {
      const dense = new Int32Array(2 ** (depth + 1));
      for (const [place, n] of block.places) dense[place] = n + 1;
      block.dense = dense;
      block.places = undefined;
    }
    while (this.#size > PROVEN_NODES && this.#blocks.size > 1) {
      const [oldest, { count }] = this.#blocks.entries().next().value as [string, ProvenBlock];
      this.#size -= count;
      this.#blocks.delete(oldest);
    }
  }
}

/** Whether the 8 words at `at` of `slab` are those at `offset` of `node`. */
function sameWords(slab: Int32Array, at: number, node: Int32Array, offset: number): boolean {
  for (let i = 0; i < 8; i++) if (slab[at + i] !== node[offset + i]) return false;
  return true;
}

/** The plain check, all the way to the root, for a branch too deep to be remembered (no real block is). */
function plainVerify(txid: string, branch: readonly string[], pos: number, header: string): boolean {
  const pair = new Uint8Array(64);
  try {
    let index = pos;
    let half = index % 2;
    hashFromHexInto(txid, pair, half * 32, 'txid');
    for (const sibling of branch) {
      hashFromHexInto(sibling, pair, 32 - half * 32, 'merkle');
      const parent = sha256d(pair);
      index = Math.floor(index / 2);
      half = index % 2;
      pair.set(parent, half * 32);
    }
    return equalBytes(hexToBytes(header.slice(72, 136), 'header'), pair.subarray(half * 32, half * 32 + 32));
  } catch {
    return false;
  }
}
