// The public shapes of the ElectrumClient: options, connection info, events, batches and subscriptions.
import type { ElectrumClientRequestName, ElectrumMethods, ElectrumServerNotifications } from '../generated/electrum/types.js';
import type { BackoffOptions } from '../runtime/backoff.js';
import type { ReconnectAttempt } from '../runtime/connection.js';
import type { MessageTooLargeError, ProtocolError, ServerError, StratumSdkError, ValidationError } from '../runtime/errors.js';
import type { ProtocolRegistry } from '../runtime/registry.js';
import type { TlsSettings } from '../runtime/tls-settings.js';
import type { Connector } from '../runtime/transport.js';

export interface ElectrumClientOptions {
  /** Sent as the first param of server.version. */
  readonly clientName?: string | undefined;
  /** The versions the client speaks: [min, max] or one version. Default ['1.4', '1.6']. */
  readonly protocolVersion?: string | readonly [string, string] | undefined;
  /** Default per-request timeout in milliseconds (30 s, ElectrumX's own request timeout). */
  readonly timeout?: number | undefined;
  /** Milliseconds to wait for a connection and its handshakes (default 10 s). */
  readonly connectTimeout?: number | undefined;
  /** Validate params before sending and results and notifications on arrival (default true). */
  readonly validate?: boolean | undefined;
  /** Send server.ping after this many idle milliseconds; false to disable. */
  readonly keepAlive?: number | false | undefined;
  /** Largest accepted message in bytes (default 8,100,000, Electrum's own limit). */
  readonly maxMessageSize?: number | undefined;
  /** Deepest nesting of arrays and objects accepted in a message (default 64, DEFAULT_MAX_DEPTH); a deeper one is a protocol error. */
  readonly maxMessageDepth?: number | undefined;
  /**
   * Most bytes that may wait to be written to a server that does not read (default 16,200,000); past it the
   * connection fails with an OverflowError, so a server that floods requests and never reads our answers cannot grow memory.
   */
  readonly maxBufferedBytes?: number | undefined;
  /** TLS settings for tls://, ssl:// and wss:// URLs: extra CA, pinning, trust-on-first-use, insecure. */
  readonly tls?: TlsSettings | undefined;
  /** Refuse a server whose server.features reports another genesis block hash (checked on every connection). */
  readonly genesisHash?: string | undefined;
  /**
   * Reconnect when the connection drops: exponential backoff with jitter, version renegotiated,
   * subscriptions renewed and changes missed meanwhile emitted. Off by default.
   */
  readonly reconnect?: boolean | BackoffOptions | undefined;
  /** Values an async iterator holds for a slow reader before it fails with an OverflowError (default 10,000). */
  readonly notificationBuffer?: number | undefined;
  /** Bring your own transport (a SOCKS proxy, a React Native socket); the URL then only names the server. */
  readonly connector?: Connector | undefined;
  /**
   * The method registry to negotiate, gate and validate with: a registry generated from another spec
   * (a new protocol version) instead of the built-in one.
   */
  readonly protocol?: ProtocolRegistry<string> | undefined;
}

/** What a connection negotiated. */
export interface ElectrumConnectionInfo {
  readonly serverVersion: string;
  readonly protocolVersion: string;
}

/** Events besides notifications, which are keyed by their wire name. */
export interface ElectrumClientLifecycleEvents {
  /** A connection was made and negotiated (the first one, and each reconnect). */
  connect: [info: ElectrumConnectionInfo];
  /** The connection dropped and the client will try to reconnect. */
  disconnect: [error: StratumSdkError];
  /** A reconnect attempt is scheduled; `error` says why the previous attempt failed. */
  reconnecting: [attempt: ReconnectAttempt];
  /**
   * Reconnected and the version renegotiated; the renewals of the subscriptions have been sent (a change
   * they reveal arrives as a notification, and one the server refuses as `subscription-lost`).
   */
  reconnect: [info: ElectrumConnectionInfo];
  /** A subscription could not be renewed after a reconnect and was dropped. */
  'subscription-lost': [method: string, params: readonly unknown[], error: StratumSdkError];
  /** The peer sent something that breaks the protocol or the spec; the connection carries on. */
  'protocol-error': [error: ProtocolError | ValidationError | ServerError | MessageTooLargeError];
  /** The client is closed for good; `error` says why unless the client closed it. */
  close: [error: StratumSdkError | undefined];
}

export type ElectrumClientEvents = ElectrumServerNotifications & ElectrumClientLifecycleEvents;

export type ElectrumRequestName = ElectrumClientRequestName & keyof ElectrumMethods;
/** Methods whose notifications the server sends: the subscriptions. */
export type ElectrumSubscriptionName = ElectrumRequestName & keyof ElectrumServerNotifications;

/** One call of a batch: the wire name and its params. */
export type ElectrumBatchCall = { [M in ElectrumRequestName]: readonly [method: M, params: Readonly<ElectrumMethods[M]['params']>] }[ElectrumRequestName];
/** How one call of a batch ended: every call settles on its own. */
export type BatchItemResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: StratumSdkError };
export type ElectrumBatchResults<C extends readonly ElectrumBatchCall[]> = {
  -readonly [K in keyof C]: BatchItemResult<C[K] extends readonly [infer M extends ElectrumRequestName, unknown] ? ElectrumMethods[M]['result'] : never>;
};

/** A subscription read as an async iterable of its notifications. */
export interface ElectrumSubscription<M extends ElectrumSubscriptionName> extends AsyncIterableIterator<ElectrumServerNotifications[M]> {
  readonly method: M;
  readonly params: ElectrumMethods[M]['params'];
  /** The value the subscribe call answered with. */
  readonly initial: ElectrumMethods[M]['result'];
  /** Stops reading, and unsubscribes on the server where the protocol version has an unsubscribe method. */
  unsubscribe(): Promise<void>;
}

export interface IterateOptions {
  /** Ends the iteration (it returns, no error) when aborted. */
  readonly signal?: AbortSignal | undefined;
}


// 4 minutes: ElectrumX drops sessions idle for 600 s, and the protocol docs suggest a ping at ~450 s.
export const DEFAULT_KEEP_ALIVE = 240_000;
export const DEFAULT_PROTOCOL_VERSION: readonly [string, string] = ['1.4', '1.6'];
export const DEFAULT_NOTIFICATION_BUFFER = 10_000;
