// JSON-RPC batches for the Electrum client: params checked first (a call that fails them is not sent),
// then one batch on the wire, each call settled on its own, in the order the calls were given.
import type { Connection } from '../runtime/connection.js';
import type { RequestOptions } from '../runtime/session.js';
import type { MethodPlans } from './electrum-plans.js';
import type { BatchItemResult, ElectrumConnectionInfo } from './electrum-types.js';

export async function sendBatch(
  connection: Connection<ElectrumConnectionInfo, ElectrumConnectionInfo>,
  plans: MethodPlans,
  calls: readonly (readonly [method: string, params: readonly unknown[]])[],
  options: RequestOptions,
): Promise<BatchItemResult<unknown>[]> {
  const version = connection.info?.protocolVersion;
  const outcomes: (BatchItemResult<unknown> | undefined)[] = calls.map(([method, params]) => {
    const error = plans.checkParams(method, params, version);
    return error ? { ok: false, error } : undefined;
  });
  const toSend = calls.flatMap(([method, params], i) => (outcomes[i] ? [] : [{ method, params: params as readonly unknown[], index: i }]));
  if (toSend.length) {
    // Results are checked as the session reads them, in wire order with the notifications around them.
    const settled = await connection.requestBatch(toSend, options);
    for (let j = 0; j < toSend.length; j++) outcomes[(toSend[j] as (typeof toSend)[number]).index] = settled[j];
  }
  return outcomes as BatchItemResult<unknown>[];
}
