// Limits of a server, each with the reason for its default: most are per connection, the connection
// caps are for the whole server. All sizes are bytes and all durations milliseconds.
import { DEFAULT_MAX_DEPTH } from '../messages.js';

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
  /**
   * Connections the whole server holds at once, over all its listeners, counted from the moment a
   * socket is accepted (TLS handshakes and WebSocket upgrades included). Past it a new connection is
   * refused and closed at once; the open ones carry on. Infinity: no cap.
   */
  readonly maxConnections: number;
  /**
   * Connections one address may hold at once (IPv4: the address; IPv6: its /64, since one host
   * usually holds a whole /64). Counted and refused like maxConnections. Loopback is not exempt: behind
   * a Tor onion service or a local proxy every client arrives from 127.0.0.1, and an exemption would
   * lift the cap for all of them; such a server raises this instead. Infinity: no cap.
   */
  readonly maxConnectionsPerAddress: number;
  /**
   * How long the bytes of an unfinished message may wait for the rest of it; past it the connection is
   * closed, so a peer trickling a byte at a time cannot hold it open until the idle timeout.
   * 0 or Infinity: no limit.
   */
  readonly partialMessageTimeout: number;
  /** Deepest nesting of arrays and objects in a message; a deeper one is answered -32600 and the connection carries on. */
  readonly maxMessageDepth: number;
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
  // ElectrumX's MAX_SESSIONS: what a public Electrum server serves by default. Without a cap, idle
  // connections alone grow the process without bound (10,000 took 150 MB of RSS), and every
  // per-connection bound above is multiplied by it.
  maxConnections: 1_000,
  // Fulcrum's max_clients_per_ip: a household behind one NAT runs a few wallets of one connection
  // each, so no honest client meets it, while one address alone can no longer fill maxConnections
  // (that now takes 84 addresses).
  maxConnectionsPerAddress: 12,
  // The largest request (maxMessageSize, 1 MB) still gets through at 8.3 kB/s (67 kbit/s: a poor
  // mobile link or a slow Tor circuit), and a message is almost always far smaller; a slowloris is
  // dropped after 2 minutes instead of holding its connection for the 10-minute idle timeout.
  partialMessageTimeout: 120_000,
  // parseMessage's own default: these protocols nest a few levels (a batch of requests with object
  // params is 4), and the recursive code that walks a message (validators, JSON.stringify of what a
  // handler echoes) stays far from the stack limit.
  maxMessageDepth: DEFAULT_MAX_DEPTH,
});

/** The defaults with `overrides` applied; a value that is not a usable number throws a RangeError. */
export function resolveLimits(overrides: ServerLimitOptions = {}): ServerLimits {
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...definedOnly(overrides) };
  for (const key of ['maxMessageSize', 'maxPendingRequests', 'maxBatchSize', 'maxSubscriptions', 'maxMessageDepth'] as const) {
    if (!Number.isSafeInteger(limits[key]) || limits[key] <= 0) {
      throw new RangeError(`limits.${key} must be a positive integer, got ${String(limits[key])}`);
    }
  }
  // A cap of 0 would refuse everyone: a server that should not serve does not listen.
  for (const key of ['maxConnections', 'maxConnectionsPerAddress'] as const) {
    if (!(Number.isSafeInteger(limits[key]) && limits[key] > 0) && limits[key] !== Infinity) {
      throw new RangeError(`limits.${key} must be a positive integer or Infinity, got ${String(limits[key])}`);
    }
  }
  for (const key of ['idleTimeout', 'maxBufferedBytes', 'drainTimeout', 'partialMessageTimeout'] as const) {
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
