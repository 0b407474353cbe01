// A Stratum V1 pool over the regtest chain: jobs built from the tip, a unique extranonce1 per miner, fixed
// or variable share difficulty above a floor miners cannot lower, shares checked with the standard error codes
// (a duplicate known by the header it builds), BIP310 version rolling, and a share that meets the network
// target becomes a block. Transport-free: a server hands each connection in as a PoolMinerLink and routes
// its requests to `handlers`.
import { hexToBytes, u32FromHex } from '../bitcoin/bytes.js';
import { BitcoinError } from '../bitcoin/errors.js';
import { ShareValidator } from '../bitcoin/share.js';
import { BIP320_VERSION_MASK, negotiateVersionRolling } from '../bitcoin/version-rolling.js';
import type { MiningServerHandlers } from '../generated/mining/server-api.js';
import { Emitter } from '../runtime/emitter.js';
import { ServerError } from '../runtime/errors.js';
import type { ChainBlock, RegtestChain } from './chain.js';
import { buildJob, JobShares, shareKey, type PoolJob } from './jobs.js';

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
  /**
   * A fixed share difficulty, or variable difficulty (default: fixed 1/4096, a share every few seconds from a
   * CPU). It is also the floor: no miner ever gets less than the fixed difficulty, or a VarDiff's `min`. A miner
   * may ask for more (mining.suggest_difficulty, or BIP310 minimum-difficulty in mining.configure), up to a
   * VarDiff's `max`, never for less: a lower suggestion gets the floor, and one that is not a finite number
   * above 0 is ignored. A floor a miner could lower would let it flood the pool with shares that cost nothing.
   */
  readonly difficulty?: number | VarDiff;
  /** Bytes of extranonce2 each miner rolls (default 4). */
  readonly extranonce2Size?: number;
  /** The version bits miners may roll (default BIP320's 0x1fffe000). */
  readonly versionMask?: number;
  /** Text in every coinbase (default "/stratum-sdk/"). */
  readonly tag?: string;
  /**
   * Shares one job remembers for duplicate checks, all miners together (default 32,768, DEFAULT_MAX_SHARES_PER_JOB).
   * Past it the job refuses new shares (code 20) until a block or a transaction makes the next job.
   */
  readonly maxSharesPerJob?: number;
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
/** Jobs that still take shares: a clean job drops the others, and past this many the oldest goes. */
export const KEPT_JOBS = 16;
/**
 * Shares a job remembers by default (PoolOptions.maxSharesPerJob): room for 500 miners at vardiff's share every
 * 10 s through a 10-minute job. A share is never forgotten while its job can be submitted to (forgetting one
 * would let it be submitted again), so a job that took this many refuses more instead: a miner on a difficulty
 * far too low for it would otherwise grow the pool without end. With KEPT_JOBS jobs that bounds duplicate
 * detection to 16 × 32,768 shares × ~70 bytes, about 36 MB (measured on Node 20), however many miners submit;
 * reaching it takes half a million valid shares without a block.
 */
export const DEFAULT_MAX_SHARES_PER_JOB = 32_768;

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
  /** Per job id; built for the extranonce1 and version mask the miner had then, so dropped when either changes. */
  readonly validators = new Map<string, ShareValidator>();
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
  /** The jobs that take shares, each with the shares it took: a job's shares live exactly as long as it does. */
  readonly #jobs = new Map<string, { readonly job: PoolJob; readonly shares: JobShares }>();
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
      maxSharesPerJob: options.maxSharesPerJob ?? DEFAULT_MAX_SHARES_PER_JOB,
      maxNtimeAhead: options.maxNtimeAhead ?? 7200,
      now: options.now ?? (() => Math.floor(Date.now() / 1000)),
    };
    hexToBytes(options.payoutScript, 'payoutScript');
    const d = this.#options.difficulty;
    if (typeof d === 'number' ? !(d > 0 && d < Infinity) : !(d.min > 0 && d.min <= d.initial && d.initial <= d.max && d.max < Infinity)) throw new RangeError('difficulty must be finite and > 0 (or 0 < min <= initial <= max, all finite)');
    if (!(Number.isInteger(this.#options.maxSharesPerJob) && this.#options.maxSharesPerJob >= 1)) throw new RangeError('maxSharesPerJob must be an integer >= 1');
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

  /** Shares remembered for duplicate checks, over every job that still takes shares (at most KEPT_JOBS × maxSharesPerJob). */
  get rememberedShares(): number {
    let n = 0;
    for (const { shares } of this.#jobs.values()) n += shares.size;
    return n;
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

  /** Changes a miner's share difficulty and tells it. The pool's own call: the floor of `difficulty` does not apply. */
  setDifficulty(miner: PoolMiner, difficulty: number): void {
    if (!(difficulty > 0 && difficulty < Infinity)) throw new RangeError(`difficulty must be finite and > 0, got ${String(difficulty)}`);
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
    this.#jobs.set(job.jobId, { job, shares: new JobShares(this.#options.maxSharesPerJob) });
    while (this.#jobs.size > KEPT_JOBS) this.#jobs.delete(this.#jobs.keys().next().value as string);
    // Validators of jobs no longer kept go with them, so a long run without blocks cannot grow them.
    for (const miner of this.#miners) {
      for (const id of miner.validators.keys()) if (!this.#jobs.has(id)) miner.validators.delete(id);
    }
    this.#current = job;
    this.events.emit('job', job);
    return job;
  }

  /** A difficulty a miner asked for, within the configured bounds; null when it is not a usable number. */
  #bounded(requested: unknown): number | null {
    if (typeof requested !== 'number' || !(requested > 0 && requested < Infinity)) return null;
    const d = this.#options.difficulty;
    return typeof d === 'number' ? Math.max(d, requested) : Math.min(d.max, Math.max(d.min, requested));
  }

  /**
   * Whether any job still taking shares took this one. Every job is searched, not only the share's own: two
   * jobs built from one template would build the same headers. Today every new job commits to a new tip or a
   * larger mempool, so that cannot happen, but this does not rely on it, for KEPT_JOBS lookups at most.
   */
  #remembers(key: string): boolean {
    for (const { shares } of this.#jobs.values()) if (shares.has(key)) return true;
    return false;
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
        // Its shares are still the pool's (they are remembered per job), so it cannot submit them again.
        if (typeof sessionId === 'string' && /^[0-9a-f]{8}$/.test(sessionId) && sessionId !== miner.extranonce1 && ![...this.#miners].some((m) => m !== miner && m.extranonce1 === sessionId)) {
          miner.extranonce1 = sessionId;
          miner.validators.clear();
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
            const grant = grantVersionRolling(this.#options.versionMask, mask, minBitCount);
            const granted = grant.enough ? grant.mask : 0;
            if (granted !== miner.versionMask) miner.validators.clear();
            miner.versionMask = granted;
            result['version-rolling'] = grant.enough;
            if (grant.enough) result['version-rolling.mask'] = grant.maskHex;
          } else if (ext === 'minimum-difficulty') {
            // The miner's own minimum: it can only raise its difficulty (within bounds), never go under the floor.
            const min = this.#bounded(parameters['minimum-difficulty.value']);
            result['minimum-difficulty'] = min !== null;
            if (min !== null && miner.difficulty < min) miner.difficulty = miner.previousDifficulty = min;
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
        const bounded = this.#bounded(difficulty);
        if (bounded === null) return false;
        this.setDifficulty(miner, bounded);
        return true;
      },
      'mining.submit': ([worker, jobId, rawExtranonce2, rawNtime, rawNonce, versionBits], miner) => {
        const refuse = (code: number, message: string, difficulty = miner.difficulty): never => {
          this.events.emit('share', { worker, jobId, difficulty, accepted: false, reason: message });
          throw reject(code, message);
        };
        if (!miner.subscribed) refuse(SHARE_ERRORS.NOT_SUBSCRIBED, 'Not subscribed');
        if (!miner.workers.has(worker)) refuse(SHARE_ERRORS.UNAUTHORIZED, 'Unauthorized worker');
        const live = this.#jobs.get(jobId);
        if (!live) return refuse(SHARE_ERRORS.JOB_NOT_FOUND, 'Job not found');
        const { job, shares } = live;
        // The server checked the params against the spec; these checks are for callers that skip it.
        if (typeof rawExtranonce2 !== 'string' || rawExtranonce2.length !== this.#options.extranonce2Size * 2) refuse(SHARE_ERRORS.OTHER, `Incorrect size of extranonce2 (expected ${this.#options.extranonce2Size} bytes)`);
        const extranonce2 = rawExtranonce2.toLowerCase(); // one merkle root cached per extranonce2, whatever its case
        const ntime = u32Hex(rawNtime) ?? refuse(SHARE_ERRORS.OTHER, 'Bad ntime (expected 8 hex digits or a 32-bit integer)');
        const nonce = u32Hex(rawNonce) ?? refuse(SHARE_ERRORS.OTHER, 'Bad nonce (expected 8 hex digits or a 32-bit integer)');
        const time = u32FromHex(ntime, 'ntime');
        const jobTime = u32FromHex(job.ntime);
        // Measured from the job's own time too: blocks found faster than one a second may carry times ahead
        // of the clock, and the pool must never refuse the ntime it handed out.
        if (time < jobTime || time > Math.max(this.#options.now(), jobTime) + this.#options.maxNtimeAhead) refuse(SHARE_ERRORS.OTHER, 'Ntime out of range');
        if (versionBits !== undefined && miner.versionMask === 0) refuse(SHARE_ERRORS.OTHER, 'Version rolling was not negotiated');
        if (versionBits !== undefined && typeof versionBits !== 'string') refuse(SHARE_ERRORS.OTHER, 'Bad version bits (expected 8 hex digits)');

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
        // Keyed on the header's hash, not on the params' text: every spelling of one share builds the same header.
        const key = shareKey(check.hashBytes);
        if (this.#remembers(key)) refuse(SHARE_ERRORS.DUPLICATE, 'Duplicate share');
        if (!check.accepted) refuse(SHARE_ERRORS.LOW_DIFFICULTY, `Low difficulty share of ${check.difficulty.toPrecision(6)}`);
        if (!shares.add(key)) refuse(SHARE_ERRORS.OTHER, `Job ${jobId} is full (it took ${shares.limit} shares): wait for the next job`);
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

/** ntime or nonce as 8 hex digits: the spec takes them as hex or (as some miners send them) a JSON integer. */
function u32Hex(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 0xffffffff ? value.toString(16).padStart(8, '0') : undefined;
  return typeof value === 'string' && /^[0-9a-fA-F]{8}$/.test(value) ? value : undefined;
}

/**
 * A version-rolling grant for what a miner asked; a request the toolkit cannot read (a mask or count the
 * server's param checks would have refused) is granted nothing, as BIP310 answers a request it cannot meet.
 */
function grantVersionRolling(serverMask: number, mask: unknown, minBitCount: unknown) {
  try {
    return negotiateVersionRolling(serverMask, {
      ...(typeof mask === 'string' ? { mask } : {}),
      ...(typeof minBitCount === 'number' || typeof minBitCount === 'string' ? { minBitCount } : {}),
    });
  } catch (e) {
    if (e instanceof BitcoinError) return { mask: 0, maskHex: '00000000', bitCount: 0, enough: false };
    throw e;
  }
}
