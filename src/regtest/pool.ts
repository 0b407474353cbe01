// A Stratum V1 pool over the regtest chain: jobs built from the tip, a unique extranonce1 per miner, fixed
// or variable share difficulty, shares checked with the standard error codes, BIP310 version rolling, and a
// share that meets the network target becomes a block. Transport-free: a server hands each connection in
// as a PoolMinerLink and routes its requests to `handlers`.
import { hexToBytes, u32FromHex } from '../bitcoin/bytes.js';
import { BitcoinError } from '../bitcoin/errors.js';
import { ShareValidator } from '../bitcoin/share.js';
import { BIP320_VERSION_MASK, negotiateVersionRolling } from '../bitcoin/version-rolling.js';
import type { MiningServerHandlers } from '../generated/mining/server-api.js';
import { Emitter } from '../runtime/emitter.js';
import { ServerError } from '../runtime/errors.js';
import type { ChainBlock, RegtestChain } from './chain.js';
import { buildJob, type PoolJob } from './jobs.js';

/** What the pool needs of a miner's connection. */
export interface PoolMinerLink {
  notify(method: 'mining.notify' | 'mining.set_difficulty' | 'mining.set_extranonce' | 'mining.set_version_mask', params: readonly unknown[]): void;
  /** Asks the miner something (client.get_version); may never be answered. */
  request(method: 'client.get_version', params: [], options: { timeout: number }): Promise<unknown>;
}

export interface VarDiff {
  readonly initial: number;
  readonly min: number;
  readonly max: number;
  /** Seconds wanted between shares (default 10). */
  readonly targetInterval?: number;
}

export interface PoolOptions {
  /** Hex of the script every block pays (the pool's payout address). */
  readonly payoutScript: string;
  /** A fixed share difficulty, or variable difficulty (default: fixed 1/4096, a share every few seconds from a CPU). */
  readonly difficulty?: number | VarDiff;
  /** Bytes of extranonce2 each miner rolls (default 4). */
  readonly extranonce2Size?: number;
  /** The version bits miners may roll (default BIP320's 0x1fffe000). */
  readonly versionMask?: number;
  /** Text in every coinbase (default "/stratum-sdk/"). */
  readonly tag?: string;
  /** Seconds a share's ntime may run ahead of the clock, or of its job's time when that is later (default 7200, as Bitcoin Core allows). */
  readonly maxNtimeAhead?: number;
  readonly now?: () => number;
}

export interface ShareEvent {
  readonly worker: string;
  readonly jobId: string;
  readonly difficulty: number;
  readonly accepted: boolean;
  /** Why a share was refused (the message of the error sent back). */
  readonly reason?: string;
  /** Set when the share was a block. */
  readonly block?: ChainBlock;
}

export interface PoolEvents {
  job: [job: PoolJob];
  share: [share: ShareEvent];
  block: [block: ChainBlock, worker: string];
}

/** Stratum's share error codes (protocol-inventory B4). */
export const SHARE_ERRORS = { OTHER: 20, JOB_NOT_FOUND: 21, DUPLICATE: 22, LOW_DIFFICULTY: 23, UNAUTHORIZED: 24, NOT_SUBSCRIBED: 25 } as const;

const EXTRANONCE1_SIZE = 4;
const KEPT_JOBS = 16;
// Duplicate detection per job: a miner rarely submits more; past it the oldest are forgotten.
const KEPT_SHARES = 10_000;

/** One miner's session state. */
export class PoolMiner {
  readonly link: PoolMinerLink;
  extranonce1: string;
  subscribed = false;
  extranonceSubscribed = false;
  readonly workers = new Set<string>();
  difficulty: number;
  /** The difficulty before the last change: shares for jobs sent before it are checked against it. */
  previousDifficulty: number;
  versionMask = 0;
  agent: string | undefined;
  readonly validators = new Map<string, ShareValidator>();
  readonly seen = new Map<string, Set<string>>();
  shareTimes: number[] = [];

  constructor(link: PoolMinerLink, extranonce1: string, difficulty: number) {
    this.link = link;
    this.extranonce1 = extranonce1;
    this.difficulty = difficulty;
    this.previousDifficulty = difficulty;
  }
}

export class RegtestPool {
  readonly events = new Emitter<PoolEvents>();
  readonly handlers: MiningServerHandlers<PoolMiner>;
  readonly #chain: RegtestChain;
  readonly #options: Required<Omit<PoolOptions, 'difficulty'>> & { difficulty: number | VarDiff };
  readonly #miners = new Set<PoolMiner>();
  readonly #jobs = new Map<string, PoolJob>();
  readonly #offChain: (() => void)[] = [];
  #nextJob = 1;
  #nextExtranonce = 1;
  #current: PoolJob;

  constructor(chain: RegtestChain, options: PoolOptions) {
    this.#chain = chain;
    this.#options = {
      payoutScript: options.payoutScript,
      difficulty: options.difficulty ?? 1 / 4096,
      extranonce2Size: options.extranonce2Size ?? 4,
      versionMask: options.versionMask ?? BIP320_VERSION_MASK,
      tag: options.tag ?? '/stratum-sdk/',
      maxNtimeAhead: options.maxNtimeAhead ?? 7200,
      now: options.now ?? (() => Math.floor(Date.now() / 1000)),
    };
    hexToBytes(options.payoutScript, 'payoutScript');
    const d = this.#options.difficulty;
    if (typeof d === 'number' ? !(d > 0) : !(d.min > 0 && d.min <= d.initial && d.initial <= d.max)) throw new RangeError('difficulty must be > 0 (or min <= initial <= max)');
    if (!(this.#options.extranonce2Size >= 1 && this.#options.extranonce2Size <= 16)) throw new RangeError('extranonce2Size must be 1 to 16 bytes');
    this.#current = this.#newJob(true);
    // A new block makes a clean job; a new mempool transaction an updated one that keeps older shares valid.
    this.#offChain.push(chain.events.on('block', () => this.#broadcast(this.#newJob(true))));
    this.#offChain.push(chain.events.on('transaction', () => this.#broadcast(this.#newJob(false))));
    this.handlers = this.#makeHandlers();
  }

  get currentJob(): PoolJob {
    return this.#current;
  }

  get miners(): ReadonlySet<PoolMiner> {
    return this.#miners;
  }

  /** A new connection: its state, to be passed to the handlers as their context. */
  connect(link: PoolMinerLink): PoolMiner {
    const d = this.#options.difficulty;
    const miner = new PoolMiner(link, this.#freshExtranonce1(), typeof d === 'number' ? d : d.initial);
    this.#miners.add(miner);
    return miner;
  }

  disconnect(miner: PoolMiner): void {
    this.#miners.delete(miner);
  }

  /** Gives a miner a new extranonce1, announced with mining.set_extranonce when it subscribed to that. */
  changeExtranonce(miner: PoolMiner): boolean {
    if (!miner.extranonceSubscribed) return false;
    miner.extranonce1 = this.#freshExtranonce1();
    miner.validators.clear();
    miner.link.notify('mining.set_extranonce', [miner.extranonce1, this.#options.extranonce2Size]);
    miner.link.notify('mining.notify', this.#current.notify);
    return true;
  }

  /** Changes a miner's share difficulty and tells it. */
  setDifficulty(miner: PoolMiner, difficulty: number): void {
    miner.previousDifficulty = miner.difficulty;
    miner.difficulty = difficulty;
    miner.link.notify('mining.set_difficulty', [difficulty]);
  }

  close(): void {
    for (const off of this.#offChain) off();
    this.#miners.clear();
  }

  #freshExtranonce1(): string {
    return (this.#nextExtranonce++ >>> 0).toString(16).padStart(EXTRANONCE1_SIZE * 2, '0');
  }

  #newJob(clean: boolean): PoolJob {
    const job = buildJob(
      (this.#nextJob++).toString(16),
      this.#chain.template(),
      { payoutScript: this.#options.payoutScript, extranonce1Size: EXTRANONCE1_SIZE, extranonce2Size: this.#options.extranonce2Size, tag: this.#options.tag },
      clean,
    );
    if (clean) this.#jobs.clear();
    this.#jobs.set(job.jobId, job);
    while (this.#jobs.size > KEPT_JOBS) this.#jobs.delete(this.#jobs.keys().next().value as string);
    // Share state of jobs no longer kept goes with them, so a long run without blocks cannot grow it.
    for (const miner of this.#miners) {
      for (const id of miner.validators.keys()) if (!this.#jobs.has(id)) miner.validators.delete(id);
      for (const id of miner.seen.keys()) if (!this.#jobs.has(id)) miner.seen.delete(id);
    }
    this.#current = job;
    this.events.emit('job', job);
    return job;
  }

  #broadcast(job: PoolJob) {
    for (const miner of this.#miners) {
      if (!miner.subscribed) continue;
      miner.link.notify('mining.notify', job.notify);
    }
  }

  #makeHandlers(): MiningServerHandlers<PoolMiner> {
    const reject = (code: number, message: string) => new ServerError('mining.submit', code, message);
    return {
      'mining.subscribe': ([agent, sessionId], miner) => {
        miner.subscribed = true;
        if (typeof agent === 'string') miner.agent = agent;
        // Resuming: a miner that reconnects with its old id keeps its extranonce1, unless another miner has it.
        if (typeof sessionId === 'string' && /^[0-9a-f]{8}$/.test(sessionId) && ![...this.#miners].some((m) => m !== miner && m.extranonce1 === sessionId)) {
          miner.extranonce1 = sessionId;
        }
        return [[['mining.set_difficulty', miner.extranonce1], ['mining.notify', miner.extranonce1]], miner.extranonce1, this.#options.extranonce2Size];
      },
      'mining.authorize': ([worker], miner) => {
        miner.workers.add(worker);
        // As ckpool and node-stratum-pool do: difficulty and the first job before the answer.
        if (miner.subscribed) {
          miner.link.notify('mining.set_difficulty', [miner.difficulty]);
          miner.link.notify('mining.notify', this.#current.notify);
        }
        miner.link.request('client.get_version', [], { timeout: 5000 }).then(
          (v) => void (typeof v === 'string' && (miner.agent = v)),
          () => undefined, // many miners do not implement it
        );
        return true;
      },
      'mining.configure': ([extensions, parameters], miner) => {
        const result: Record<string, unknown> = {};
        for (const ext of extensions) {
          if (ext === 'version-rolling') {
            const mask = parameters['version-rolling.mask'];
            const minBitCount = parameters['version-rolling.min-bit-count'];
            const grant = negotiateVersionRolling(this.#options.versionMask, {
              ...(typeof mask === 'string' ? { mask } : {}),
              ...(typeof minBitCount === 'number' || typeof minBitCount === 'string' ? { minBitCount } : {}),
            });
            miner.versionMask = grant.enough ? grant.mask : 0;
            result['version-rolling'] = grant.enough;
            if (grant.enough) result['version-rolling.mask'] = grant.maskHex;
          } else if (ext === 'minimum-difficulty') {
            const min = Number(parameters['minimum-difficulty.value']);
            result['minimum-difficulty'] = min > 0;
            if (min > 0 && miner.difficulty < min) miner.difficulty = miner.previousDifficulty = min;
          } else if (ext === 'subscribe-extranonce') {
            miner.extranonceSubscribed = true;
            result['subscribe-extranonce'] = true;
          } else result[ext] = false;
        }
        return result as never;
      },
      'mining.extranonce.subscribe': (_params, miner) => {
        miner.extranonceSubscribed = true;
        return true;
      },
      'mining.suggest_difficulty': ([difficulty], miner) => {
        const d = this.#options.difficulty;
        const floor = typeof d === 'number' ? 0 : d.min;
        const ceiling = typeof d === 'number' ? Infinity : d.max;
        this.setDifficulty(miner, Math.min(ceiling, Math.max(floor, difficulty)));
        return true;
      },
      'mining.submit': ([worker, jobId, extranonce2, rawNtime, rawNonce, versionBits], miner) => {
        // Some miners send ntime and nonce as numbers; the spec accepts both.
        const ntime = hex32(rawNtime);
        const nonce = hex32(rawNonce);
        const refuse = (code: number, message: string, difficulty = miner.difficulty): never => {
          this.events.emit('share', { worker, jobId, difficulty, accepted: false, reason: message });
          throw reject(code, message);
        };
        if (!miner.subscribed) refuse(SHARE_ERRORS.NOT_SUBSCRIBED, 'Not subscribed');
        if (!miner.workers.has(worker)) refuse(SHARE_ERRORS.UNAUTHORIZED, 'Unauthorized worker');
        const job = this.#jobs.get(jobId);
        if (!job) return refuse(SHARE_ERRORS.JOB_NOT_FOUND, 'Job not found');
        if (extranonce2.length !== this.#options.extranonce2Size * 2) refuse(SHARE_ERRORS.OTHER, `Incorrect size of extranonce2 (expected ${this.#options.extranonce2Size} bytes)`);
        const time = u32FromHex(ntime, 'ntime');
        const jobTime = u32FromHex(job.ntime);
        // Measured from the job's own time too: blocks found faster than one a second may carry times ahead
        // of the clock, and the pool must never refuse the ntime it handed out.
        if (time < jobTime || time > Math.max(this.#options.now(), jobTime) + this.#options.maxNtimeAhead) refuse(SHARE_ERRORS.OTHER, 'Ntime out of range');
        if (versionBits !== undefined && miner.versionMask === 0) refuse(SHARE_ERRORS.OTHER, 'Version rolling was not negotiated');
        const key = `${extranonce2}:${ntime}:${nonce}:${versionBits ?? ''}`.toLowerCase();
        let seen = miner.seen.get(jobId);
        if (!seen) miner.seen.set(jobId, (seen = new Set()));
        if (seen.has(key)) refuse(SHARE_ERRORS.DUPLICATE, 'Duplicate share');

        let validator = miner.validators.get(jobId);
        if (!validator) miner.validators.set(jobId, (validator = new ShareValidator(job, { extranonce1: miner.extranonce1, extranonce2Size: this.#options.extranonce2Size, versionMask: miner.versionMask })));
        const submit = versionBits === undefined ? { extranonce2, ntime, nonce } : { extranonce2, ntime, nonce, versionBits };
        let check;
        try {
          check = validator.check(submit, Math.min(miner.difficulty, miner.previousDifficulty));
        } catch (e) {
          if (e instanceof BitcoinError) return refuse(SHARE_ERRORS.OTHER, e.message);
          throw e;
        }
        if (check.reason === 'version-bits-not-allowed') refuse(SHARE_ERRORS.OTHER, 'Version bits outside the granted mask');
        if (!check.accepted) refuse(SHARE_ERRORS.LOW_DIFFICULTY, `Low difficulty share of ${check.difficulty.toPrecision(6)}`);
        seen.add(key);
        if (seen.size > KEPT_SHARES) seen.delete(seen.values().next().value as string);
        miner.previousDifficulty = miner.difficulty;

        let block: ChainBlock | undefined;
        if (check.isBlock) {
          try {
            block = this.#chain.submitBlock(validator.header(submit), hexToBytes(validator.coinbase(extranonce2)), job.template.transactions);
            this.events.emit('block', block, worker);
          } catch {
            // Stale (another share won the race for this height): still a good share.
          }
        }
        this.events.emit('share', { worker, jobId, difficulty: check.difficulty, accepted: true, ...(block ? { block } : {}) });
        this.#retarget(miner);
        return true;
      },
    };
  }

  /** Variable difficulty: after a few shares, move toward the wanted share interval (at most 4x per step). */
  #retarget(miner: PoolMiner) {
    const d = this.#options.difficulty;
    if (typeof d === 'number') return;
    const now = this.#options.now();
    miner.shareTimes.push(now);
    if (miner.shareTimes.length < 8) return;
    const first = miner.shareTimes[0] as number;
    const interval = Math.max(1, now - first) / (miner.shareTimes.length - 1);
    miner.shareTimes = [];
    const factor = Math.min(4, Math.max(0.25, (d.targetInterval ?? 10) / interval));
    const next = Math.min(d.max, Math.max(d.min, miner.difficulty * factor));
    if (next !== miner.difficulty) this.setDifficulty(miner, next);
  }
}

function hex32(value: string | number): string {
  return typeof value === 'number' ? (value >>> 0).toString(16).padStart(8, '0') : value;
}
