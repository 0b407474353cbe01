// The network's JSON-RPC batches: how many are on the wire at once, and the slicing of calls into batches.

/**
 * Batches the network has on the wire at once, over all its calls: the server answers a batch only once all of it is
 * done, so a few in flight keep it busy while the client checks the answers of another; few enough that a server
 * limiting concurrent work per connection (ElectrumX's cost) is not flooded, and that proofs asked while histories
 * are checked do not multiply them.
 */
export const BATCH_WINDOW = 8;

export class BatchWindow {
  #batchesOnWire = 0;
  readonly #batchQueue: (() => void)[] = [];

  /**
   * Sends a batch (`send`) once fewer than BATCH_WINDOW of the network's batches are on the wire, and hands its answer
   * to `after`; the batch leaves the window once answered (the next one goes before this one's answer is looked at).
   * Nothing made before the batch is sent holds its answer: what waits its turn (a closure) and the promise returned
   * (settled with nothing) live long when many batches wait, long enough for the young generation's collections to
   * move them to the old one, and an answer they held would then be kept there, with everything in it, until a full
   * collection. (An async task per batch, started up front to await its turn, held its answer so; without them a
   * verify-on sync measured about a tenth less client CPU.)
   */
  onWire<T>(send: () => Promise<T>, after: (answer: T) => void | Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        let answer: Promise<T>;
        try {
          answer = send();
        } catch (e) {
          this.#leave();
          reject(e);
          return;
        }
        answer
          .then(
            (value) => {
              this.#leave();
              return after(value);
            },
            (e: unknown) => {
              this.#leave();
              throw e;
            },
          )
          .then(() => resolve(), reject);
      };
      if (this.#batchesOnWire < BATCH_WINDOW) {
        this.#batchesOnWire++;
        go();
      } else this.#batchQueue.push(go);
    });
  }

  /** A batch answered (or not sent): the next one waiting takes its place. */
  #leave() {
    const next = this.#batchQueue.shift();
    if (next) next();
    else this.#batchesOnWire--;
  }
}

export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let from = 0; from < items.length; from += size) out.push(items.slice(from, from + size));
  return out;
}

/** Runs `task` on every item at once; the first failure is thrown once all have settled (none is left running). */
export async function each<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
  const outcomes = await Promise.allSettled(items.map(task));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}
