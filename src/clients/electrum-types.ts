// The public shapes of the ElectrumClient: options, connection info, events, batches and subscriptions,
// typed by the protocol versions the client speaks (see "Typed by the version range" below).
import type {
  ElectrumClientRequestName,
  ElectrumMethods,
  ElectrumNamedVersion,
  ElectrumNamedVersions,
  ElectrumRequestsByVersion,
  ElectrumRequestsIn,
  ElectrumServerNotifications,
  ElectrumServerNotificationsIn,
  ElectrumVersionsIn,
} from '../generated/electrum/types.js';
import type { BackoffOptions } from '../runtime/backoff.js';
import type { ReconnectAttempt } from '../runtime/connection.js';
import type { MessageTooLargeError, ProtocolError, ServerError, StratumSdkError, ValidationError } from '../runtime/errors.js';
import type { ErasIn, IsLiteralRange, ProtocolRegistry, VersionsFrom } from '../runtime/registry.js';
import type { TlsSettings } from '../runtime/tls-settings.js';
import type { ElectrumValidators } from '../generated/electrum/validators/index.js';
import type { Settled } from '../runtime/session-batch.js';
import type { Connector } from '../runtime/transport.js';
import type { ElectrumClient as ElectrumClientClass } from './electrum-client.js';

/** The versions a client speaks: one version, or [min, max]. */
export type ElectrumVersionRange = string | readonly [string, string];

export interface ElectrumClientOptions<R extends ElectrumVersionRange = ElectrumVersionRange> {
  /** Sent as the first param of server.version. */
  readonly clientName?: string | undefined;
  /**
   * The versions the client speaks: [min, max] or one version. Default ['1.4', '1.6']. Given as literals,
   * they also type the client: its wrappers, requests and events are those of these versions only.
   */
  readonly protocolVersion?: R | undefined;
  /** Default per-request timeout in milliseconds (30 s, ElectrumX's own request timeout). */
  readonly timeout?: number | undefined;
  /** Milliseconds to wait for a connection and its handshakes (default 10 s). */
  readonly connectTimeout?: number | undefined;
  /** Validate params before sending and results and notifications on arrival (default true). */
  readonly validate?: boolean | undefined;
  /**
   * The spec's checks the client carries, by wire name: `walletValidators`, or a set built from the
   * per-method exports of `stratum-sdk/electrum/validators` (`{ 'server.features': server_features }`).
   * A method outside the set is sent and read unchecked, but for the version rules. Default: every
   * method's (`electrumValidators`) from `stratum-sdk/electrum`, none from `stratum-sdk/electrum/lean`,
   * whose bundle then holds only the validators named here.
   */
  readonly validators?: ElectrumValidators | undefined;
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
  /**
   * Connect through a SOCKS5 proxy, such as Tor: `socks5h://127.0.0.1:9050` (the proxy resolves names, so no DNS
   * query leaves this machine) or `socks5://host:port` (names resolved here, except `.onion` ones, which always go
   * to the proxy); `user:password@` for RFC 1929. Every scheme goes through it, TLS and its checks as for a direct
   * connection. Node only, and needs the optional `socks` package; refused together with `connector`.
   */
  readonly proxy?: string | undefined;
  /** Bring your own transport (a React Native socket, a tunnel); the URL then only names the server. */
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

// ---- Typed by the version range --------------------------------------------------------------------
// A client's type parameter is the union of the named protocol versions (ElectrumNamedVersion) its range
// spans: `ElectrumClient<'1.4' | '1.4.2' | '1.4.3' | '1.6'>` for the default ['1.4', '1.6']. Its wrappers,
// `request`, `batch`, `subscribe`, events and iterators take the params and give the shapes of those
// versions only. `ElectrumClient<string>` is a client of any range (every shape); a client typed `any`
// (built from a range known only at run time) has every shape too and is accepted where any client is.

/** The default range, ['1.4', '1.6']. */
export const DEFAULT_PROTOCOL_VERSION = ['1.4', '1.6'] as const;
export type ElectrumDefaultRange = typeof DEFAULT_PROTOCOL_VERSION;
/** The named versions of the default range: '1.4' | '1.4.2' | '1.4.3' | '1.6'. */
export type ElectrumDefaultVersions = ElectrumVersionsIn<ElectrumDefaultRange>;

/**
 * The type parameter of a client built with `protocolVersion: R`: the named versions R spans, or `any`
 * when R is not literal (a `string`, a range known only at run time).
 */
export type ElectrumClientVersions<R> = IsLiteralRange<R> extends true ? ElectrumVersionsIn<R> : any;
/** The named versions a client's type parameter stands for: `any` is all of them. */
export type ElectrumVersionsOf<V> = 0 extends 1 & V ? ElectrumNamedVersion : V;
/** The named versions of S at or after `Min`: what a client of S is once it negotiated `Min` or later. */
export type ElectrumVersionsFrom<S, Min extends string> = ElectrumVersionsOf<S> & VersionsFrom<ElectrumNamedVersions, Min>;

/** The requests a client of the versions S can send. */
export type ElectrumRequestNameIn<S> = keyof ElectrumRequestsIn<S> & ElectrumRequestName;
/** A request's positional params at the versions S: a union of the forms they take there. */
export type ElectrumParamsIn<M extends string, S> = M extends keyof ElectrumRequestsByVersion ? ErasIn<ElectrumRequestsByVersion[M], S>['params'] : never;
/** A request's params by name (JSON-RPC 2.0) at the versions S. */
export type ElectrumNamedParamsIn<M extends string, S> = M extends keyof ElectrumRequestsByVersion ? ErasIn<ElectrumRequestsByVersion[M], S>['named'] : never;
/** A request's result shapes at the versions S. */
export type ElectrumResultIn<M extends string, S> = M extends keyof ElectrumRequestsByVersion ? ErasIn<ElectrumRequestsByVersion[M], S>['result'] : never;
/** Methods whose notifications the server sends at the versions S, that a client of S can subscribe to. */
export type ElectrumSubscriptionNameIn<S> = ElectrumRequestNameIn<S> & ElectrumSubscriptionName & keyof ElectrumServerNotificationsIn<S>;
/** A notification's params at the versions S. */
export type ElectrumNotificationIn<M extends string, S> = M extends keyof ElectrumServerNotificationsIn<S> ? ElectrumServerNotificationsIn<S>[M] : never;

/** Notifications at the client's versions (by wire name, with their typed params) and lifecycle events. */
export type ElectrumClientEvents<S = ElectrumDefaultVersions> = ElectrumServerNotificationsIn<S> & ElectrumClientLifecycleEvents;
/** Every event a client of some version may see: notifications by wire name, and lifecycle events. */
export type ElectrumEventName = keyof ElectrumServerNotifications | keyof ElectrumClientLifecycleEvents;
/** A listener of an event at the versions S; never for a notification no version of S has (it cannot be listened to). */
export type ElectrumListener<E extends ElectrumEventName, S> = E extends keyof ElectrumClientEvents<S>
  ? (...args: ElectrumClientEvents<S>[E]) => void
  : never;

/** Every request a client sends, at any version. */
export type ElectrumRequestName = ElectrumClientRequestName & keyof ElectrumMethods;
/** Methods whose notifications the server sends: the subscriptions. */
export type ElectrumSubscriptionName = ElectrumRequestName & keyof ElectrumServerNotifications;

/** One call of a batch: the wire name and its params. */
export type ElectrumBatchCall<S = ElectrumDefaultVersions> = {
  [M in ElectrumRequestNameIn<S>]: readonly [method: M, params: Readonly<ElectrumParamsIn<M, S>>];
}[ElectrumRequestNameIn<S>];
/** How one call of a batch ended: every call settles on its own. */
export type BatchItemResult<T> = Settled<T>;
export type ElectrumBatchResults<C extends readonly unknown[], S = ElectrumDefaultVersions> = {
  -readonly [K in keyof C]: BatchItemResult<C[K] extends readonly [infer M extends string, unknown] ? ElectrumResultIn<M, S> : never>;
};

/**
 * A subscription read as an async iterable of its notifications, typed for the versions S: `initial` in
 * the result's shapes there, each notification's params as they are there.
 */
export type ElectrumSubscription<M extends ElectrumSubscriptionName, S = ElectrumDefaultVersions> = ElectrumSubscriptionOf<
  M,
  ElectrumNotificationIn<M, S>,
  ElectrumParamsIn<M, S>,
  ElectrumResultIn<M, S>
>;

/** A subscription to `M` whose notifications are `Notification`, sent with `Params` and answered with `Initial`. */
export interface ElectrumSubscriptionOf<M extends string, Notification, Params, Initial> extends AsyncIterableIterator<Notification> {
  readonly method: M;
  readonly params: Params;
  /** The value the subscribe call answered with. */
  readonly initial: Initial;
  /** Stops reading, and unsubscribes on the server where the protocol version has an unsubscribe method. */
  unsubscribe(): Promise<void>;
}

export interface IterateOptions {
  /** Ends the iteration (it returns, no error) when aborted. */
  readonly signal?: AbortSignal | undefined;
}


// 4 minutes: ElectrumX drops sessions idle for 600 s, and the protocol docs suggest a ping at ~450 s.
export const DEFAULT_KEEP_ALIVE = 240_000;
export const DEFAULT_NOTIFICATION_BUFFER = 10_000;

/**
 * How `ElectrumClient` is built: the version range given as `protocolVersion` (literals, or the default
 * ['1.4', '1.6']) types the client. A range known only at run time (a `string`) gives a client typed with
 * every shape of every version, and accepted where a client of any range is expected.
 */
export interface ElectrumClientConstructor {
  /** Builds a client without connecting, so listeners can be added first; then call `connect()`. */
  new <const R extends ElectrumVersionRange = ElectrumDefaultRange>(url: string, options?: ElectrumClientOptions<R>): ElectrumClientClass<ElectrumClientVersions<R>>;
  /**
   * Connects to `tcp://`, `tls://` (alias `ssl://`), `ws://` or `wss://` host:port, negotiates the
   * protocol version and resolves once the server has answered server.version within the client's range.
   */
  connect<const R extends ElectrumVersionRange = ElectrumDefaultRange>(url: string, options?: ElectrumClientOptions<R>): Promise<ElectrumClientClass<ElectrumClientVersions<R>>>;
  readonly prototype: ElectrumClientClass<any>;
}
