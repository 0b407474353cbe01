// The ElectrumClient's numeric options, checked when the client is made so a mistake is reported there and
// not at the first reconnect or keep-alive.
import { resolveBackoff, type Backoff } from '../runtime/backoff.js';
import { DEFAULT_REQUEST_TIMEOUT } from '../runtime/session.js';
import { DEFAULT_KEEP_ALIVE, DEFAULT_NOTIFICATION_BUFFER, type ElectrumClientOptions } from './electrum-types.js';

export interface CheckedElectrumOptions {
  readonly timeout: number;
  readonly keepAlive: number | false;
  readonly backoff: Backoff | undefined;
  readonly genesisHash: string | undefined;
  readonly bufferLimit: number;
}

export function checkedOptions(options: ElectrumClientOptions): CheckedElectrumOptions {
  const timeout = options.timeout ?? DEFAULT_REQUEST_TIMEOUT;
  if (!(timeout > 0)) throw new RangeError(`timeout must be a positive number of milliseconds (or Infinity), got ${timeout}`);
  const keepAlive = options.keepAlive ?? DEFAULT_KEEP_ALIVE;
  if (keepAlive !== false && !(keepAlive >= 1000)) throw new RangeError(`keepAlive must be at least 1000 ms or false, got ${keepAlive}`);
  const backoff = options.reconnect ? resolveBackoff(options.reconnect === true ? {} : options.reconnect) : undefined;
  const genesisHash = options.genesisHash?.toLowerCase();
  if (genesisHash !== undefined && !/^[0-9a-f]{64}$/.test(genesisHash)) throw new RangeError(`genesisHash must be 64 hex digits, got ${JSON.stringify(options.genesisHash)}`);
  const bufferLimit = options.notificationBuffer ?? DEFAULT_NOTIFICATION_BUFFER;
  if (!(bufferLimit >= 1)) throw new RangeError(`notificationBuffer must be at least 1, got ${bufferLimit}`);
  return { timeout, keepAlive, backoff, genesisHash, bufferLimit };
}
