// The public shapes of the MiningClient: options, session state snapshots and events.
import type { MiningClientApi } from '../generated/mining/client-api.js';
import type { MiningConfigureParams, MiningConfigureResult, MiningMethods, MiningServerNotifications, MiningClientRequestName, MiningSubscribeParams } from '../generated/mining/types.js';
import type { StratumJob } from '../bitcoin/job.js';
import type { BackoffOptions } from '../runtime/backoff.js';
import type { ReconnectAttempt } from '../runtime/connection.js';
import type { MessageTooLargeError, ProtocolError, ServerError, StratumSdkError, ValidationError } from '../runtime/errors.js';
import type { ProtocolRegistry } from '../runtime/registry.js';
import type { TlsSettings } from '../runtime/tls-settings.js';
import type { Connector } from '../runtime/transport.js';
import type { MiningValidators } from '../generated/mining/validators/index.js';

export interface MiningClientOptions {
  /** Answer to client.get_version and the default mining.subscribe user agent (default "stratum-sdk/0.1.0"). */
  readonly agent?: string | undefined;
  /** Default per-request timeout in milliseconds (30 s). */
  readonly timeout?: number | undefined;
  /**
   * Timeout in milliseconds for requests real pools often never answer: mining.configure, mining.extranonce.subscribe,
   * mining.suggest_difficulty, mining.suggest_target, and a second mining.subscribe on one connection (default 5 s).
   * A per-request `timeout` still wins.
   */
  readonly optionalReplyTimeout?: number | undefined;
  /** Validate params before sending, and results and notifications on arrival (default true). */
  readonly validate?: boolean | undefined;
  /**
   * The method registry to check requests, results and notifications by: one generated from your own spec
   * (`stratum-sdk generate`) instead of the built-in one. The client's own logic (subscribe, authorize,
   * jobs) stays the built-in protocol's. Carries its own validators: not given together with `validators`.
   */
  readonly protocol?: ProtocolRegistry<string> | undefined;
  /**
   * The spec's checks the client carries, by wire name, beyond those of the session it always carries
   * (miningSessionValidators: what the pool sends of its own accord and the answers that change the session,
   * since the state only ever holds spec-valid values): per-method exports of stratum-sdk/mining/validators
   * (`{ 'mining.submit': mining_submit }`). Default: every method's from stratum-sdk/mining, the session's
   * alone from stratum-sdk/mining/lean, whose bundle then holds no others.
   */
  readonly validators?: MiningValidators | undefined;
  /** Largest accepted message in bytes (default 8,100,000: a full block of transactions for mining.get_transactions). */
  readonly maxMessageSize?: number | undefined;
  /** Deepest nesting of arrays and objects accepted in a message (default 64, DEFAULT_MAX_DEPTH); a deeper one is a protocol error. */
  readonly maxMessageDepth?: number | undefined;
  /**
   * Most bytes that may wait to be written to a pool that does not read (default 16,200,000); past it the
   * connection fails with an OverflowError, so a pool that floods requests and never reads our answers cannot grow memory.
   */
  readonly maxBufferedBytes?: number | undefined;
  /** How many recent jobs are kept by id (default 32); older ones are dropped so a pool cannot grow memory. */
  readonly maxJobs?: number | undefined;
  /** TLS settings for stratum+ssl:// and stratum+tls:// URLs. */
  readonly tls?: TlsSettings | undefined;
  /** Milliseconds to wait for the TCP connection and TLS handshake (default 10 s). */
  readonly connectTimeout?: number | undefined;
  /**
   * Connect through a SOCKS5 proxy, such as Tor: `socks5h://127.0.0.1:9050` (the proxy resolves names) or
   * `socks5://host:port` (names resolved here, except `.onion` ones); `user:password@` for RFC 1929. Reconnects and
   * followed client.reconnect requests go through it too. Node only, needs the optional `socks` package; refused
   * together with `connector`.
   */
  readonly proxy?: string | undefined;
  /**
   * Bring your own transport (a React Native socket, a tunnel). The URL then only names the pool, and a
   * client.reconnect can only be followed to that same host and port.
   */
  readonly connector?: Connector | undefined;
  /** Follow the pool's client.reconnect (default true, subject to `allowRedirect`). */
  readonly followReconnect?: boolean | undefined;
  /**
   * Whether a reconnect may go to another host: false (default: same host, any port), true (any host), or a
   * function that decides. Applies to followed requests and to `reconnect()` alike.
   */
  readonly allowRedirect?: boolean | ((target: ReconnectTarget) => boolean) | undefined;
  /** Longest wait a client.reconnect may ask for, in seconds (default 60); longer waits are cut to it. */
  readonly maxReconnectWait?: number | undefined;
  /**
   * Reconnect on its own when the connection drops: exponential backoff with jitter (`true`, or the delays
   * and `maxAttempts`), then the session resumed as `reconnect()` does it. A followed client.reconnect that
   * fails is retried the same way. Off by default: a drop closes the client.
   */
  readonly reconnect?: boolean | BackoffOptions | undefined;
}

/** One job from mining.notify (the toolkit's StratumJob, fields as sent), with the session values that apply to it. */
export interface MiningJob extends StratumJob {
  /** extranonce1 for this job: mining.set_extranonce applies from the next job on. Undefined before subscribe. */
  readonly extranonce1: string | undefined;
  readonly extranonce2Size: number | undefined;
  /** Share difficulty for this job: the last mining.set_difficulty before it, 1 if none came (the Stratum default). */
  readonly difficulty: number;
}

/** What mining.subscribe gave this connection. */
export interface MiningSubscription {
  /** [method, subscription id] pairs as the pool listed them (p2pool's single flat pair becomes a list of one). */
  readonly subscriptions: readonly (readonly [method: string, id: string])[];
  readonly extranonce1: string;
  readonly extranonce2Size: number;
  /** The mining.notify subscription id: sent back in mining.subscribe to resume the session after a reconnect. */
  readonly sessionId: string | undefined;
}

/** Where the pool asked the client to go; null or missing fields of client.reconnect mean "the current one". */
export interface ReconnectTarget {
  readonly host: string;
  readonly port: number;
  /** Seconds to wait before connecting, already cut to `maxReconnectWait`. */
  readonly waitSeconds: number;
}

export interface ReconnectRequest extends ReconnectTarget {
  /** 'follow': the client reconnects now; 'ignored': `followReconnect` is off; 'refused': the target broke the policy. */
  readonly decision: 'follow' | 'ignored' | 'refused';
  /** Why the request was refused (a redirect to another host, a bad port, a custom connector). */
  readonly reason: string | undefined;
}

export interface ReconnectInfo {
  readonly host: string;
  readonly port: number;
  /** The pool resumed the session: it gave back the same extranonce1 for the session id sent. */
  readonly resumed: boolean;
}

/** Events besides notifications, which are keyed by their wire name with their typed params. */
export interface MiningClientLifecycleEvents {
  /** A new job (mining.notify), after the state was updated. */
  job: [job: MiningJob];
  /** The share difficulty changed (mining.set_difficulty, often sent before the authorize answer). */
  difficulty: [difficulty: number];
  /** extranonce1 or extranonce2_size changed (mining.subscribe, mining.set_extranonce). */
  extranonce: [extranonce1: string, extranonce2Size: number];
  /** The version-rolling mask changed (mining.configure, mining.set_version_mask); undefined: rolling is off. */
  'version-mask': [mask: string | undefined];
  /** The pool sent client.reconnect; `decision` says what the client does about it. */
  'reconnect-request': [request: ReconnectRequest];
  /** The connection dropped and the client will reconnect (the `reconnect` option); the old jobs are dropped. */
  disconnect: [error: StratumSdkError];
  /**
   * A reconnect attempt is scheduled (after a drop, a followed client.reconnect or `reconnect()`); `error`
   * says why the previous attempt failed.
   */
  reconnecting: [attempt: ReconnectAttempt];
  /** A reconnect finished: subscribed (resumed or not) and every worker authorized again. */
  reconnect: [info: ReconnectInfo];
  /** The pool sent something that breaks the protocol or the spec; the connection carries on. */
  'protocol-error': [error: ProtocolError | ValidationError | ServerError | MessageTooLargeError];
  /** The connection closed and no reconnect follows; `error` says why unless the client closed it. */
  close: [error: StratumSdkError | undefined];
}

export type MiningClientEvents = MiningServerNotifications & MiningClientLifecycleEvents;

export type MiningRequestName = MiningClientRequestName & keyof MiningMethods;

/** The subscription triple: a string result (ckpool's way of failing) rejects with a ServerError instead. */
export type MiningSubscribeTriple = Exclude<MiningMethods['mining.subscribe']['result'], string>;

/** A request's result as the client resolves it. */
export type MiningResult<M extends MiningRequestName> = M extends 'mining.subscribe' ? MiningSubscribeTriple : MiningMethods[M]['result'];

export interface MiningStartOptions {
  /** The worker to authorize. */
  readonly user: string;
  readonly password?: string | undefined;
  /** Sent first (BIP310), e.g. `[['version-rolling'], { 'version-rolling.mask': '1fffe000' }]`. */
  readonly configure?: MiningConfigureParams | undefined;
  /** The mining.subscribe user agent (default: the `agent` option). */
  readonly userAgent?: string | undefined;
  /** A session id to resume (from an earlier `sessionId`). */
  readonly sessionId?: string | undefined;
  /** Send mining.extranonce.subscribe after subscribing (default false: some pools drop the connection for it). */
  readonly extranonceSubscribe?: boolean | undefined;
  /** Send mining.suggest_difficulty after authorizing; its answer is not waited for. */
  readonly suggestDifficulty?: number | undefined;
}

export interface MiningStartResult {
  readonly subscription: MiningSubscription;
  /** The configure answer, or undefined when the pool refused it or did not answer within `optionalReplyTimeout`. */
  readonly configure: MiningConfigureResult | undefined;
}

export const DEFAULT_MINING_AGENT = 'stratum-sdk/0.1.0';
// 5 s: a pool that answers these does so at once (ckpool's configure, goPool's suggest_difficulty); the many
// that never answer (node-stratum-pool, ckpool for extranonce.subscribe) would otherwise hold a promise 30 s.
export const DEFAULT_OPTIONAL_REPLY_TIMEOUT = 5_000;
// 60 s: ckpool drops a client that has not come back a minute after client.reconnect.
export const DEFAULT_MAX_RECONNECT_WAIT = 60;

/** The generated wrappers, with mining.subscribe resolving only to the subscription triple. */
export type MiningClientWrappers = {
  readonly mining: Omit<MiningClientApi['mining'], 'subscribe'> & {
    /** See MiningClientApi. ckpool's failure string in `result` rejects with a ServerError instead of resolving. */
    subscribe(...params: MiningSubscribeParams): Promise<MiningSubscribeTriple>;
  };
};
