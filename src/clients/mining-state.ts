// The miner's view of one Stratum session: extranonce, difficulty, version mask, jobs and workers.
// No I/O: the client feeds it validated results and notifications and it emits what changed.
import { miningServerTree, type MiningServerMessageHandlers } from '../generated/mining/client-api.js';
import type { MiningConfigureResult, MiningNotifyNotification } from '../generated/mining/types.js';
import type { Emitter } from '../runtime/emitter.js';
import type { MiningClientEvents, MiningJob, MiningSubscribeTriple, MiningSubscription } from './mining-types.js';

/**
 * 32 jobs: pools with clean_jobs=false send a job every 30-60 s and all stay valid until the next block
 * (10 minutes on average), so this keeps every job a share may still be submitted for, and a pool that
 * floods mining.notify with new ids costs a bounded amount of memory.
 */
export const DEFAULT_MAX_JOBS = 32;

/** The Stratum default share difficulty until the pool sends mining.set_difficulty. */
const INITIAL_DIFFICULTY = 1;

/** What to emit once a notification's own wire-name event has gone out (undefined: nothing changed). */
export type AfterNotification = (() => void) | undefined;

export class MiningState {
  readonly #emit: Emitter<MiningClientEvents>['emit'];
  readonly #maxJobs: number;
  // Insertion order is age order: the first key is the oldest job.
  readonly #jobs = new Map<string, MiningJob>();
  readonly #workers = new Map<string, string | undefined>();
  #subscription: MiningSubscription | undefined;
  #extranonce1: string | undefined;
  #extranonce2Size: number | undefined;
  #difficulty = INITIAL_DIFFICULTY;
  #versionMask: string | undefined;
  #current: MiningJob | undefined;

  constructor(emit: Emitter<MiningClientEvents>['emit'], maxJobs = DEFAULT_MAX_JOBS) {
    if (!Number.isInteger(maxJobs) || maxJobs < 1) throw new RangeError(`maxJobs must be a positive integer, got ${maxJobs}`);
    this.#emit = emit;
    this.#maxJobs = maxJobs;
  }

  get subscription(): MiningSubscription | undefined {
    return this.#subscription;
  }
  get extranonce1(): string | undefined {
    return this.#extranonce1;
  }
  get extranonce2Size(): number | undefined {
    return this.#extranonce2Size;
  }
  get difficulty(): number {
    return this.#difficulty;
  }
  get versionMask(): string | undefined {
    return this.#versionMask;
  }
  get jobs(): ReadonlyMap<string, MiningJob> {
    return this.#jobs;
  }
  get currentJob(): MiningJob | undefined {
    return this.#current;
  }
  /** Workers the pool authorized on this session, with the password given, for re-authorizing after a reconnect. */
  get workers(): ReadonlyMap<string, string | undefined> {
    return this.#workers;
  }

  subscribed(result: MiningSubscribeTriple): MiningSubscription {
    const [list, extranonce1, extranonce2Size] = result;
    // p2pool answers with one flat pair instead of a list of pairs.
    const pairs = isPair(list) ? [list] : (list as [string, string][]);
    const subscriptions = pairs.map(([method, id]) => [method, id] as const);
    // The session id is the subscription id the pool gave its job notifications.
    const subscription = { subscriptions, extranonce1, extranonce2Size, sessionId: subscriptions.find(([m]) => m === miningServerTree.mining.notify)?.[1] };
    this.#subscription = subscription;
    this.#setExtranonce(extranonce1, extranonce2Size)?.();
    return subscription;
  }

  configured(result: MiningConfigureResult | undefined): void {
    const mask = result?.['version-rolling'] === true ? result['version-rolling.mask'] : undefined;
    this.#setVersionMask(mask)?.();
  }

  authorized(user: string, password: string | undefined, ok: boolean): void {
    if (ok) this.#workers.set(user, password);
    else this.#workers.delete(user);
  }

  /**
   * The notifications that change the state, by their place in the generated tree of what a pool sends:
   * each applies one validated notification and returns what to emit after its wire-name event.
   */
  readonly handlers: MiningServerMessageHandlers<AfterNotification> = {
    mining: {
      notify: (params) => this.#notify(params),
      setDifficulty: ([difficulty]) => {
        if (difficulty === this.#difficulty) return undefined;
        this.#difficulty = difficulty;
        return () => this.#emit('difficulty', difficulty);
      },
      setExtranonce: ([extranonce1, extranonce2Size]) => this.#setExtranonce(extranonce1, extranonce2Size),
      setVersionMask: ([mask]) => this.#setVersionMask(mask),
    },
  };

  /** A new connection: jobs of the old one cannot be submitted there. */
  newConnection(): void {
    this.#jobs.clear();
    this.#current = undefined;
    this.#subscription = undefined;
  }

  #notify(params: MiningNotifyNotification): () => void {
    const [jobId, prevHash, coinb1, coinb2, merkleBranch, version, nbits, ntime, cleanJobs] = params;
    const job: MiningJob = Object.freeze({
      jobId,
      prevHash,
      coinb1,
      coinb2,
      merkleBranch: Object.freeze([...merkleBranch]),
      version,
      nbits,
      ntime,
      // cgminer's rule: only a literal true cleans.
      cleanJobs: cleanJobs === true,
      extranonce1: this.#extranonce1,
      extranonce2Size: this.#extranonce2Size,
      difficulty: this.#difficulty,
    });
    if (job.cleanJobs) this.#jobs.clear();
    // A resent id replaces the old job and becomes the newest.
    this.#jobs.delete(jobId);
    this.#jobs.set(jobId, job);
    for (const oldest of this.#jobs.keys()) {
      if (this.#jobs.size <= this.#maxJobs) break;
      this.#jobs.delete(oldest);
    }
    this.#current = job;
    return () => this.#emit('job', job);
  }

  // State changes at once; the event is returned so a notification's wire-name event can go first.
  #setExtranonce(extranonce1: string, extranonce2Size: number): (() => void) | undefined {
    if (extranonce1 === this.#extranonce1 && extranonce2Size === this.#extranonce2Size) return undefined;
    this.#extranonce1 = extranonce1;
    this.#extranonce2Size = extranonce2Size;
    return () => this.#emit('extranonce', extranonce1, extranonce2Size);
  }

  #setVersionMask(mask: string | undefined): (() => void) | undefined {
    if (mask === this.#versionMask) return undefined;
    this.#versionMask = mask;
    return () => this.#emit('version-mask', mask);
  }
}

function isPair(value: unknown): value is [string, string] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string';
}
