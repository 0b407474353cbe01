// A small CPU miner on a MiningClient: takes the current job, rolls extranonce2 and searches nonces with
// the toolkit, submits what meets the share difficulty. For demos, tests and regtest; real mining belongs
// on ASICs. It yields to the event loop between chunks, follows new jobs and stops on its signal.
import { Extranonce2Counter } from '../bitcoin/extranonce.js';
import { buildHeader } from '../bitcoin/job.js';
import { searchNonce } from '../bitcoin/search.js';
import { difficultyToTarget } from '../bitcoin/target.js';
import { Emitter } from '../runtime/emitter.js';
import { AbortedError, ClosedError, StratumSdkError } from '../runtime/errors.js';
import type { MiningClient } from './mining-client.js';
import type { MiningJob } from './mining-types.js';

export interface CpuMinerOptions {
  /** The authorized worker to submit as. */
  readonly worker: string;
  /** Nonces tried before looking for a newer job (default 65,536). */
  readonly chunk?: number;
}

export interface ShareResult {
  readonly job: MiningJob;
  readonly extranonce2: string;
  readonly nonce: string;
  readonly ntime: string;
  /** Block hash of the header, display hex. */
  readonly hash: string;
  readonly accepted: boolean;
  /** Why the pool refused it. */
  readonly error?: StratumSdkError;
}

export interface CpuMinerEvents {
  share: [share: ShareResult];
  /** Nonces tried so far, after each chunk. */
  progress: [hashes: number];
}

export class CpuMiner {
  readonly events = new Emitter<CpuMinerEvents>();
  readonly #client: MiningClient;
  readonly #options: CpuMinerOptions;
  #hashes = 0;

  constructor(client: MiningClient, options: CpuMinerOptions) {
    this.#client = client;
    this.#options = options;
  }

  get hashes(): number {
    return this.#hashes;
  }

  /** Mines until the signal fires (resolves) or the client closes (rejects with its error). */
  async run(signal: AbortSignal): Promise<void> {
    const chunk = this.#options.chunk ?? 65_536;
    let counter = new Extranonce2Counter(1);
    let session: string | undefined;
    let jobId: string | undefined;
    let extranonce2 = '';
    let start = 0;
    while (!signal.aborted) {
      if (this.#client.closed) throw new ClosedError('mining: the pool connection closed');
      const job = this.#client.currentJob;
      if (!job || job.extranonce1 === undefined || job.extranonce2Size === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      // A new extranonce1 restarts the extranonce2 space; a new job or a used-up nonce range takes the next value.
      if (`${job.extranonce1}/${job.extranonce2Size}` !== session) {
        session = `${job.extranonce1}/${job.extranonce2Size}`;
        counter = new Extranonce2Counter(job.extranonce2Size);
        jobId = undefined;
      }
      if (job.jobId !== jobId || start > 0xffffffff) {
        extranonce2 = counter.next();
        jobId = job.jobId;
        start = 0;
      }
      const { header } = buildHeader(job, { extranonce1: job.extranonce1, extranonce2, nonce: '00000000' });
      let found;
      try {
        found = await searchNonce(header, difficultyToTarget(job.difficulty), { startNonce: start, maxIterations: Math.min(chunk, 0x100000000 - start), chunkSize: 16_384, signal });
      } catch (e) {
        if (e instanceof AbortedError) return;
        throw e;
      }
      const tried = found ? found.tries : Math.min(chunk, 0x100000000 - start);
      this.#hashes += tried;
      start += tried;
      this.events.emit('progress', this.#hashes);
      if (!found) continue;
      const ntime = job.ntime;
      try {
        const accepted = await this.#client.mining.submit(this.#options.worker, job.jobId, extranonce2, ntime, found.nonceHex);
        this.events.emit('share', { job, extranonce2, nonce: found.nonceHex, ntime, hash: found.hash, accepted });
      } catch (e) {
        if (!(e instanceof StratumSdkError)) throw e;
        // A share lost to a reconnect (the client's `reconnect` option) is a lost share; a closed client ends the run.
        if (e.code === 'CLOSED' && this.#client.closed) throw e;
        this.events.emit('share', { job, extranonce2, nonce: found.nonceHex, ntime, hash: found.hash, accepted: false, error: e });
      }
    }
  }
}
