// JSON-RPC batches for the Electrum client: params checked first (a call that fails them is not sent),
// then one batch on the wire, each call settled on its own, in the order the calls were given.
import type { Connection } from '../runtime/connection.js';
import type { BatchCall, RequestOptions } from '../runtime/session.js';
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
  const settled = toSend.length ? await connection.requestBatch(toSend, options) : [];
  let j = 0;
  return refused.map((error) => (error ? { ok: false, error } : (settled[j++] as BatchItemResult<unknown>)));
}
