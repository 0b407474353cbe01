// Merkle proofs checked against what earlier proofs of the same block already proved. A wallet syncing thousands of
// transactions of one block would otherwise hash the same upper nodes of its tree once per transaction (ten levels
// for a block of a thousand): here each node on a proven path is remembered by its place in the tree, and a later
// proof that reaches a remembered node with the same hash is proven there, since that node's path to the header's
// merkle root is already known. A proof that reaches a remembered place with another hash is false. Places are
// counted for one depth of tree per block, the depth of its first proof: a proof of another depth (a server passing an
// inner node off as a transaction, say) is checked on its own, all the way to the root, and leaves nothing behind.
import { bytesToHex, hashFromHex, hexToBytes } from '../bitcoin/bytes.js';
import { sha256d } from '../bitcoin/hash.js';

/** Tree nodes remembered over all blocks (about 100 bytes each); the oldest block's go first. */
export const PROVEN_NODES = 200_000;
/** Deeper than any block can be (2^64 transactions): a longer branch is refused before any hashing. */
const MAX_BRANCH = 64;

export class ProvenNodes {
  readonly #blocks = new Map<string, { depth: number; nodes: Map<string, string> }>();
  #size = 0;

  /** Whether `proof` puts `txid` (display hex) under the merkle root of `header` (hex), the header of block `blockHash`. */
  verify(txid: string, proof: { readonly merkle: readonly string[]; readonly pos: number }, header: string, blockHash: string): boolean {
    const branch = proof.merkle;
    if (!Array.isArray(branch) || branch.length > MAX_BRANCH || !Number.isSafeInteger(proof.pos) || proof.pos < 0 || proof.pos >= 2 ** branch.length) return false;
    try {
      const block = this.#blocks.get(blockHash);
      const same = block === undefined || block.depth === branch.length;
      const known = same ? block?.nodes : undefined;
      const path: [string, string][] = [];
      let node = hashFromHex(txid, 'txid');
      let index = proof.pos;
      for (let level = 0; level <= branch.length; level++) {
        const key = `${level}:${index}`;
        const hex = bytesToHex(node);
        const seen = known?.get(key);
        if (seen !== undefined) {
          if (seen !== hex) return false;
          this.#remember(blockHash, branch.length, path);
          return true;
        }
        path.push([key, hex]);
        if (level === branch.length) break;
        const sibling = hashFromHex(branch[level] as string, 'merkle');
        const pair = new Uint8Array(64);
        pair.set(index & 1 ? sibling : node, 0);
        pair.set(index & 1 ? node : sibling, 32);
        node = sha256d(pair);
        index = Math.floor(index / 2);
      }
      const root = bytesToHex(hexToBytes(header, 'header', 80).subarray(36, 68));
      if (bytesToHex(node) !== root) return false;
      if (same) this.#remember(blockHash, branch.length, path);
      return true;
    } catch {
      return false; // hex that is not a hash: a proof that proves nothing
    }
  }

  #remember(blockHash: string, depth: number, path: readonly [string, string][]) {
    let block = this.#blocks.get(blockHash);
    if (!block) this.#blocks.set(blockHash, (block = { depth, nodes: new Map() }));
    const nodes = block.nodes;
    for (const [key, hex] of path) {
      if (nodes.has(key)) continue;
      nodes.set(key, hex);
      this.#size++;
    }
    while (this.#size > PROVEN_NODES && this.#blocks.size > 1) {
      const [oldest, { nodes: oldestNodes }] = this.#blocks.entries().next().value as [string, { nodes: Map<string, string> }];
      this.#size -= oldestNodes.size;
      this.#blocks.delete(oldest);
    }
  }
}
