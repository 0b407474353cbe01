// Bitcoin merkle trees (sha256d of each pair, the last node of an odd level paired with itself): roots and
// branches for transactions in a block, Electrum's get_merkle proofs, and the checkpoint proofs of
// blockchain.block.header(s) with cp_height, which ElectrumX builds the same way over the block hashes of heights
// 0 to cp_height (branch and root in display hex, deepest pairing first).
import { bytesToHex, equalBytes, hashFromHex, hashToHex, type BytesLike } from './bytes.js';
import { BitcoinError } from './errors.js';
import { sha256d } from './hash.js';
import { headerHashBytes, parseHeader, splitHeaders, verifyHeaderChain } from './header.js';

/** sha256d(left ‖ right), both internal byte order. */
export function merkleParent(left: Uint8Array, right: Uint8Array): Uint8Array {
  // One pair at a time (sha256d keeps nothing of its input): no buffer allocated per node of a tree. Hashes of
  // another length (not a tree's) keep the zero-padded buffer of their own they always had.
  if (left.length !== 32 || right.length !== 32) {
    const buf = new Uint8Array(64);
    buf.set(left, 0);
    buf.set(right, 32);
    return sha256d(buf);
  }
  pair.set(left, 0);
  pair.set(right, 32);
  return sha256d(pair);
}
const pair = new Uint8Array(64);

/** The merkle root of leaves in internal byte order. */
export function merkleRootBytes(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) throw new BitcoinError('bad-argument', 'merkle root of an empty list');
  let level = leaves.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(merkleParent(level[i]!, level[i + 1] ?? level[i]!));
    level = next;
  }
  return level[0]!;
}

/** The nodes paired with leaf `index` on the way to the root, deepest first, internal byte order. */
export function merkleBranchBytes(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new BitcoinError('bad-argument', `merkle branch: index ${String(index)} outside 0..${leaves.length - 1}`);
  }
  const branch: Uint8Array[] = [];
  let level = leaves.slice();
  let i = index;
  while (level.length > 1) {
    branch.push(level[i ^ 1] ?? level[i]!);
    const next: Uint8Array[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(merkleParent(level[j]!, level[j + 1] ?? level[j]!));
    level = next;
    i >>= 1;
  }
  return branch;
}

/** Folds a branch onto a leaf at `index`: the root it proves, internal byte order. */
export function rootFromBranchBytes(leaf: Uint8Array, branch: readonly Uint8Array[], index: number): Uint8Array {
  let hash = leaf;
  let i = index;
  for (const node of branch) {
    hash = i & 1 ? merkleParent(node, hash) : merkleParent(hash, node);
    i = Math.floor(i / 2);
  }
  return hash;
}

/** The merkle root (display hex) of txids or block hashes given as display hex (or as internal bytes). */
export function merkleRoot(hashes: readonly BytesLike[]): string {
  return hashToHex(merkleRootBytes(leavesOf(hashes)));
}

/** The branch for `index` in display hex, deepest first: what get_merkle and id_from_pos return. */
export function merkleBranch(hashes: readonly BytesLike[], index: number): string[] {
  return merkleBranchBytes(leavesOf(hashes), index).map(hashToHex);
}

/**
 * The Stratum `merkle_branch` of a block template: the branch of the coinbase (index 0), given the txids of
 * the other transactions in block order. Internal byte order hex, as mining.notify sends it.
 */
export function coinbaseMerkleBranch(txids: readonly BytesLike[]): string[] {
  return merkleBranchBytes([new Uint8Array(32), ...leavesOf(txids)], 0).map(bytesToHex);
}

/** A `blockchain.transaction.get_merkle` (or `id_from_pos` with merkle) result. */
export interface MerkleProof {
  /** Branch in display hex, deepest pairing first. */
  readonly merkle: readonly string[];
  readonly pos: number;
}

/**
 * Whether a get_merkle proof puts `txHash` under `merkleRoot` (display hex, e.g. `parseHeader(h).merkleRoot`).
 * False for a position that the branch cannot reach. Malformed hex throws a BitcoinError.
 */
export function verifyMerkleProof(txHash: BytesLike, proof: MerkleProof, merkleRoot: BytesLike): boolean {
  const branch = branchOf(proof.merkle, 'merkle');
  if (!Number.isSafeInteger(proof.pos) || proof.pos < 0 || proof.pos >= 2 ** branch.length) return false;
  const root = rootFromBranchBytes(hashFromHex(txHash, 'tx_hash'), branch, proof.pos);
  return equalBytes(root, hashFromHex(merkleRoot, 'merkle root'));
}

/** Whether a get_merkle proof puts `txHash` in the block whose 80-byte header is given. */
export function verifyTransactionInHeader(txHash: BytesLike, proof: MerkleProof, header: BytesLike): boolean {
  return verifyMerkleProof(txHash, proof, parseHeader(header).merkleRoot);
}

/** The result of `blockchain.block.header(height, cp_height)` with cp_height > 0. */
export interface HeaderProof {
  readonly header: string;
  readonly branch: readonly string[];
  readonly root: string;
}

/**
 * Whether a checkpoint proof puts the header at `height` under `root`. Pass the root your client trusts as
 * `expectedRoot`: without it this only shows the server's answer is self-consistent.
 */
export function verifyHeaderProof(proof: HeaderProof, height: number, expectedRoot?: string): boolean {
  if (!Number.isSafeInteger(height) || height < 0) throw new BitcoinError('bad-argument', `height: ${String(height)}`);
  const branch = branchOf(proof.branch, 'branch');
  if (height >= 2 ** branch.length) return false;
  const root = hashFromHex(proof.root, 'root');
  if (expectedRoot !== undefined && !equalBytes(root, hashFromHex(expectedRoot, 'expected root'))) return false;
  return equalBytes(rootFromBranchBytes(headerHashBytes(proof.header), branch, height), root);
}

/** The result of `blockchain.block.headers(start, count, cp_height)`: `headers` from 1.6, `hex` before. */
export interface HeadersProof {
  readonly count: number;
  readonly headers?: readonly string[];
  readonly hex?: string;
  readonly branch?: readonly string[];
  readonly root?: string;
}

/**
 * Whether a headers chunk is what it claims: `count` headers that link up, meet their targets, and (when the
 * answer carries a checkpoint proof) whose last header is proven under `root` (and `expectedRoot` if given).
 */
export function verifyHeadersProof(result: HeadersProof, startHeight: number, expectedRoot?: string): boolean {
  const list = splitHeaders(result.headers ?? result.hex ?? '');
  if (list.length !== result.count) return false;
  if (!verifyHeaderChain(list).valid) return false;
  if (result.branch === undefined && result.root === undefined) return expectedRoot === undefined;
  if (result.branch === undefined || result.root === undefined || list.length === 0) return false;
  const last = list[list.length - 1]!;
  return verifyHeaderProof(
    { header: bytesToHex(last), branch: result.branch, root: result.root },
    startHeight + list.length - 1,
    expectedRoot,
  );
}

/** The checkpoint root ElectrumX returns for cp_height = headers.length - 1, given headers 0..cp_height. */
export function headersMerkleRoot(headers: readonly BytesLike[]): string {
  return hashToHex(merkleRootBytes(headers.map((h) => headerHashBytes(h))));
}

function leavesOf(hashes: readonly BytesLike[]): Uint8Array[] {
  if (!Array.isArray(hashes)) throw new BitcoinError('bad-argument', 'expected an array of hashes');
  return hashes.map((h, i) => hashFromHex(h, `hashes[${i}]`));
}

function branchOf(branch: readonly string[], what: string): Uint8Array[] {
  if (!Array.isArray(branch)) throw new BitcoinError('bad-argument', `${what}: expected an array`);
  return branch.map((h, i) => hashFromHex(h, `${what}[${i}]`));
}
