// The network's JSON-RPC batches: how many are on the wire at once, and the slicing of calls into batches.

/**
 * Batches the network has on the wire at once, over all its calls: the server answers a batch only once all of it is
 * done, so a few in flight keep it busy while the client checks the answers of another; few enough that a server
 * limiting concurrent work per connection (ElectrumX's cost) is not flooded, and that proofs asked while histories
 * are checked do not multiply them.
 */
const BATCH_WINDOW = 8;

export class BatchWindow {
  #batchesOnWire = 0;
  readonly #batchQueue: (() => void)[] = [];

  /** Runs a batch request once fewer than BATCH_WINDOW of the network's batches are on the wire. */
  async onWire<T>(send: () => Promise<T>): Promise<T> {
    if (this.#batchesOnWire >= BATCH_WINDOW) await new Promise<void>((resolve) => this.#batchQueue.push(resolve));
    else this.#batchesOnWire++;
    try {
      return await send();
    } finally {
      const next = this.#batchQueue.shift();
      if (next) next();
      else this.#batchesOnWire--;
    }
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
