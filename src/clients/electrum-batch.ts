// JSON-RPC batches for the Electrum client: params checked first (a call that fails them is not sent),
// then one batch on the wire, each call settled on its own, in the order the calls were given.
import type { Connection } from '../runtime/connection.js';
import type { RequestOptions } from '../runtime/session.js';
import { requestBatch, type BatchCall } from '../runtime/session-batch.js';
import { remainingTimeout } from '../runtime/waiters.js';
import type { MethodPlans } from './electrum-plans.js';
import type { BatchItemResult, ElectrumConnectionInfo } from './electrum-types.js';

export async function sendBatch(
  connection: Connection<ElectrumConnectionInfo, ElectrumConnectionInfo>,
  plans: MethodPlans,
  calls: readonly BatchCall[],
  options: RequestOptions,
): Promise<BatchItemResult<unknown>[]> {
  const version = connection.info?.protocolVersion;
  const refused = calls.map(([method, params]) => plans.checkParams(method, params, version));
  // The calls themselves, not an object made for each: a wallet's sync sends tens of thousands.
  const toSend = calls.filter((_, i) => !refused[i]);
  // Results are checked as the session reads them, in wire order with the notifications around them.
  let settled: readonly BatchItemResult<unknown>[] = [];
  if (toSend.length) {
    // On the current link, or the next one while reconnecting, within the batch's own timeout.
    const started = Date.now();
    const link = connection.link ?? (await connection.ready('batch', options));
    const timeout = remainingTimeout(options.timeout ?? link.session.options.timeout, started);
    settled = await requestBatch(link.session, toSend, { signal: options.signal, timeout }, link.check);
  }
  let j = 0;
  return refused.map((error) => (error ? { ok: false, error } : (settled[j++] as BatchItemResult<unknown>)));
}
