// The network's batch: calls sent as JSON-RPC batches on the server in use, each answer checked as a request's is,
// the whole batch moved to the next server when the server fails; subscriptions handled apart.
import type { BatchItemResult, ElectrumBatchCall } from '../clients/electrum-types.js';
import type { RequestOptions } from '../runtime/session.js';
import { chunked, each, type BatchWindow } from './batch-window.js';
import { asSdkError, limitOf } from './peer.js';
import type { ServerPool } from './server-pool.js';
import type { FetchedProof, History, WalletVerifier } from './wallet-verifier.js';

/** Handled by the network itself, never sent in a batch. */
const SUBSCRIPTION_METHODS: ReadonlySet<string> = new Set(['blockchain.headers.subscribe', 'blockchain.scripthash.subscribe', 'blockchain.scripthash.unsubscribe']);

/** What a batch needs from its network. */
export interface BatchHost {
  readonly verify: boolean;
  readonly maxBatch: number;
  readonly pool: ServerPool;
  readonly verifier: WalletVerifier;
  readonly window: BatchWindow;
  /** One request as `request` sends it (subscriptions included). */
  call(method: string, params: readonly unknown[], options: RequestOptions): Promise<unknown>;
}

/** ElectrumNetwork.batch: the results in the order of the calls. */
export async function sendBatch(host: BatchHost, calls: readonly ElectrumBatchCall[], options: RequestOptions): Promise<BatchItemResult<unknown>[]> {
  const { pool, verifier } = host;
  const results: BatchItemResult<unknown>[] = new Array<BatchItemResult<unknown>>(calls.length);
  const settle = (i: number, run: () => Promise<unknown>) =>
    run().then(
      (value) => void (results[i] = { ok: true, value }),
      (e: unknown) => void (results[i] = { ok: false, error: asSdkError(e) }),
    );
  const wire: number[] = [];
  const apart: Promise<void>[] = [];
  calls.forEach(([method, params], i) => {
    if (SUBSCRIPTION_METHODS.has(method)) apart.push(settle(i, () => host.call(method, params as readonly unknown[], options)));
    else wire.push(i);
  });
  if (wire.length > 0) {
    await pool.route(options, async (peer) => {
      await each(chunked(wire, host.maxBatch), (slice) =>
        host.window.onWire(() => peer.client.batch(slice.map((i) => calls[i]) as never, options), async (answers: BatchItemResult<unknown>[]) => {
          // The merkle proofs of every history in this batch, asked together in batches of their own (a wallet's
          // sync proves thousands: a few large batches, not one small batch per script hash).
          let proofs: Map<string, FetchedProof> | undefined;
          if (host.verify) {
            // A plain loop: a batch of 345 transactions makes no array for each of its answers.
            let entries: History | undefined;
            for (let j = 0; j < slice.length; j++) {
              const answer = answers[j] as BatchItemResult<unknown>;
              if ((calls[slice[j] as number] as readonly [string, unknown])[0] !== 'blockchain.scripthash.get_history' || !answer.ok || !Array.isArray(answer.value)) continue;
              if (entries === undefined) entries = [];
              for (const e of answer.value as History) entries.push(e);
            }
            if (entries !== undefined && entries.length > 0) proofs = await verifier.fetchProofs(peer, entries, options);
          }
          // Most answers are checked here and now (verifier.checkedAtOnce); only the others make a promise each.
          const slow: Promise<void>[] = [];
          let failed: { error: unknown } | undefined;
          for (let j = 0; j < slice.length && failed === undefined; j++) {
            const i = slice[j] as number;
            const [method, params] = calls[i] as readonly [string, readonly unknown[]];
            const answer = answers[j] as BatchItemResult<unknown>;
            if (!answer.ok) {
              const error = limitOf(peer.url, method, params, answer.error) ?? answer.error;
              // The server failed, not the call: the whole batch goes to the next server.
              if (pool.dropReason(peer, error)) failed = { error };
              else results[i] = { ok: false, error };
              continue;
            }
            try {
              if (verifier.checkedAtOnce(peer, method, params, answer.value, proofs)) {
                results[i] = answer;
                continue;
              }
            } catch (e) {
              if (pool.dropReason(peer, e)) failed = { error: e };
              else results[i] = { ok: false, error: asSdkError(e) };
              continue;
            }
            slow.push(
              verifier.checked(peer, method, params, answer.value, options, proofs).then(
                (value) => void (results[i] = { ok: true, value }),
                (e: unknown) => {
                  if (pool.dropReason(peer, e)) throw e;
                  results[i] = { ok: false, error: asSdkError(e) };
                },
              ),
            );
          }
          // Nothing is left running when the batch moves on to the next server.
          const settled = await Promise.allSettled(slow);
          if (failed) throw failed.error;
          const rejected = settled.find((o): o is PromiseRejectedResult => o.status === 'rejected');
          if (rejected) throw rejected.reason;
        }),
      );
    });
  }
  await Promise.all(apart);
  return results;
}
