// The shares the pool probe submits. Each bad share is wrong in one way only: where the pool's difficulty
// is low enough, the probe solves it (searches a nonce so that the header it builds meets the difficulty),
// so a pool that does not check that one thing would accept it, and a refusal for low difficulty shows that
// it did not check it at all. Where the difficulty is too high to solve within the budget, shares go
// unsolved and a low-difficulty refusal of them proves less (the checks say so).
import { u32FromHex, u32ToHex } from '../../bitcoin/bytes.js';
import { buildHeader, type StratumJob } from '../../bitcoin/job.js';
import { searchNonce } from '../../bitcoin/search.js';
import { difficultyToTarget } from '../../bitcoin/target.js';
import { applyVersionBits } from '../../bitcoin/version-rolling.js';

/** What the pool told the probe's connection. */
export interface PoolFacts {
  readonly extranonce1: string;
  readonly extranonce2Size: number;
  /** The version-rolling mask granted; 0 when none was. */
  readonly versionMask: number;
  readonly difficulty: number;
  readonly job: StratumJob;
}

/** The mining.submit params after the worker name. */
export interface Share {
  readonly jobId: string;
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  readonly versionBits?: string;
  /** Whether the header the probe built meets the pool's difficulty. */
  readonly solved: boolean;
  /** Whether it also meets the block target: accepting it makes a block, and the job may go stale. */
  readonly isBlock: boolean;
}

/**
 * Hashes one solve may take by default: about a second or two of one core with the toolkit's search. A share
 * is solved only when its expected cost (2^32 × difficulty hashes) is an eighth of the budget or less, so a
 * solve that is tried almost always succeeds.
 */
export const DEFAULT_SOLVE_BUDGET = 1 << 20;
/** Seconds past the job's time (or the clock, when later) that no pool takes: ckpool allows 7000, Bitcoin Core 7200. */
export const NTIME_TOO_FAR = 4 * 3600;

export function expectedHashes(difficulty: number): number {
  return 2 ** 32 * difficulty;
}

export function solvable(difficulty: number, budget: number): boolean {
  return expectedHashes(difficulty) <= budget / 8;
}

interface Work {
  readonly extranonce2: string;
  readonly ntime?: string;
  /** The bits sent; `headerBits` are the ones the header is built with (BIP310: only those inside the mask). */
  readonly versionBits?: string;
  readonly headerBits?: number;
}

export class ShareMaker {
  readonly #facts: PoolFacts;
  readonly #budget: number;
  readonly #solve: boolean;
  #counter = 1;

  constructor(facts: PoolFacts, budget = DEFAULT_SOLVE_BUDGET) {
    this.#facts = facts;
    this.#budget = budget;
    this.#solve = solvable(facts.difficulty, budget);
  }

  /** Whether shares are solved at this difficulty. */
  get solving(): boolean {
    return this.#solve;
  }

  /** A fresh extranonce2 of the right size for each share, so no two shares of the probe build one header. */
  #extranonce2(size = this.#facts.extranonce2Size): string {
    const n = this.#counter++;
    return size === 0 ? '' : n.toString(16).padStart(size * 2, '0').slice(-size * 2);
  }

  /** The version bits for a share that rolls nothing: the job's own bits inside the mask (both formulas keep the version). */
  #neutralBits(): { versionBits?: string } {
    const { versionMask, job } = this.#facts;
    return versionMask ? { versionBits: u32ToHex((u32FromHex(job.version) & versionMask) >>> 0) } : {};
  }

  /** A share that meets the difficulty (when solving); the probe's valid share. */
  valid(): Promise<Share> {
    return this.#make({ extranonce2: this.#extranonce2(), ...this.#neutralBits() }, this.#facts.job.jobId);
  }

  unknownJob(): Promise<Share> {
    return this.#make({ extranonce2: this.#extranonce2(), ...this.#neutralBits() }, `${this.#facts.job.jobId}ffff`);
  }

  /** One byte longer than extranonce2_size: solved for the longer coinbase, as a pool that took it would build it. */
  wrongExtranonce2Size(): Promise<Share> {
    return this.#make({ extranonce2: this.#extranonce2(this.#facts.extranonce2Size + 1), ...this.#neutralBits() }, this.#facts.job.jobId);
  }

  ntimeOutOfRange(now: number): Promise<Share> {
    const ntime = u32ToHex(Math.min(0xffffffff, Math.max(u32FromHex(this.#facts.job.ntime), now) + NTIME_TOO_FAR));
    return this.#make({ extranonce2: this.#extranonce2(), ntime, ...this.#neutralBits() }, this.#facts.job.jobId);
  }

  /** Version bits with one bit outside the granted mask; undefined when nothing is outside it (or nothing was granted). */
  versionBitsOutsideMask(): Promise<Share> | undefined {
    const mask = this.#facts.versionMask;
    const outside = lowestBit(~mask >>> 0);
    if (!mask || !outside) return undefined;
    const inside = lowestBit(mask);
    const jobBits = (u32FromHex(this.#facts.job.version) & mask) >>> 0;
    const headerBits = (jobBits ^ inside) >>> 0;
    return this.#make({ extranonce2: this.#extranonce2(), versionBits: u32ToHex((headerBits | outside) >>> 0), headerBits }, this.#facts.job.jobId);
  }

  /** A well-formed share whose hash is below the difficulty. */
  lowDifficulty(): Share {
    const extranonce2 = this.#extranonce2();
    const bits = this.#neutralBits();
    const target = difficultyToTarget(this.#facts.difficulty);
    // Almost every nonce misses the target; the loop only guards against a lucky one (or a difficulty so low
    // that every hash meets it, where no share can be low: then the share is returned as solved).
    for (let n = 0; n < 64; n++) {
      const nonce = u32ToHex((0x5eed0000 + n) >>> 0);
      const built = this.#header({ extranonce2, ...bits }, nonce);
      if (BigInt(`0x${built.hash}`) > target) return { jobId: this.#facts.job.jobId, extranonce2, ntime: this.#facts.job.ntime, nonce, ...bits, solved: false, isBlock: false };
    }
    return { jobId: this.#facts.job.jobId, extranonce2, ntime: this.#facts.job.ntime, nonce: '5eed0000', ...bits, solved: true, isBlock: false };
  }

  #header(work: Work, nonce: string) {
    const { job, extranonce1, versionMask } = this.#facts;
    const version = work.headerBits === undefined ? undefined : applyVersionBits(u32FromHex(job.version), work.headerBits, versionMask);
    const rolled = version === undefined ? job : { ...job, version: u32ToHex(version) };
    return buildHeader(rolled, { extranonce1, extranonce2: work.extranonce2, ...(work.ntime === undefined ? {} : { ntime: work.ntime }), nonce });
  }

  async #make(work: Work, jobId: string): Promise<Share> {
    const base = { jobId, extranonce2: work.extranonce2, ntime: work.ntime ?? this.#facts.job.ntime, ...(work.versionBits === undefined ? {} : { versionBits: work.versionBits }) };
    if (!this.#solve) return { ...base, nonce: '00000000', solved: false, isBlock: false };
    const start = this.#header(work, '00000000');
    const found = await searchNonce(start.header, difficultyToTarget(this.#facts.difficulty), { maxIterations: this.#budget });
    if (!found) return { ...base, nonce: '00000000', solved: false, isBlock: false };
    return { ...base, nonce: found.nonceHex, solved: true, isBlock: this.#header(work, found.nonceHex).meetsNetworkTarget };
  }
}

function lowestBit(value: number): number {
  return value === 0 ? 0 : (value & -value) >>> 0;
}

/** mining.submit's params for a share. */
export function submitParams(worker: string, share: Share): unknown[] {
  const params: unknown[] = [worker, share.jobId, share.extranonce2, share.ntime, share.nonce];
  if (share.versionBits !== undefined) params.push(share.versionBits);
  return params;
}
