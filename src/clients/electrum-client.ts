// The Electrum client: server.version first, typed wrappers bound from the generated tree, results
// validated against the spec for the negotiated version, subscriptions kept across reconnects.
import { bindElectrumClientApi, type ElectrumClientApi } from '../generated/electrum/client-api.js';
import { electrumProtocol } from '../generated/electrum/methods.js';
import type { ElectrumClientRequestName, ElectrumMethods, ElectrumServerNotifications } from '../generated/electrum/types.js';
import { backoffDelay, resolveBackoff, type Backoff, type BackoffOptions } from '../runtime/backoff.js';
import { Channel } from '../runtime/channel.js';
import { excerpt } from '../runtime/bounded-json.js';
import { Emitter } from '../runtime/emitter.js';
import {
  AbortedError,
  ClosedError,
  ProtocolError,
  ServerError,
  StratumSdkError,
  TimeoutError,
  ValidationError,
  VersionMismatchError,
  WrongChainError,
  type MessageTooLargeError,
} from '../runtime/errors.js';
import { JSON_RPC_ERRORS, parseMessage, type ParseOptions } from '../runtime/messages.js';
import type { TlsSettings } from '../runtime/tls-settings.js';
import type { ProtocolRegistry, VersionedChecks } from '../runtime/registry.js';
import { DEFAULT_REQUEST_TIMEOUT, RpcSession, type RequestOptions, type ResultCheck } from '../runtime/session.js';
import { keyArity, PendingRenewals, sameValue, SubscriptionBook, subscriptionKey } from '../runtime/subscriptions.js';
import type { Connector, Transport } from '../runtime/transport.js';
import { compareVersions, isVersion } from '../runtime/versions.js';
import { electrumConnector } from './electrum-connect.js';

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
  reconnecting: [attempt: { readonly attempt: number; readonly delay: number; readonly error: StratumSdkError | undefined }];
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

type RequestName = ElectrumClientRequestName & keyof ElectrumMethods;
/** Methods whose notifications the server sends: the subscriptions. */
export type ElectrumSubscriptionName = RequestName & keyof ElectrumServerNotifications;

/** One call of a batch: the wire name and its params. */
export type ElectrumBatchCall = { [M in RequestName]: readonly [method: M, params: Readonly<ElectrumMethods[M]['params']>] }[RequestName];
/** How one call of a batch ended: every call settles on its own. */
export type BatchItemResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: StratumSdkError };
export type ElectrumBatchResults<C extends readonly ElectrumBatchCall[]> = {
  -readonly [K in keyof C]: BatchItemResult<C[K] extends readonly [infer M extends RequestName, unknown] ? ElectrumMethods[M]['result'] : never>;
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

interface Connection {
  readonly session: RpcSession;
  readonly transport: Transport;
  readonly info: ElectrumConnectionInfo;
  /** Validates each result for this connection's version and keeps the subscription book in step. */
  readonly check: ResultCheck;
}

/** What the client does for one method, worked out once per protocol version instead of per request. */
interface MethodPlan {
  /** Undefined for a method the registry does not know: the registry's own answer then says so. */
  readonly checks: VersionedChecks | undefined;
  /** A subscription's key arity (the leading params that name it); undefined for other methods. */
  readonly subscribeArity: number | undefined;
  /** For an unsubscribe method: the subscription it ends, and that subscription's key arity. */
  readonly ends: { readonly method: string; readonly arity: number } | undefined;
}

const NO_OPTIONS: RequestOptions = Object.freeze({});

// Plans are kept for a few versions (a reconnect may negotiate another) and a bounded number of names
// (a caller without types may ask for any name).
const MAX_PLAN_VERSIONS = 8;
const MAX_PLANS = 1024;

type Waiter = { resolve: (c: Connection) => void; reject: (e: StratumSdkError) => void };

// Errors after which reconnecting would only repeat the refusal: the server is not the one we want.
const FATAL = new Set(['VERSION_MISMATCH', 'WRONG_CHAIN', 'TLS']);

export interface ElectrumClient extends ElectrumClientApi {}

export class ElectrumClient {
  readonly #connector: Connector;
  readonly #parse: ParseOptions;
  readonly #protocol: ProtocolRegistry<string>;
  readonly #events = new Emitter<ElectrumClientEvents>();
  readonly #subs = new SubscriptionBook();
  /** Async iterators by method, then by subscription key ('*' for every notification of the method). */
  readonly #channels = new Map<string, Map<string, Set<Channel<unknown[]>>>>();
  readonly #range: readonly [string, string];
  readonly #clientName: string;
  readonly #timeout: number;
  readonly #validate: boolean;
  readonly #keepAliveMs: number | false;
  readonly #backoff: Backoff | undefined;
  readonly #genesisHash: string | undefined;
  readonly #bufferLimit: number;
  #conn: Connection | undefined;
  #info: ElectrumConnectionInfo | undefined;
  #state: 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' = 'idle';
  #waiters: Waiter[] = [];
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #lastSent = Date.now();
  #cancelRetry: (() => void) | undefined;
  #closeError: StratumSdkError | undefined;
  /** By protocol version ('' for "not negotiated yet"), then by method. */
  readonly #plans = new Map<string, Map<string, MethodPlan>>();
  #lastPlan: { readonly method: string; readonly version: string | undefined; readonly plan: MethodPlan } | undefined;
  /** While a reconnect's renewals are unanswered: the keys on which nothing has arrived yet. */
  #renewals: PendingRenewals | undefined;

  /** Builds a client without connecting, so listeners can be added first; then call `connect()`. */
  constructor(url: string, options: ElectrumClientOptions = {}) {
    this.#range = normalizeRange(options.protocolVersion ?? DEFAULT_PROTOCOL_VERSION);
    this.#clientName = options.clientName ?? 'stratum-sdk';
    this.#timeout = options.timeout ?? DEFAULT_REQUEST_TIMEOUT;
    if (!(this.#timeout > 0)) throw new RangeError(`timeout must be a positive number of milliseconds (or Infinity), got ${this.#timeout}`);
    this.#validate = options.validate ?? true;
    this.#keepAliveMs = options.keepAlive ?? DEFAULT_KEEP_ALIVE;
    if (this.#keepAliveMs !== false && !(this.#keepAliveMs >= 1000)) throw new RangeError(`keepAlive must be at least 1000 ms or false, got ${this.#keepAliveMs}`);
    this.#backoff = options.reconnect ? resolveBackoff(options.reconnect === true ? {} : options.reconnect) : undefined;
    this.#genesisHash = options.genesisHash?.toLowerCase();
    if (this.#genesisHash !== undefined && !/^[0-9a-f]{64}$/.test(this.#genesisHash)) throw new RangeError(`genesisHash must be 64 hex digits, got ${JSON.stringify(options.genesisHash)}`);
    this.#bufferLimit = options.notificationBuffer ?? DEFAULT_NOTIFICATION_BUFFER;
    if (!(this.#bufferLimit >= 1)) throw new RangeError(`notificationBuffer must be at least 1, got ${this.#bufferLimit}`);
    this.#protocol = options.protocol ?? electrumProtocol;
    this.#connector = options.connector ?? electrumConnector(url, options);
    this.#parse = { maxDepth: options.maxMessageDepth };
    Object.assign(this, bindElectrumClientApi((method, params) => this.#call(method, params, NO_OPTIONS)));
  }

  /**
   * Connects to `tcp://`, `tls://` (alias `ssl://`), `ws://` or `wss://` host:port, negotiates the
   * protocol version and resolves once the server has answered server.version within the client's range.
   */
  static async connect(url: string, options: ElectrumClientOptions = {}): Promise<ElectrumClient> {
    const client = new ElectrumClient(url, options);
    await client.connect();
    return client;
  }

  /** Opens the first connection. A failure here is not retried: it rejects, and the client is closed. */
  async connect(): Promise<void> {
    if (this.#state !== 'idle') throw new ClosedError(`connect() was already called (the client is ${this.#state})`);
    this.#state = 'connecting';
    try {
      this.#opened(await this.#open());
    } catch (e) {
      this.#finish(asSdkError(e), false);
      throw e;
    }
  }

  /** The server software, as it said in server.version. Throws before the first connection. */
  get serverVersion(): string {
    return this.#connected().serverVersion;
  }

  /** The negotiated protocol version, as the server wrote it ("1.4", "1.6.0"). Throws before the first connection. */
  get protocolVersion(): string {
    return this.#connected().protocolVersion;
  }

  /** Any client request by wire name, typed from the spec. */
  request<M extends RequestName>(method: M, params: ElectrumMethods[M]['params'], options: RequestOptions = {}): Promise<ElectrumMethods[M]['result']> {
    return this.#call(method, params, options) as Promise<ElectrumMethods[M]['result']>;
  }

  /**
   * Sends several requests as one JSON-RPC batch. Resolves when every call has settled, each with its
   * own result or error (the batch itself never rejects for one call's failure).
   */
  async batch<const C extends readonly ElectrumBatchCall[]>(calls: C, options: RequestOptions = {}): Promise<ElectrumBatchResults<C>> {
    const version = this.#info?.protocolVersion;
    const outcomes: (BatchItemResult<unknown> | undefined)[] = calls.map(([method, params]) => {
      const error = this.#checkParams(method, params, version);
      return error ? { ok: false, error } : undefined;
    });
    const toSend = calls.flatMap(([method, params], i) => (outcomes[i] ? [] : [{ method, params: params as readonly unknown[], index: i }]));
    if (toSend.length) {
      const started = Date.now();
      const conn = await this.#connection('batch', options);
      const remaining = remainingTimeout(options.timeout ?? this.#timeout, started);
      // Results are checked as the session reads them, in wire order with the notifications around them.
      const promises = conn.session.requestBatch(toSend, { ...options, timeout: remaining }, conn.check);
      this.#lastSent = Date.now();
      await Promise.all(
        promises.map(async (promise, j) => {
          const call = toSend[j] as (typeof toSend)[number];
          try {
            const value = await promise;
            outcomes[call.index] = { ok: true, value };
          } catch (e) {
            outcomes[call.index] = { ok: false, error: asSdkError(e) };
          }
        }),
      );
    }
    return outcomes as ElectrumBatchResults<C>;
  }

  /**
   * Subscribes and returns an async iterable of the subscription's later notifications (typed params,
   * as the events carry them); `initial` is the value the subscribe call answered with.
   */
  async subscribe<M extends ElectrumSubscriptionName>(method: M, params: ElectrumMethods[M]['params'], options: RequestOptions = {}): Promise<ElectrumSubscription<M>> {
    const info = this.#protocol.get(method);
    if (!info || info.kind !== 'subscription') throw new ValidationError(method, 'params', [`${method} is not a subscription`]);
    const arity = keyArity(info);
    const keyParams = (params as readonly unknown[]).slice(0, arity);
    // Listening starts before the request goes out, so a notification right after the answer is not lost.
    const channel = this.#openChannel(method, subscriptionKey(keyParams));
    let initial: unknown;
    try {
      initial = await this.#call(method, params as unknown[], options);
    } catch (e) {
      channel.end();
      throw e;
    }
    const client = this;
    const subscription = Object.assign(channel, {
      method,
      params,
      initial,
      async unsubscribe(): Promise<void> {
        channel.end();
        await client.#unsubscribe(method, params as readonly unknown[]);
      },
    });
    return subscription as unknown as ElectrumSubscription<M>;
  }

  /** Every later notification of one kind (all script hashes, say) as an async iterable. */
  notifications<M extends keyof ElectrumServerNotifications>(method: M, options: IterateOptions = {}): AsyncIterableIterator<ElectrumServerNotifications[M]> {
    const channel = this.#openChannel(method, '*');
    if (options.signal) {
      if (options.signal.aborted) channel.end();
      else options.signal.addEventListener('abort', () => channel.end(), { once: true });
    }
    return channel as unknown as AsyncIterableIterator<ElectrumServerNotifications[M]>;
  }

  /** Listens to a notification (by wire name, with its typed params) or a lifecycle event. Returns the remover. */
  on<E extends keyof ElectrumClientEvents>(event: E, listener: (...args: ElectrumClientEvents[E]) => void): () => void {
    return this.#events.on(event, listener);
  }

  once<E extends keyof ElectrumClientEvents>(event: E, listener: (...args: ElectrumClientEvents[E]) => void): () => void {
    return this.#events.once(event, listener);
  }

  off<E extends keyof ElectrumClientEvents>(event: E, listener: (...args: ElectrumClientEvents[E]) => void): void {
    this.#events.off(event, listener);
  }

  /** Requests waiting for an answer on the current connection. */
  get pendingRequests(): number {
    return this.#conn?.session.pendingCount ?? 0;
  }

  /** Subscriptions the client keeps (and renews after a reconnect). */
  get subscriptionCount(): number {
    return this.#subs.size;
  }

  get state(): 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' {
    return this.#state;
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** Closes the connection for good; pending requests reject with a ClosedError and iterators end. */
  close(): void {
    if (this.#state === 'closed') return;
    const conn = this.#conn;
    this.#finish(undefined, true);
    conn?.session.close(new ClosedError('closed by the client'));
    conn?.transport.close();
  }

  // -------------------------------------------------------------------------------------------------
  // Requests

  #call(method: string, params: readonly unknown[], options: RequestOptions): Promise<unknown> {
    const invalid = this.#checkParams(method, params, this.#info?.protocolVersion);
    if (invalid) return Promise.reject(invalid);
    // The common case, connected: no wait for a connection, so no promise and no turn spent on one, and
    // the caller's options go to the session as they are (its default timeout is the client's).
    if (this.#conn && this.#state === 'open') return this.#send(this.#conn, method, params, options);
    const timeout = options.timeout ?? this.#timeout;
    const started = Date.now();
    return this.#connection(method, options).then((conn) => this.#send(conn, method, params, { signal: options.signal, timeout: remainingTimeout(timeout, started) }));
  }

  #send(conn: Connection, method: string, params: readonly unknown[], options: RequestOptions): Promise<unknown> {
    // Only the keep-alive reads it.
    if (this.#keepAliveMs !== false) this.#lastSent = Date.now();
    return conn.session.request(method, params, options, conn.check);
  }

  #checkParams(method: string, params: readonly unknown[], version: string | undefined): ValidationError | undefined {
    if (!this.#validate) return undefined;
    const checks = this.#plan(method, version).checks;
    const check = checks ? checks.validateParams(params) : this.#protocol.validateParams(method, params, { protocolVersion: version });
    return check.valid ? undefined : new ValidationError(method, 'params', check.errors);
  }

  /** Validates a result (throwing ValidationError) and keeps the subscription book in step. */
  #afterResult(method: string, params: readonly unknown[], result: unknown, version: string) {
    const plan = this.#plan(method, version);
    if (this.#validate) {
      const check = plan.checks ? plan.checks.validateResult(result, params) : this.#protocol.validateResult(method, result, { protocolVersion: version, params });
      if (!check.valid) throw new ValidationError(method, 'result', check.errors);
    }
    if (plan.subscribeArity !== undefined) {
      const renewals = this.#renewals;
      if (renewals !== undefined) this.#answeredWhileRenewing(renewals, method, plan.subscribeArity, params, result);
      this.#subs.record(method, plan.subscribeArity, params, result);
    } else if (plan.ends) this.#subs.remove(plan.ends.method, plan.ends.arity, params);
  }

  /**
   * A subscribe answered on a fresh connection before the renewal of the same subscription: it is the
   * first word on what changed while away (the renewal's answer, when it comes, is dropped), so a change
   * is emitted here, or listeners of the subscription would never hear of it.
   */
  #answeredWhileRenewing(renewals: PendingRenewals, method: string, arity: number, params: readonly unknown[], result: unknown) {
    const keyParams = params.slice(0, arity);
    if (!renewals.take(method, subscriptionKey(keyParams)) || !this.#subs.has(method, arity, keyParams)) return;
    if (!sameValue(this.#subs.value(method, arity, keyParams), result)) this.#deliver(method, [...keyParams, result]);
  }

  /** The plan of a method at a version, made on first use. */
  #plan(method: string, version: string | undefined): MethodPlan {
    // Pipelined requests mostly repeat one method: its plan is at hand without a lookup.
    const last = this.#lastPlan;
    if (last !== undefined && last.method === method && last.version === version) return last.plan;
    const plan = this.#lookUpPlan(method, version);
    this.#lastPlan = { method, version, plan };
    return plan;
  }

  #lookUpPlan(method: string, version: string | undefined): MethodPlan {
    const key = version ?? '';
    let byMethod = this.#plans.get(key);
    if (!byMethod) {
      if (this.#plans.size >= MAX_PLAN_VERSIONS) this.#plans.clear();
      this.#plans.set(key, (byMethod = new Map()));
    }
    let plan = byMethod.get(method);
    if (!plan) {
      const info = this.#protocol.get(method);
      const sub = info?.kind !== 'subscription' && method.endsWith('.unsubscribe') ? this.#protocol.get(method.replace(/unsubscribe$/, 'subscribe')) : undefined;
      plan = {
        checks: info?.checksAt(version),
        subscribeArity: info?.kind === 'subscription' ? keyArity(info) : undefined,
        ends: sub ? { method: sub.method, arity: keyArity(sub) } : undefined,
      };
      if (byMethod.size < MAX_PLANS) byMethod.set(method, plan);
    }
    return plan;
  }

  async #unsubscribe(method: string, params: readonly unknown[]) {
    const info = this.#protocol.get(method);
    if (!info) return;
    const arity = keyArity(info);
    if (!this.#subs.has(method, arity, params)) return;
    const unsub = this.#protocol.get(method.replace(/subscribe$/, 'unsubscribe'));
    const version = this.#info?.protocolVersion;
    if (unsub && version && unsub.isAvailable(version) && this.#state === 'open') {
      await this.#call(unsub.method, params.slice(0, unsub.params.length), {});
    }
    // Without an unsubscribe method at this version the server keeps sending; the client stops renewing it.
    this.#subs.remove(method, arity, params);
  }

  /** The live connection, or a wait for the reconnect (bounded by the request's own timeout and signal). */
  #connection(method: string, options: RequestOptions): Promise<Connection> {
    if (this.#conn && this.#state === 'open') return Promise.resolve(this.#conn);
    if (this.#state === 'closed') return Promise.reject(this.#closeError ?? new ClosedError('the client is closed'));
    if (this.#state === 'idle') return Promise.reject(new ClosedError('not connected: call connect() first'));
    const timeoutMs = options.timeout ?? this.#timeout;
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError(method, signal.reason));
    return new Promise<Connection>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
      };
      const waiter: Waiter = {
        resolve: (c) => (done(), resolve(c)),
        reject: (e) => (done(), reject(e)),
      };
      const onAbort = () => waiter.reject(new AbortedError(method, signal?.reason));
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => waiter.reject(new TimeoutError(method, timeoutMs)), timeoutMs) : undefined;
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #connected(): ElectrumConnectionInfo {
    if (!this.#info) throw new ClosedError('not connected yet: the client has not negotiated a protocol version');
    return this.#info;
  }

  // -------------------------------------------------------------------------------------------------
  // Connections

  /** Dials, negotiates and checks the chain. The connection is not yet the client's current one. */
  async #open(): Promise<Connection> {
    let session: RpcSession | undefined;
    let negotiated: string | undefined;
    const transport = await this.#connector({
      message: (text) => session?.handle(parseMessage(text, this.#parse)),
      error: (error) => this.#events.emit('protocol-error', error),
      close: (error) => {
        session?.close(error);
        if (this.#conn?.session === session) this.#dropped(error ?? new ClosedError('the connection closed'));
      },
    });
    session = new RpcSession({
      dialect: '2.0',
      send: (text) => transport.send(text),
      timeout: this.#timeout,
      onNotification: (method, params) => this.#dispatch(method, params, negotiated),
      // Electrum servers send no requests; answer any with method-not-found rather than hang the peer.
      onRequest: (method) => {
        throw new ServerError(method, JSON_RPC_ERRORS.METHOD_NOT_FOUND, `unknown method "${method}"`);
      },
      onProtocolError: (error) => this.#events.emit('protocol-error', error),
    });
    try {
      const [min, max] = this.#range;
      const reply = await session.request('server.version', [this.#clientName, min === max ? min : [min, max]]);
      const check = this.#protocol.validateResult('server.version', reply, { protocolVersion: max });
      if (!check.valid || !Array.isArray(reply)) throw new ValidationError('server.version', 'result', check.valid ? ['not a list'] : check.errors);
      const [software, version] = reply as [string, string];
      if (!isVersion(version) || compareVersions(version, min) < 0 || compareVersions(version, max) > 0) {
        throw new VersionMismatchError(`the server chose protocol ${version}, outside the client's range ${min}-${max}`);
      }
      negotiated = version;
      if (this.#genesisHash) await this.#checkGenesis(session, version);
      const checkResult: ResultCheck = (method, params, result) => this.#afterResult(method, params, result, version);
      return { session, transport, info: { serverVersion: software, protocolVersion: version }, check: checkResult };
    } catch (e) {
      session.close(e);
      transport.close();
      throw e;
    }
  }

  async #checkGenesis(session: RpcSession, version: string) {
    const features = await session.request('server.features', []);
    if (this.#validate) {
      const check = this.#protocol.validateResult('server.features', features, { protocolVersion: version });
      if (!check.valid) throw new ValidationError('server.features', 'result', check.errors);
    }
    const actual = typeof features === 'object' && features !== null ? (features as { genesis_hash?: unknown }).genesis_hash : undefined;
    if (typeof actual !== 'string') throw new ValidationError('server.features', 'result', ['genesis_hash is missing']);
    if (actual.toLowerCase() !== this.#genesisHash) throw new WrongChainError(this.#genesisHash as string, actual);
  }

  /** Makes a negotiated connection the current one. */
  #opened(conn: Connection) {
    this.#conn = conn;
    this.#info = conn.info;
    this.#state = 'open';
    this.#startKeepAlive();
    for (const w of [...this.#waiters]) w.resolve(conn);
    this.#events.emit('connect', conn.info);
  }

  /** The current connection ended without close() being called. */
  #dropped(error: StratumSdkError) {
    this.#stopKeepAlive();
    this.#conn = undefined;
    if (this.#state === 'closed') return;
    if (!this.#backoff) {
      this.#finish(error, false);
      return;
    }
    this.#state = 'reconnecting';
    this.#events.emit('disconnect', error);
    void this.#reconnectLoop(this.#backoff);
  }

  async #reconnectLoop(backoff: Backoff) {
    let lastError: StratumSdkError | undefined;
    for (let attempt = 1; attempt <= backoff.maxAttempts; attempt++) {
      const delay = backoffDelay(attempt, backoff);
      this.#events.emit('reconnecting', { attempt, delay, error: lastError });
      if (!(await this.#sleep(delay))) return; // closed meanwhile
      let conn: Connection;
      try {
        conn = await this.#open();
      } catch (e) {
        lastError = asSdkError(e);
        if (FATAL.has(lastError.code)) break;
        continue;
      }
      if (this.#state === 'closed') {
        conn.session.close(new ClosedError('closed by the client'));
        conn.transport.close();
        return;
      }
      this.#opened(conn);
      this.#events.emit('reconnect', conn.info);
      await this.#renewSubscriptions(conn);
      return;
    }
    this.#finish(lastError ?? new ClosedError('gave up reconnecting'), false);
  }

  /**
   * Renews every subscription on a fresh connection and emits what changed while disconnected.
   *
   * Answers are taken as the session reads them (in a result check), in wire order with the
   * notifications around them: awaiting them instead would let the later messages of the same read go
   * first. An answer is compared with the value stored when it is read, which any notification read
   * before it has already updated, and only if nothing arrived on its key first (see PendingRenewals).
   */
  async #renewSubscriptions(conn: Connection) {
    const version = conn.info.protocolVersion;
    const pending = new PendingRenewals();
    this.#renewals = pending;
    // One check for every renewal: no closure per subscription renewed.
    const renewed: ResultCheck = (method, params, fresh) => this.#renewed(conn, pending, method, params, fresh);
    const renewals = [...this.#subs.entries()].map(async ({ method, params }) => {
      const info = this.#protocol.get(method);
      if (!info) return;
      const arity = keyArity(info);
      try {
        const invalid = this.#checkParams(method, params, version);
        if (invalid) throw invalid;
        pending.add(method, subscriptionKey(params.slice(0, arity)));
        await conn.session.request(method, params, NO_OPTIONS, renewed);
      } catch (e) {
        // Dropped again: the next reconnect renews it. Ended by the user meanwhile: nothing is lost.
        if (conn !== this.#conn || !this.#subs.has(method, arity, params)) return;
        this.#subs.remove(method, arity, params);
        this.#endChannels(method, subscriptionKey(params.slice(0, arity)), asSdkError(e));
        this.#events.emit('subscription-lost', method, params, asSdkError(e));
      }
    });
    try {
      await Promise.all(renewals);
    } finally {
      if (this.#renewals === pending) this.#renewals = undefined;
    }
  }

  /** A renewal's answer, as the session reads it; throwing refuses it (the renewal then fails). */
  #renewed(conn: Connection, pending: PendingRenewals, method: string, params: readonly unknown[], fresh: unknown) {
    const plan = this.#plan(method, conn.info.protocolVersion);
    if (this.#validate) {
      const check = plan.checks ? plan.checks.validateResult(fresh, params) : this.#protocol.validateResult(method, fresh, { protocolVersion: conn.info.protocolVersion, params });
      if (!check.valid) throw new ValidationError(method, 'result', check.errors);
    }
    const arity = plan.subscribeArity ?? 0;
    const keyParams = params.slice(0, arity);
    // Something read before it on this key is newer; a subscription ended meanwhile emits nothing.
    if (!pending.take(method, subscriptionKey(keyParams)) || conn !== this.#conn || !this.#subs.has(method, arity, keyParams)) return;
    if (!sameValue(this.#subs.value(method, arity, keyParams), fresh)) this.#deliver(method, [...keyParams, fresh]);
  }

  /** Waits between attempts; false when the client was closed meanwhile. */
  #sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#cancelRetry = undefined;
        resolve(this.#state !== 'closed');
      }, ms);
      this.#cancelRetry = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
  }

  /** The client is done: by close() (`byUser`) or because the connection failed for good. */
  #finish(error: StratumSdkError | undefined, byUser: boolean) {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#stopKeepAlive();
    this.#cancelRetry?.();
    this.#conn = undefined;
    const reason = error ?? new ClosedError('closed by the client');
    this.#closeError = reason instanceof ClosedError ? reason : new ClosedError(`the client is closed: ${reason.message}`, { cause: reason });
    for (const w of [...this.#waiters]) w.reject(this.#closeError);
    for (const [method, byKey] of this.#channels) for (const key of byKey.keys()) this.#endChannels(method, key, byUser ? undefined : reason);
    this.#events.emit('close', error);
  }

  // -------------------------------------------------------------------------------------------------
  // Notifications

  #dispatch(method: string, params: unknown[] | Record<string, unknown>, version: string | undefined) {
    const info = this.#protocol.get(method);
    if (!info?.hasNotification || info.notificationDirection === 'client-to-server') {
      this.#events.emit('protocol-error', new ProtocolError('unexpected-notification', `a notification "${method}", which the spec has no server notification of`, excerpt(params)));
      return;
    }
    if (this.#validate) {
      const check = this.#protocol.validateNotification(method, params, { protocolVersion: version });
      if (!check.valid) {
        this.#events.emit('protocol-error', new ValidationError(method, 'notification', check.errors));
        return;
      }
    }
    if (!Array.isArray(params)) {
      // Only reached with validation off; listeners take positional params, so named ones cannot be passed on.
      this.#events.emit('protocol-error', new ProtocolError('invalid-message', `a "${method}" notification with named params`, excerpt(params)));
      return;
    }
    const renewals = this.#renewals;
    if (renewals !== undefined) renewals.notified(method, params);
    this.#deliver(method, params);
  }

  /** Records a notification's value and hands it to listeners and iterators. */
  #deliver(method: string, params: unknown[]) {
    this.#subs.update(method, params);
    (this.#events.emit as (event: string, ...args: unknown[]) => void)(method, ...params);
    const byKey = this.#channels.get(method);
    if (!byKey) return;
    const key = subscriptionKey(params.slice(0, Math.max(0, params.length - 1)));
    for (const k of [key, '*']) for (const channel of [...(byKey.get(k) ?? [])]) channel.push(params);
  }

  #openChannel(method: string, key: string): Channel<unknown[]> {
    if (this.#state === 'closed') throw this.#closeError ?? new ClosedError('the client is closed');
    let byKey = this.#channels.get(method);
    if (!byKey) this.#channels.set(method, (byKey = new Map()));
    let set = byKey.get(key);
    if (!set) byKey.set(key, (set = new Set()));
    const channels = set;
    const channel: Channel<unknown[]> = new Channel(`${method} notifications`, this.#bufferLimit, () => {
      channels.delete(channel);
      if (channels.size === 0 && byKey.get(key) === channels) byKey.delete(key);
    });
    channels.add(channel);
    return channel;
  }

  #endChannels(method: string, key: string, error: StratumSdkError | undefined) {
    for (const channel of [...(this.#channels.get(method)?.get(key) ?? [])]) channel.end(error);
  }

  // -------------------------------------------------------------------------------------------------
  // Keep-alive

  #startKeepAlive() {
    const idleMs = this.#keepAliveMs;
    if (idleMs === false) return;
    this.#stopKeepAlive();
    this.#keepAlive = setInterval(() => {
      const conn = this.#conn;
      if (!conn || Date.now() - this.#lastSent < idleMs) return;
      this.#lastSent = Date.now();
      // A failed ping needs no handling here: a dead connection reports itself through close.
      conn.session.request('server.ping', []).catch(() => undefined);
    }, Math.max(1000, Math.floor(idleMs / 4)));
    (this.#keepAlive as { unref?: () => void }).unref?.();
  }

  #stopKeepAlive() {
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }
}

function asSdkError(e: unknown): StratumSdkError {
  if (e instanceof StratumSdkError) return e;
  return new ClosedError(e instanceof Error ? e.message : String(e), { cause: e });
}

/** What is left of a request's timeout after waiting for a connection. */
function remainingTimeout(timeoutMs: number, started: number): number {
  // Infinity and invalid values go through unchanged, for the session to honour or refuse.
  if (!Number.isFinite(timeoutMs) || !(timeoutMs > 0)) return timeoutMs;
  return Math.max(1, timeoutMs - (Date.now() - started));
}

function normalizeRange(v: string | readonly [string, string]): readonly [string, string] {
  const range = typeof v === 'string' ? ([v, v] as const) : v;
  if (!isVersion(range[0]) || !isVersion(range[1]) || compareVersions(range[0], range[1]) > 0) {
    throw new RangeError(`protocolVersion must be a version or [min, max] with min <= max, got ${JSON.stringify(v)}`);
  }
  return range;
}
