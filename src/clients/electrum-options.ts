// The Electrum clients' numeric options, checked when the client is made so a mistake is reported there and
// not at the first reconnect or keep-alive.
import { resolveBackoff, type Backoff } from '../runtime/backoff.js';
import { checkTimeout, DEFAULT_REQUEST_TIMEOUT } from '../runtime/session.js';
import { DEFAULT_KEEP_ALIVE, DEFAULT_NOTIFICATION_BUFFER, type ElectrumClientOptions } from './electrum-types.js';

export interface CheckedElectrumOptions {
  readonly timeout: number;
  readonly keepAlive: number | false;
  readonly backoff: Backoff | undefined;
  readonly genesisHash: string | undefined;
}

/** The options both Electrum clients take (the lite one has no notification buffer: see bufferLimitOf). */
export function checkedOptions(options: Omit<ElectrumClientOptions, 'notificationBuffer'>): CheckedElectrumOptions {
  const timeout = options.timeout ?? DEFAULT_REQUEST_TIMEOUT;
  checkTimeout(timeout);
  const keepAlive = options.keepAlive ?? DEFAULT_KEEP_ALIVE;
  if (keepAlive !== false && !(keepAlive >= 1000)) throw new RangeError(`keepAlive must be at least 1000 ms or false, got ${keepAlive}`);
  const backoff = options.reconnect ? resolveBackoff(options.reconnect === true ? {} : options.reconnect) : undefined;
  const genesisHash = options.genesisHash?.toLowerCase();
  if (genesisHash !== undefined && !/^[0-9a-f]{64}$/.test(genesisHash)) throw new RangeError(`genesisHash must be 64 hex digits, got ${JSON.stringify(options.genesisHash)}`);
  return { timeout, keepAlive, backoff, genesisHash };
}

/** How many notifications an iterator of the ElectrumClient may hold unread. */
export function bufferLimitOf(options: Pick<ElectrumClientOptions, 'notificationBuffer'>): number {
  const limit = options.notificationBuffer ?? DEFAULT_NOTIFICATION_BUFFER;
  if (!(limit >= 1)) throw new RangeError(`notificationBuffer must be at least 1, got ${limit}`);
  return limit;
}
