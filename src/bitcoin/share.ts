// Checking mining.submit shares against a job, built for a pool's hot path. Everything that does not change per
// share is decoded once per job; the merkle root is kept per extranonce2 (a miner rolls nonce, ntime and version
// bits thousands of times before it changes extranonce2), so a typical share costs one 80-byte sha256d, and
// while version and root stay the same, only the header's second block and the second hash (header-hash.ts).
import { bytesToHex, concatBytes, hashToHex, hexToBytes, u32FromHex, writeU32LE } from './bytes.js';
import { BitcoinError } from './errors.js';
import { sha256d } from './hash.js';
import { HeaderHasher } from './header-hash.js';
import { HEADER_SIZE } from './header.js';
import { compileJob, foldBranch, type CompiledJob, type StratumJob } from './job.js';
import { bitsToTarget, difficultyToTarget, hashDifficulty, hashMeetsTarget, targetToBytes } from './target.js';
import { applyVersionBits, versionBitsAllowed } from './version-rolling.js';

/** How many merkle roots (one per extranonce2) a validator keeps; a miner rarely has more than a few live. */
const MERKLE_CACHE_SIZE = 64;

/** What the pool told this connection. */
export interface ShareSession {
  readonly extranonce1: string;
  readonly extranonce2Size: number;
  /** The version-rolling mask granted in mining.configure; 0 (the default) when none was negotiated. */
  readonly versionMask?: number;
}

/** The share fields of mining.submit (params 2 to 5; the worker name and job id are the caller's business). */
export interface ShareSubmit {
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  readonly versionBits?: string;
}

export type ShareRejection = 'low-difficulty' | 'version-bits-not-allowed';

/** The outcome of a share check. Hex and difficulty are computed only when read. */
export class ShareCheck {
  /** True when the share meets the pool difficulty and uses only granted version bits. */
  readonly accepted: boolean;
  readonly reason: ShareRejection | null;
  /** sha256d of the header, internal byte order. */
  readonly hashBytes: Uint8Array;
  /** Whether the hash meets the job's nbits: the share is a block. */
  readonly isBlock: boolean;
  /** The block version the header used. */
  readonly version: number;

  constructor(
    accepted: boolean,
    reason: ShareRejection | null,
    hashBytes: Uint8Array,
    isBlock: boolean,
    version: number,
  ) {
    this.accepted = accepted;
    this.reason = reason;
    this.hashBytes = hashBytes;
    this.isBlock = isBlock;
    this.version = version;
  }

  /** The block hash, display hex. */
  get hash(): string {
    return hashToHex(this.hashBytes);
  }

  /** The difficulty the share achieves. */
  get difficulty(): number {
    return hashDifficulty(this.hashBytes);
  }
}

/** Validates shares for one job on one connection. Not safe to share across concurrent async work (it is sync). */
export class ShareValidator {
  readonly #job: CompiledJob;
  readonly #extranonce1: Uint8Array;
  readonly #extranonce2Size: number;
  readonly #versionMask: number;
  readonly #networkTarget: Uint8Array;
  readonly #header = new Uint8Array(HEADER_SIZE);
  readonly #roots = new Map<string, Uint8Array>();
  readonly #hasher = new HeaderHasher();
  /** The version and root (by identity: the cache keeps one array per extranonce2) the hasher's prefix was taken with. */
  #prefixVersion = -1;
  #prefixRoot: Uint8Array | undefined;
  #lastDifficulty = NaN;
  #lastTarget: Uint8Array = new Uint8Array(32);
  /** The root #fill last wrote into the header. */
  #lastRoot: Uint8Array | undefined;

  constructor(job: StratumJob, session: ShareSession) {
    this.#job = compileJob(job);
    this.#extranonce1 = hexToBytes(session.extranonce1, 'extranonce1');
    if (!Number.isInteger(session.extranonce2Size) || session.extranonce2Size < 0 || session.extranonce2Size > 32) {
      throw new BitcoinError('bad-argument', `extranonce2Size: ${String(session.extranonce2Size)}`);
    }
    this.#extranonce2Size = session.extranonce2Size;
    this.#versionMask = (session.versionMask ?? 0) >>> 0;
    this.#networkTarget = targetToBytes(bitsToTarget(this.#job.nbits));
    this.#header.set(this.#job.prevHash, 4);
    writeU32LE(this.#header, 72, this.#job.nbits);
  }

  /**
   * Checks a submitted share against a pool difficulty. Malformed fields (bad hex, wrong extranonce2 size)
   * throw a BitcoinError; a share that is well formed but not good enough comes back with `accepted: false`.
   */
  check(submit: ShareSubmit, difficulty: number): ShareCheck {
    const header = this.#fill(submit);
    const version = readVersion(header);
    const root = this.#lastRoot;
    if (version !== this.#prefixVersion || root !== this.#prefixRoot) {
      this.#hasher.setPrefix(header);
      this.#prefixVersion = version;
      this.#prefixRoot = root;
    }
    const hash = new Uint8Array(32);
    this.#hasher.hashInto(header, hash);
    if (
      submit.versionBits !== undefined &&
      !versionBitsAllowed(u32FromHex(submit.versionBits, 'version_bits'), this.#versionMask)
    ) {
      return new ShareCheck(false, 'version-bits-not-allowed', hash, false, version);
    }
    const meets = hashMeetsTarget(hash, this.#target(difficulty));
    const isBlock = hashMeetsTarget(hash, this.#networkTarget);
    return new ShareCheck(meets, meets ? null : 'low-difficulty', hash, isBlock, version);
  }

  /** The 80-byte header a share builds (a copy), e.g. to submit a block. */
  header(submit: ShareSubmit): Uint8Array {
    return this.#fill(submit).slice();
  }

  /** The coinbase transaction (hex) for an extranonce2, e.g. to assemble a found block. */
  coinbase(extranonce2: string): string {
    return bytesToHex(
      concatBytes(this.#job.coinb1, this.#extranonce1, this.#extranonce2(extranonce2), this.#job.coinb2),
    );
  }

  #fill(submit: ShareSubmit): Uint8Array {
    const header = this.#header;
    const bits = submit.versionBits === undefined ? 0 : u32FromHex(submit.versionBits, 'version_bits');
    writeU32LE(
      header,
      0,
      submit.versionBits === undefined
        ? this.#job.version
        : applyVersionBits(this.#job.version, bits & this.#versionMask, this.#versionMask),
    );
    const root = this.#root(submit.extranonce2);
    this.#lastRoot = root;
    header.set(root, 36);
    writeU32LE(header, 68, u32FromHex(submit.ntime, 'ntime'));
    writeU32LE(header, 76, u32FromHex(submit.nonce, 'nonce'));
    return header;
  }

  #root(extranonce2: string): Uint8Array {
    const cached = this.#roots.get(extranonce2);
    if (cached) return cached;
    const coinbase = concatBytes(this.#job.coinb1, this.#extranonce1, this.#extranonce2(extranonce2), this.#job.coinb2);
    const root = foldBranch(sha256d(coinbase), this.#job.branch);
    // Oldest first out: Map keeps insertion order.
    if (this.#roots.size >= MERKLE_CACHE_SIZE) this.#roots.delete(this.#roots.keys().next().value as string);
    this.#roots.set(extranonce2, root);
    return root;
  }

  #extranonce2(extranonce2: string): Uint8Array {
    return hexToBytes(extranonce2, 'extranonce2', this.#extranonce2Size);
  }

  #target(difficulty: number): Uint8Array {
    if (difficulty !== this.#lastDifficulty) {
      this.#lastTarget = targetToBytes(difficultyToTarget(difficulty));
      this.#lastDifficulty = difficulty;
    }
    return this.#lastTarget;
  }
}

function readVersion(header: Uint8Array): number {
  return (header[0]! | (header[1]! << 8) | (header[2]! << 16) | (header[3]! << 24)) >>> 0;
}
