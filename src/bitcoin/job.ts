// From a Stratum mining.notify job to a block header (protocol-inventory B5):
//   coinbase    = coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2, hashed with sha256d (its txid, internal order)
//   merkle root = fold h = sha256d(h ‖ branch[i]) over the branch, which is sent in internal byte order
//   header      = version ‖ prevhash ‖ merkle root ‖ ntime ‖ nbits ‖ nonce
// Stratum sends version, nbits, ntime and nonce as big-endian hex of the 32-bit values (the header holds them
// little-endian), and the prevhash with the bytes of each 4-byte word swapped relative to the header.
import {
  bytesToHex,
  concatBytes,
  hashFromHex,
  hashToHex,
  hexToBytes,
  swapWords32,
  toBytes,
  u32FromHex,
  writeU32LE,
  type BytesLike,
} from './bytes.js';
import { BitcoinError } from './errors.js';
import { sha256d } from './hash.js';
import { HEADER_SIZE } from './header.js';
import { merkleParent } from './merkle.js';
import { bitsToTarget, difficultyToTarget, hashDifficulty, hashMeetsTarget } from './target.js';
import { applyVersionBits, versionBitsAllowed } from './version-rolling.js';

/** A mining.notify job, with the params named. Hex fields are kept exactly as the pool sent them. */
export interface StratumJob {
  readonly jobId: string;
  /** The previous block hash in Stratum's word-swapped encoding. */
  readonly prevHash: string;
  readonly coinb1: string;
  readonly coinb2: string;
  /** Merkle branch of the coinbase, internal byte order hex. */
  readonly merkleBranch: readonly string[];
  /** 8 hex digits, big-endian. */
  readonly version: string;
  /** 8 hex digits, big-endian (compact target of the block). */
  readonly nbits: string;
  /** 8 hex digits, big-endian. */
  readonly ntime: string;
  readonly cleanJobs: boolean;
}

/** The params of mining.notify, in wire order. */
export type MiningNotifyParams = readonly [
  string,
  string,
  string,
  string,
  readonly string[],
  string,
  string,
  string,
  boolean,
];

/** Names and checks the 9 params of a mining.notify. Throws a BitcoinError on any malformed field. */
export function parseNotify(params: readonly unknown[]): StratumJob {
  if (!Array.isArray(params) || params.length < 9)
    throw new BitcoinError('bad-argument', 'mining.notify: expected 9 params');
  const [jobId, prevHash, coinb1, coinb2, branch, version, nbits, ntime, cleanJobs] = params as unknown[];
  if (typeof jobId !== 'string') throw new BitcoinError('bad-argument', 'mining.notify: job_id must be a string');
  if (!Array.isArray(branch)) throw new BitcoinError('bad-argument', 'mining.notify: merkle_branch must be an array');
  const job: StratumJob = {
    jobId,
    prevHash: prevHash as string,
    coinb1: coinb1 as string,
    coinb2: coinb2 as string,
    merkleBranch: branch as string[],
    version: version as string,
    nbits: nbits as string,
    ntime: ntime as string,
    cleanJobs: cleanJobs === true,
  };
  compileJob(job);
  return job;
}

/** The display hash (as explorers show it) of a Stratum prevhash. */
export function prevHashFromStratum(prevHash: string): string {
  return hashToHex(swapWords32(hexToBytes(prevHash, 'prevhash', 32)));
}

/** The Stratum encoding of a previous block hash given in display hex (what a pool puts in mining.notify). */
export function prevHashToStratum(displayHash: string): string {
  return bytesToHex(swapWords32(hashFromHex(displayHash, 'prevhash').slice()));
}

/** The coinbase transaction (hex): coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2. */
export function buildCoinbase(
  job: Pick<StratumJob, 'coinb1' | 'coinb2'>,
  extranonce1: string,
  extranonce2: string,
  extranonce2Size?: number,
): string {
  return bytesToHex(
    concatBytes(
      hexToBytes(job.coinb1, 'coinb1'),
      hexToBytes(extranonce1, 'extranonce1'),
      hexToBytes(extranonce2, 'extranonce2', extranonce2Size),
      hexToBytes(job.coinb2, 'coinb2'),
    ),
  );
}

/** The merkle root (display hex) a coinbase and a Stratum branch (internal order hex) give. */
export function stratumMerkleRoot(coinbase: BytesLike, merkleBranch: readonly string[]): string {
  const branch = merkleBranch.map((b, i) => hexToBytes(b, `merkle_branch[${i}]`, 32));
  return hashToHex(foldBranch(sha256d(toBytes(coinbase, 'coinbase')), branch));
}

/** What a miner fills in for a job (the mining.submit params), plus its subscription's extranonce1. */
export interface Work {
  readonly extranonce1: string;
  readonly extranonce2: string;
  /** Checked against extranonce2 when given. */
  readonly extranonce2Size?: number;
  /** 8 hex digits; the job's ntime when omitted. */
  readonly ntime?: string;
  /** 8 hex digits, as in mining.submit. */
  readonly nonce: string;
  /** The 6th mining.submit param (BIP310), 8 hex digits. Needs `versionMask`. */
  readonly versionBits?: string;
  /** The mask the pool granted in mining.configure. */
  readonly versionMask?: number;
}

export interface BuiltHeader {
  readonly coinbase: string;
  /** Coinbase txid, display hex. */
  readonly coinbaseTxid: string;
  /** Merkle root, display hex. */
  readonly merkleRoot: string;
  /** The block version used, after version rolling. */
  readonly version: number;
  /** The 80-byte header, hex. */
  readonly header: string;
  /** Block hash, display hex. */
  readonly hash: string;
  /** The share difficulty the hash achieves. */
  readonly difficulty: number;
  /** Whether the hash also meets the job's nbits, i.e. the share is a block. */
  readonly meetsNetworkTarget: boolean;
}

/** Builds the coinbase, merkle root, header and hash for a job and the miner's values. */
export function buildHeader(job: StratumJob, work: Work): BuiltHeader {
  const compiled = compileJob(job);
  const coinbase = concatBytes(
    compiled.coinb1,
    hexToBytes(work.extranonce1, 'extranonce1'),
    hexToBytes(work.extranonce2, 'extranonce2', work.extranonce2Size),
    compiled.coinb2,
  );
  const txid = sha256d(coinbase);
  const root = foldBranch(txid, compiled.branch);
  const version = rolledVersion(compiled.version, work.versionBits, work.versionMask);
  const header = new Uint8Array(HEADER_SIZE);
  writeU32LE(header, 0, version);
  header.set(compiled.prevHash, 4);
  header.set(root, 36);
  writeU32LE(header, 68, work.ntime === undefined ? compiled.ntime : u32FromHex(work.ntime, 'ntime'));
  writeU32LE(header, 72, compiled.nbits);
  writeU32LE(header, 76, u32FromHex(work.nonce, 'nonce'));
  const hash = sha256d(header);
  return {
    coinbase: bytesToHex(coinbase),
    coinbaseTxid: hashToHex(txid),
    merkleRoot: hashToHex(root),
    version,
    header: bytesToHex(header),
    hash: hashToHex(hash),
    difficulty: hashDifficulty(hash),
    meetsNetworkTarget: hashMeetsTarget(hash, bitsToTarget(compiled.nbits)),
  };
}

/** The share difficulty of an 80-byte header: diff1 target / its hash. */
export function shareDifficulty(header: BytesLike): number {
  return hashDifficulty(sha256d(toBytes(header, 'header', HEADER_SIZE)));
}

/** Whether a header's hash meets a pool difficulty (hash <= floor(diff1 target / difficulty)). */
export function meetsDifficulty(header: BytesLike, difficulty: number): boolean {
  return hashMeetsTarget(sha256d(toBytes(header, 'header', HEADER_SIZE)), difficultyToTarget(difficulty));
}

/** A job's fields decoded once. */
export interface CompiledJob {
  readonly prevHash: Uint8Array;
  readonly coinb1: Uint8Array;
  readonly coinb2: Uint8Array;
  readonly branch: readonly Uint8Array[];
  readonly version: number;
  readonly nbits: number;
  readonly ntime: number;
}

/** Decodes and checks every field of a job (the part of the work that never changes per share). */
export function compileJob(job: StratumJob): CompiledJob {
  if (typeof job !== 'object' || job === null) throw new BitcoinError('bad-argument', 'job: expected an object');
  if (!Array.isArray(job.merkleBranch)) throw new BitcoinError('bad-argument', 'job.merkleBranch: expected an array');
  return {
    prevHash: swapWords32(hexToBytes(job.prevHash, 'prevhash', 32)),
    coinb1: hexToBytes(job.coinb1, 'coinb1'),
    coinb2: hexToBytes(job.coinb2, 'coinb2'),
    branch: job.merkleBranch.map((b, i) => hexToBytes(b, `merkle_branch[${i}]`, 32)),
    version: u32FromHex(job.version, 'version'),
    nbits: u32FromHex(job.nbits, 'nbits'),
    ntime: u32FromHex(job.ntime, 'ntime'),
  };
}

/** Folds a Stratum branch onto the coinbase txid: the coinbase is always the left child. Internal order. */
export function foldBranch(coinbaseTxid: Uint8Array, branch: readonly Uint8Array[]): Uint8Array {
  let hash = coinbaseTxid;
  for (const node of branch) hash = merkleParent(hash, node);
  return hash;
}

/** The version a header carries: the job's, or BIP310-rolled when the miner sent version bits. */
export function rolledVersion(
  jobVersion: number,
  versionBits: string | undefined,
  versionMask: number | undefined,
): number {
  if (versionBits === undefined) return jobVersion;
  if (versionMask === undefined)
    throw new BitcoinError('bad-argument', 'versionBits needs the versionMask the pool granted');
  const bits = u32FromHex(versionBits, 'version_bits');
  if (!versionBitsAllowed(bits, versionMask)) {
    throw new BitcoinError(
      'bad-argument',
      `version_bits ${versionBits} set bits outside the mask ${versionMask.toString(16).padStart(8, '0')}`,
    );
  }
  return applyVersionBits(jobVersion, bits, versionMask);
}
