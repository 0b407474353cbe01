// The command line's miner: the CpuMiner's job (take the pool's current job, search nonces, submit what meets
// the share difficulty) spread over worker threads, one per core by default. Node-only (worker_threads), so it
// lives under src/cli and none of the platform-free entry points import it.
//
// How the work is split, as ASICs split it: with BIP310 version rolling granted, every thread searches the
// same coinbase (one extranonce2 per job) under its own version bits within the mask (thread i takes the
// i-th, (i+N)-th, (i+2N)-th... value of the mask's bits), each header's full 2^32 nonces; without it, each
// thread takes its own extranonce2. A thread that exhausts a header moves to its next version bits (or
// extranonce2). A new job, difficulty or mask restarts every thread within a few thousand hashes.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { hashToHex, u32ToHex } from '../bitcoin/bytes.js';
import { Extranonce2Counter } from '../bitcoin/extranonce.js';
import { buildHeader } from '../bitcoin/job.js';
import { difficultyToTarget, targetToBytes } from '../bitcoin/target.js';
import { bitCount, parseVersionMask } from '../bitcoin/version-rolling.js';
import type { CpuMinerEvents, ShareResult } from '../clients/cpu-miner.js';
import type { MiningClient } from '../clients/mining-client.js';
import type { MiningJob } from '../clients/mining-types.js';
import { Emitter } from '../runtime/emitter.js';
import { ClosedError, StratumSdkError } from '../runtime/errors.js';
import { MINER_WORKER_SOURCE } from './miner-worker-source.js';

export interface ThreadedMinerOptions {
  /** The authorized worker to submit as. */
  readonly worker: string;
  /** Worker threads (default os.availableParallelism()). */
  readonly threads?: number;
}

export interface ThreadedShare extends ShareResult {
  /** The version bits submitted (BIP310), when rolling. */
  readonly versionBits: string | undefined;
  /** Which thread found it. */
  readonly thread: number;
}

export interface ThreadedMinerEvents {
  share: [share: ThreadedShare];
  /** Nonces tried so far, all threads together. */
  progress: CpuMinerEvents['progress'];
  /** A thread moved to new work: the job, its version bits (undefined without rolling) and extranonce2. */
  work: [thread: number, job: MiningJob, versionBits: string | undefined, extranonce2: string];
}

const NONCES = 0x100000000;

interface Assignment {
  readonly id: number;
  readonly job: MiningJob;
  readonly extranonce2: string;
  readonly versionBits: string | undefined;
  readonly gen: number;
}

interface Thread {
  readonly index: number;
  readonly worker: Worker;
  /** Which of this thread's variants (version bits or extranonce2) it searches: the k in i + kN. */
  round: number;
  current: Assignment | undefined;
}

export class ThreadedMiner {
  readonly events = new Emitter<ThreadedMinerEvents>();
  readonly threads: number;
  readonly #client: MiningClient;
  readonly #options: ThreadedMinerOptions;
  #hashes = 0;

  constructor(client: MiningClient, options: ThreadedMinerOptions) {
    this.#client = client;
    this.#options = options;
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads: expected a whole number of at least 1, got ${String(threads)}`);
    this.threads = threads;
  }

  get hashes(): number {
    return this.#hashes;
  }

  /** Mines until the signal fires (resolves) or the client closes (rejects with its error). */
  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const client = this.#client;
    const control = new Int32Array(new SharedArrayBuffer(4));
    const sha2 = pathToFileURL(createRequire(import.meta.url).resolve('@noble/hashes/sha2.js')).href;
    const threads: Thread[] = [];
    const assignments = new Map<number, Assignment>();
    let nextId = 1;
    let gen = 0;
    let counter: Extranonce2Counter | undefined;
    let counterSession = '';
    let sharedExtranonce2 = '';
    let stopped = false;
    const pending = new Set<Promise<void>>();

    let finish!: (error?: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      finish = (error) => {
        if (stopped) return;
        stopped = true;
        Atomics.store(control, 0, -1);
        if (error) reject(error);
        else resolve();
      };
    });

    const nextExtranonce2 = (job: MiningJob): string => {
      const session = `${job.extranonce1}/${job.extranonce2Size}`;
      if (!counter || session !== counterSession) {
        counter = new Extranonce2Counter(job.extranonce2Size as number);
        counterSession = session;
      }
      return counter.next();
    };

    /** Gives a thread its next header of the current job. */
    const assign = (thread: Thread) => {
      const job = client.currentJob;
      if (stopped || !job || job.extranonce1 === undefined || job.extranonce2Size === undefined) {
        thread.current = undefined;
        return;
      }
      const maskHex = client.versionMask;
      const mask = maskHex === undefined ? 0 : parseVersionMask(maskHex);
      let versionBits: string | undefined;
      let extranonce2: string;
      const slot = thread.index + thread.round * this.threads;
      thread.round++;
      if (mask !== 0 && slot < 2 ** bitCount(mask)) {
        versionBits = u32ToHex(depositBits(slot, mask));
        extranonce2 = sharedExtranonce2 || (sharedExtranonce2 = nextExtranonce2(job));
      } else {
        extranonce2 = nextExtranonce2(job);
      }
      const built = buildHeader(job, {
        extranonce1: job.extranonce1,
        extranonce2,
        nonce: '00000000',
        ...(versionBits === undefined ? {} : { versionBits, versionMask: mask }),
      });
      const assignment: Assignment = { id: nextId++, job, extranonce2, versionBits, gen };
      assignments.set(assignment.id, assignment);
      thread.current = assignment;
      const header = hexBytes(built.header);
      const target = targetToBytes(difficultyToTarget(job.difficulty));
      thread.worker.postMessage({ type: 'work', id: assignment.id, gen, header, target, start: 0, count: NONCES });
      this.events.emit('work', thread.index, job, versionBits, extranonce2);
    };

    /** A new job, difficulty or mask: every thread drops what it does and starts on the new one. */
    let lastKey = '';
    const restart = () => {
      const job = client.currentJob;
      const key = job ? `${job.jobId}/${job.extranonce1}/${job.difficulty}/${client.versionMask ?? ''}` : '';
      if (stopped || key === lastKey) return;
      lastKey = key;
      gen++;
      Atomics.store(control, 0, gen);
      sharedExtranonce2 = '';
      for (const t of threads) {
        t.round = 0;
        assign(t);
      }
    };

    const submit = async (thread: Thread, assignment: Assignment, nonce: number, hashInternal: Uint8Array) => {
      const { job, extranonce2, versionBits } = assignment;
      const nonceHex = u32ToHex(nonce);
      const hash = hashToHex(hashInternal);
      const params = [this.#options.worker, job.jobId, extranonce2, job.ntime, nonceHex, ...(versionBits === undefined ? [] : [versionBits])] as const;
      const base = { job, extranonce2, nonce: nonceHex, ntime: job.ntime, hash, versionBits, thread: thread.index };
      try {
        const accepted = await client.mining.submit(...(params as unknown as Parameters<MiningClient['mining']['submit']>));
        // A share sent before a stop is still reported when its answer comes.
        this.events.emit('share', { ...base, accepted });
      } catch (e) {
        if (!(e instanceof StratumSdkError)) return finish(e as Error);
        if (e.code === 'CLOSED') return finish(e);
        this.events.emit('share', { ...base, accepted: false, error: e });
      }
    };

    const onAbort = () => finish();
    signal.addEventListener('abort', onAbort, { once: true });
    const offs = [
      client.on('job', restart),
      client.on('difficulty', restart),
      client.on('version-mask', restart),
      client.on('close', (error) => finish(error ?? new ClosedError('mining: the pool connection closed'))),
    ];
    try {
      for (let index = 0; index < this.threads; index++) {
        const worker = new Worker(MINER_WORKER_SOURCE, { eval: true, workerData: { control: control.buffer, sha2 } });
        const thread: Thread = { index, worker, round: 0, current: undefined };
        threads.push(thread);
        worker.on('error', (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))));
        worker.on('message', (message: WorkerMessage) => {
          if (stopped) return;
          switch (message.type) {
            case 'progress':
              this.#hashes += message.tries;
              this.events.emit('progress', this.#hashes);
              break;
            case 'found': {
              const assignment = assignments.get(message.id);
              // Only shares of the work in force: a stale job's shares would be refused.
              if (assignment && assignment.gen === gen) {
                const p = submit(thread, assignment, message.nonce, message.hash);
                pending.add(p);
                void p.finally(() => pending.delete(p));
              }
              break;
            }
            case 'done':
              assignments.delete(message.id);
              // Exhausted (not stale): this thread's next header.
              if (thread.current?.id === message.id) assign(thread);
              break;
            case 'error':
              finish(new Error(`miner thread ${index}: ${message.message}`));
              break;
          }
        });
      }
      if (client.closed) finish(new ClosedError('mining: the pool connection closed'));
      await Promise.race([Promise.all(threads.map((t) => new Promise<void>((resolve) => t.worker.once('message', () => resolve())))), done]);
      restart();
      await done;
    } finally {
      signal.removeEventListener('abort', onAbort);
      finish();
      await Promise.all(threads.map((t) => t.worker.terminate()));
      // Shares already sent get their answers (or the connection's end) before run() returns.
      await Promise.allSettled(pending);
      for (const off of offs) off();
    }
  }
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; tries: number }
  | { type: 'found'; id: number; nonce: number; hash: Uint8Array }
  | { type: 'done'; id: number; tries: number }
  | { type: 'error'; message: string };

/** The `index`-th value of the bits of `mask`: index's bits deposited, lowest first, into the mask's set bits. */
export function depositBits(index: number, mask: number): number {
  let out = 0;
  let rest = index;
  for (let m = mask >>> 0; m !== 0 && rest > 0; m = (m & (m - 1)) >>> 0) {
    if (rest % 2 === 1) out |= m & -m;
    rest = Math.floor(rest / 2);
  }
  return out >>> 0;
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Hashes a share at `difficulty` takes on average: difficulty 1 is 2^32 · 65536/65535. */
export function hashesPerShare(difficulty: number): number {
  return difficulty * 4295032833;
}
