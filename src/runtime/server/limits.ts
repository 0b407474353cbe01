// Per-connection limits of a server, each with the reason for its default. All sizes are bytes and
// all durations milliseconds.

export interface ServerLimits {
  /** Largest incoming message (WebSocket: payload). A bigger one closes that connection. */
  readonly maxMessageSize: number;
  /**
   * Requests of one connection being handled at once. Past it the connection is not read from until
   * one finishes (a flood slows only its sender). Messages already read wait in a queue of at most
   * maxMessageSize + 64 KiB; past that (a custom connection that cannot pause) requests get -101.
   */
  readonly maxPendingRequests: number;
  /** Largest batch; a bigger one is answered -32600 as a whole. */
  readonly maxBatchSize: number;
  /** A connection that sends nothing for this long is closed. 0 or Infinity: never. */
  readonly idleTimeout: number;
  /** Bytes waiting to be written to a peer that does not read; past this the connection is dropped. */
  readonly maxBufferedBytes: number;
  /** How long a closing connection waits for its in-flight requests before it is closed anyway. */
  readonly drainTimeout: number;
  /** Subscriptions one connection may hold; past it `session.subscribe` throws a ServerError (code 1). */
  readonly maxSubscriptions: number;
}

/** Limits as an option: any subset; an undefined value means the default. */
export type ServerLimitOptions = { readonly [K in keyof ServerLimits]?: ServerLimits[K] | undefined };

export const DEFAULT_SERVER_LIMITS: ServerLimits = Object.freeze({
  // ElectrumX's MAX_RECV (spesmilo) and aiorpcx's own default: room for the hex of a 400 kB
  // standard-size transaction in blockchain.transaction.broadcast, and nothing a wallet sends is near it.
  maxMessageSize: 1_000_000,
  // Well above what a wallet has in flight (Electrum pipelines one request per address at start-up),
  // yet it bounds the promises and replies one connection can make us hold. Going past it only makes
  // the server stop reading that connection for a while.
  maxPendingRequests: 1_000,
  // Fulcrum's max_batch: what real servers accept, so no real client is refused.
  maxBatchSize: 345,
  // ElectrumX's SESSION_TIMEOUT; clients are told to ping about every 450 s (protocol-inventory A6).
  idleTimeout: 600_000,
  // Two maximum-size replies (8.1 MB is what Electrum accepts in one message): a client reading at any
  // speed drains that, one that has stopped reading cannot make us buffer more.
  maxBufferedBytes: 16_200_000,
  // A handler still running after 5 s of shutdown is stuck; its client gets a closed connection instead.
  drainTimeout: 5_000,
  // ElectrumX's MAX_SESSION_SUBS: far more addresses than a wallet watches, and it bounds what one
  // connection can make the server remember.
  maxSubscriptions: 50_000,
});

/** The defaults with `overrides` applied; a value that is not a usable number throws a RangeError. */
export function resolveLimits(overrides: ServerLimitOptions = {}): ServerLimits {
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...definedOnly(overrides) };
  for (const key of ['maxMessageSize', 'maxPendingRequests', 'maxBatchSize', 'maxSubscriptions'] as const) {
    if (!Number.isSafeInteger(limits[key]) || limits[key] <= 0) {
      throw new RangeError(`limits.${key} must be a positive integer, got ${String(limits[key])}`);
    }
  }
  for (const key of ['idleTimeout', 'maxBufferedBytes', 'drainTimeout'] as const) {
    if (typeof limits[key] !== 'number' || Number.isNaN(limits[key]) || limits[key] < 0) {
      throw new RangeError(`limits.${key} must be a number >= 0 (or Infinity), got ${String(limits[key])}`);
    }
  }
  return Object.freeze(limits);
}

/** `{ idleTimeout: undefined }` means "the default", not "no value". */
function definedOnly(overrides: ServerLimitOptions): Partial<ServerLimits> {
  return Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<ServerLimits>;
}
