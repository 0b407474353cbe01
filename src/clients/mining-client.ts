// The Stratum V1 mining client: one pool connection speaking JSON-RPC 1.0 as pools do, typed wrappers bound
// from the generated tree, the session state (extranonce, difficulty, version mask, jobs, workers) kept
// and evented, server requests answered, and client.reconnect followed with session resume.
import { bindMiningClientApi, type MiningClientApi } from '../generated/mining/client-api.js';
import { miningProtocol } from '../generated/mining/methods.js';
import type { MiningClientHandlers } from '../generated/mining/server-api.js';
import type {
  ClientReconnectNotification,
  MiningConfigureParams,
  MiningConfigureResult,
  MiningMethods,
  MiningSubscribeParams,
} from '../generated/mining/types.js';
import { excerpt } from '../runtime/bounded-json.js';
import { Emitter } from '../runtime/emitter.js';
import { ClosedError, ConnectError, ProtocolError, ServerError, StratumSdkError, TimeoutError, ValidationError } from '../runtime/errors.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../runtime/framing.js';
import { JSON_RPC_ERRORS } from '../runtime/messages.js';
import { DEFAULT_REQUEST_TIMEOUT, type RequestOptions } from '../runtime/session.js';
import { MiningLink, type LinkHandlers, type ReplyMessage, type TrackedRequest } from './mining-link.js';
import { MiningState } from './mining-state.js';
import type {
  MiningClientEvents,
  MiningClientOptions,
  MiningJob,
  MiningRequestName,
  MiningResult,
  MiningStartOptions,
  MiningStartResult,
  MiningSubscribeTriple,
  MiningSubscription,
  ReconnectInfo,
  ReconnectRequest,
  ReconnectTarget,
} from './mining-types.js';
import { endpointConnector, parsePoolUrl, reconnectTarget, redirectRefusal, type PoolEndpoint } from './mining-endpoint.js';
import { rejectionOf } from './mining-replies.js';

export const DEFAULT_MINING_AGENT = 'stratum-sdk/0.1.0';
// 5 s: a pool that answers these does so at once (ckpool's configure, goPool's suggest_difficulty); the many
// that never answer (node-stratum-pool, ckpool for extranonce.subscribe) would otherwise hold a promise 30 s.
export const DEFAULT_OPTIONAL_REPLY_TIMEOUT = 5_000;
// 60 s: ckpool drops a client that has not come back a minute after client.reconnect.
export const DEFAULT_MAX_RECONNECT_WAIT = 60;

// Requests real pools often leave unanswered (observed-on-the-wire: node-stratum-pool, ckpool).
const OPTIONAL_REPLY: ReadonlySet<string> = new Set(['mining.configure', 'mining.extranonce.subscribe', 'mining.suggest_difficulty', 'mining.suggest_target']);
// Requests whose replies change the session state, observed as they arrive.
const STATEFUL: ReadonlySet<string> = new Set(['mining.subscribe', 'mining.authorize', 'mining.configure', 'mining.extranonce.subscribe']);

/** The generated wrappers, with mining.subscribe resolving only to the subscription triple. */
export type MiningClientWrappers = {
  readonly mining: Omit<MiningClientApi['mining'], 'subscribe'> & {
    /** See MiningClientApi. ckpool's failure string in `result` rejects with a ServerError instead of resolving. */
    subscribe(...params: MiningSubscribeParams): Promise<MiningSubscribeTriple>;
  };
};

export interface MiningClient extends MiningClientWrappers {}

/**
 * A Stratum V1 mining client.
 *
 * Requests settle: each has a timeout (`timeout`, 30 s by default; `optionalReplyTimeout`, 5 s, for
 * mining.configure, mining.extranonce.subscribe, mining.suggest_difficulty, mining.suggest_target and a second
 * mining.subscribe, which many pools never answer) and rejects with a TimeoutError when it passes; an answer
 * that comes later is reported as a 'protocol-error' (duplicate-id). Use `requestIfAnswered` to get
 * `undefined` instead of the TimeoutError.
 *
 * Share rejections reject with a ServerError in every encoding pools use: `[code, message, traceback]`,
 * a bare string, an object, `error: true`, and ckpool's `result: false` with a `reject-reason` (serverCode
 * null, serverMessage the reason). A bare `false` with no error and no reason resolves `false`.
 */
export class MiningClient {
  readonly #events = new Emitter<MiningClientEvents>();
  readonly #state: MiningState;
  readonly #options: MiningClientOptions;
  readonly #agent: string;
  readonly #timeout: number;
  readonly #optionalTimeout: number;
  readonly #validate: boolean;
  readonly #original: PoolEndpoint;
  readonly #answers: Required<MiningClientHandlers<void>>;
  readonly #linkHandlers: LinkHandlers;
  #endpoint: PoolEndpoint;
  #link: MiningLink | undefined;
  #closedByUser = false;
  #reconnecting = false;
  #cancelWait: (() => void) | undefined;
  // What to replay on a new connection.
  #configureParams: readonly unknown[] | undefined;
  #userAgent: string | undefined;
  #extranonceSubscribed = false;

  private constructor(endpoint: PoolEndpoint, options: MiningClientOptions) {
    this.#options = options;
    this.#agent = options.agent ?? DEFAULT_MINING_AGENT;
    this.#timeout = positive('timeout', options.timeout ?? DEFAULT_REQUEST_TIMEOUT);
    this.#optionalTimeout = positive('optionalReplyTimeout', options.optionalReplyTimeout ?? DEFAULT_OPTIONAL_REPLY_TIMEOUT);
    const maxWait = options.maxReconnectWait ?? DEFAULT_MAX_RECONNECT_WAIT;
    if (!(maxWait >= 0 && Number.isFinite(maxWait))) throw new RangeError(`maxReconnectWait must be a finite number of seconds >= 0, got ${maxWait}`);
    this.#validate = options.validate ?? true;
    this.#state = new MiningState((event, ...args) => this.#events.emit(event, ...args), options.maxJobs);
    this.#original = endpoint;
    this.#endpoint = endpoint;
    this.#answers = { 'client.get_version': () => this.#agent, 'mining.ping': () => 'pong' };
    this.#linkHandlers = {
      notification: (link, method, params) => {
        if (link === this.#link) this.#notification(method, params);
      },
      request: (link, method, params) => this.#serverRequest(link, method, params),
      protocolError: (link, error) => {
        if (link === this.#link) this.#events.emit('protocol-error', error);
      },
      reply: (link, message, request) => this.#reply(link, message, request),
      close: (link, error) => this.#linkClosed(link, error),
    };
    Object.assign(this, bindMiningClientApi((method, params) => this.#call(method, params, {})));
  }

  /**
   * Connects to `stratum+tcp://host:port`, `stratum+ssl://host:port` or `stratum+tls://host:port` (or through
   * `options.connector`). Resolves once the connection is open; nothing is sent until you call `start()` or
   * the wrappers. Rejects with ConnectError (bad URL, unreachable) or TlsError (certificate refused).
   */
  static async connect(url: string, options: MiningClientOptions = {}): Promise<MiningClient> {
    const client = new MiningClient(parsePoolUrl(url), options);
    await client.#open(client.#endpoint);
    return client;
  }

  /** Any client request by wire name, typed from the spec. */
  request<M extends MiningRequestName>(method: M, params: MiningMethods[M]['params'], options: RequestOptions = {}): Promise<MiningResult<M>> {
    return this.#call(method, params, options) as Promise<MiningResult<M>>;
  }

  /**
   * Like `request`, but a pool that does not answer within `options.timeout` (default `optionalReplyTimeout`)
   * resolves `undefined` instead of rejecting. For suggest_difficulty, extranonce.subscribe and the like.
   */
  async requestIfAnswered<M extends MiningRequestName>(
    method: M,
    params: MiningMethods[M]['params'],
    options: RequestOptions = {},
  ): Promise<MiningResult<M> | undefined> {
    try {
      return await this.request(method, params, { signal: options.signal, timeout: options.timeout ?? this.#optionalTimeout });
    } catch (e) {
      if (e instanceof TimeoutError) return undefined;
      throw e;
    }
  }

  /**
   * Opens the mining session in the usual order: mining.configure (when given; sent first, as BIP310 asks,
   * without waiting for its answer), mining.subscribe, mining.extranonce.subscribe (when asked, not awaited),
   * mining.authorize, mining.suggest_difficulty (when given, not awaited). Every param is validated before
   * anything is sent. Rejects with a ServerError when subscribe fails or the worker is refused (a bare `false`
   * becomes a ServerError with serverCode null). A configure the pool refuses or never answers is not an
   * error: `configure` is then undefined and version rolling stays off.
   */
  async start(options: MiningStartOptions): Promise<MiningStartResult> {
    const userAgent = options.userAgent ?? this.#agent;
    const subscribe: MiningSubscribeParams = options.sessionId === undefined ? [userAgent] : [userAgent, options.sessionId];
    const authorize = options.password === undefined ? [options.user] : [options.user, options.password];
    const plan: [string, readonly unknown[] | undefined][] = [
      ['mining.configure', options.configure],
      ['mining.subscribe', subscribe],
      ['mining.authorize', authorize],
      ['mining.suggest_difficulty', options.suggestDifficulty === undefined ? undefined : [options.suggestDifficulty]],
    ];
    for (const [method, params] of plan) if (params) this.#checkParams(method, params);

    const configuring = options.configure ? this.#configure(options.configure) : undefined;
    // Its outcome is awaited at the end; this branch only keeps an early failure from being reported as unhandled.
    void configuring?.catch(() => undefined);
    await this.#call('mining.subscribe', subscribe, {});
    const subscription = this.#state.subscription;
    if (!subscription) throw new ValidationError('mining.subscribe', 'result', ['not a subscription triple']);
    if (options.extranonceSubscribe) this.#fireAndForget('mining.extranonce.subscribe', []);
    await this.#authorize(authorize);
    if (options.suggestDifficulty !== undefined) this.#fireAndForget('mining.suggest_difficulty', [options.suggestDifficulty]);
    return { subscription, configure: await configuring };
  }

  /**
   * Reconnects, as client.reconnect asks: closes this connection (pending requests reject with a ClosedError),
   * waits `waitSeconds` (cut to `maxReconnectWait`), connects to `host`:`port` (default: the current ones),
   * replays mining.configure, resumes with mining.subscribe [agent, sessionId] (falling back to a fresh
   * subscribe when the pool refuses the session id), and authorizes every worker again. Also works after the
   * pool dropped the connection. A target on another host is refused with a ConnectError unless
   * `allowRedirect` allows it: plain Stratum is unauthenticated, and a forged or compromised reconnect would
   * otherwise send the hash power anywhere. When the reconnect fails the client is closed ('close' event).
   */
  async reconnect(target: Partial<ReconnectTarget> = {}): Promise<ReconnectInfo> {
    if (this.#closedByUser) throw new ClosedError('closed by the client');
    if (this.#reconnecting) throw new ConnectError('a reconnect is already under way');
    const resolved = this.#target(target.host, target.port, target.waitSeconds);
    if (!resolved) throw new ConnectError(`reconnect refused: ${JSON.stringify(target.port)} is not a port`);
    const refusal = this.#refusal(resolved);
    if (refusal) throw new ConnectError(`reconnect to ${resolved.host}:${resolved.port} refused: ${refusal}`);
    return this.#reconnect(resolved);
  }

  /** Listens to a notification (by wire name, with its typed params) or a lifecycle event. Returns the remover. */
  on<E extends keyof MiningClientEvents>(event: E, listener: (...args: MiningClientEvents[E]) => void): () => void {
    return this.#events.on(event, listener);
  }

  once<E extends keyof MiningClientEvents>(event: E, listener: (...args: MiningClientEvents[E]) => void): () => void {
    return this.#events.once(event, listener);
  }

  off<E extends keyof MiningClientEvents>(event: E, listener: (...args: MiningClientEvents[E]) => void): void {
    this.#events.off(event, listener);
  }

  /** extranonce1 from mining.subscribe, replaced by mining.set_extranonce. */
  get extranonce1(): string | undefined {
    return this.#state.extranonce1;
  }
  get extranonce2Size(): number | undefined {
    return this.#state.extranonce2Size;
  }
  /** The latest mining.set_difficulty (1, the Stratum default, until one arrives). Each job keeps its own. */
  get difficulty(): number {
    return this.#state.difficulty;
  }
  /** The bits the miner may roll: from a mining.configure with version rolling on, replaced by mining.set_version_mask. */
  get versionMask(): string | undefined {
    return this.#state.versionMask;
  }
  /** Recent jobs by id, oldest first; a clean job drops the earlier ones. At most `maxJobs`. */
  get jobs(): ReadonlyMap<string, MiningJob> {
    return this.#state.jobs;
  }
  get currentJob(): MiningJob | undefined {
    return this.#state.currentJob;
  }
  get subscription(): MiningSubscription | undefined {
    return this.#state.subscription;
  }
  /** The id to resume this session with after a reconnect (the mining.notify subscription id). */
  get sessionId(): string | undefined {
    return this.#state.subscription?.sessionId;
  }
  /** Workers the pool authorized on this connection. */
  get authorizedWorkers(): readonly string[] {
    return [...this.#state.workers.keys()];
  }
  /** The pool currently connected to (it changes when a client.reconnect is followed). */
  get host(): string {
    return this.#endpoint.host;
  }
  get port(): number {
    return this.#endpoint.port;
  }
  get pendingRequests(): number {
    return this.#link?.pendingCount ?? 0;
  }
  get reconnecting(): boolean {
    return this.#reconnecting;
  }
  /** No connection and none being made. */
  get closed(): boolean {
    return this.#link === undefined && !this.#reconnecting;
  }

  /** Closes the connection for good (a reconnect under way stops); pending requests reject with a ClosedError. */
  close(): void {
    if (this.#closedByUser) return;
    this.#closedByUser = true;
    const wasOpen = !this.closed;
    const link = this.#link;
    this.#link = undefined;
    this.#cancelWait?.();
    link?.close(new ClosedError('closed by the client'));
    if (wasOpen) this.#events.emit('close', undefined);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Requests and replies

  async #call(method: string, params: readonly unknown[], options: RequestOptions): Promise<unknown> {
    this.#checkParams(method, params);
    const link = this.#link;
    if (!link) throw new ClosedError(`${method}: ${this.#reconnecting ? 'the client is reconnecting' : 'the connection is closed'}`);
    const unsure = OPTIONAL_REPLY.has(method) || (method === 'mining.subscribe' && link.subscribed);
    const timeout = options.timeout ?? (unsure ? this.#optionalTimeout : undefined);
    const result = await link.request(method, params, { signal: options.signal, timeout }, STATEFUL.has(method));
    if (this.#validate) {
      const check = miningProtocol.validateResult(method, result, { params: [...params] });
      if (!check.valid) throw new ValidationError(method, 'result', check.errors);
    }
    return result;
  }

  #checkParams(method: string, params: readonly unknown[]): void {
    if (!this.#validate) return;
    const check = miningProtocol.validateParams(method, params);
    if (!check.valid) throw new ValidationError(method, 'params', check.errors);
  }

  #fireAndForget(method: string, params: readonly unknown[]): void {
    // Pools that ignore these are the norm; the answer, if any, is already in the state.
    void this.#call(method, params, {}).catch(() => undefined);
  }

  async #configure(params: MiningConfigureParams): Promise<MiningConfigureResult | undefined> {
    try {
      return (await this.#call('mining.configure', params, {})) as MiningConfigureResult;
    } catch (e) {
      // BIP310: a pool without the extension answers with an error, or (node-stratum-pool) not at all.
      if (e instanceof ServerError || e instanceof TimeoutError) return undefined;
      throw e;
    }
  }

  async #authorize(params: readonly unknown[]): Promise<void> {
    const ok = await this.#call('mining.authorize', params, {});
    if (ok !== true) throw new ServerError('mining.authorize', null, `the pool refused worker ${excerpt(params[0], 100)}`);
  }

  /** Every reply, before the session settles it: rejections turned into errors, state updated from results. */
  #reply(link: MiningLink, message: ReplyMessage, request: TrackedRequest | undefined): ReplyMessage {
    const rejection = rejectionOf(message, request);
    if (rejection) return rejection;
    if (!request) return message;
    if (message.type === 'error') {
      if (request.method === 'mining.authorize') this.#state.authorized(String(request.params[0]), undefined, false);
      return message;
    }
    // The state only ever holds spec-valid values, whatever `validate` says.
    if (link === this.#link && miningProtocol.validateResult(request.method, message.result, { params: [...request.params] }).valid) {
      this.#observe(link, request, message.result);
    }
    return message;
  }

  #observe(link: MiningLink, { method, params }: TrackedRequest, result: unknown): void {
    switch (method) {
      case 'mining.subscribe':
        link.subscribed = true;
        this.#userAgent = typeof params[0] === 'string' ? params[0] : undefined;
        this.#state.subscribed(result as MiningSubscribeTriple);
        return;
      case 'mining.authorize':
        this.#state.authorized(params[0] as string, params[1] as string | undefined, result === true);
        return;
      case 'mining.configure':
        this.#configureParams = params;
        this.#state.configured(result as MiningConfigureResult);
        return;
      case 'mining.extranonce.subscribe':
        this.#extranonceSubscribed = result === true;
        return;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // What the pool sends

  #notification(method: string, params: unknown[] | Record<string, unknown>): void {
    const info = miningProtocol.get(method);
    if (!info?.hasNotification || info.notificationDirection !== 'server-to-client') {
      this.#protocolError(new ProtocolError('unexpected-notification', `a notification "${method}", which the spec has no server notification of`, excerpt(params)));
      return;
    }
    const check = miningProtocol.validateNotification(method, params);
    if (!check.valid && this.#validate) {
      this.#protocolError(new ValidationError(method, 'notification', check.errors));
      return;
    }
    if (!Array.isArray(params)) {
      // Only reached with validation off; listeners take positional params.
      this.#protocolError(new ProtocolError('invalid-message', `a "${method}" notification with named params`, excerpt(params)));
      return;
    }
    // Invalid values (validation off) reach the wire-name listeners but never the state.
    const after = check.valid ? this.#state.notification(method, params) : undefined;
    (this.#events.emit as (event: string, ...args: unknown[]) => void)(method, ...params);
    after?.();
    if (method === 'client.reconnect' && check.valid) this.#reconnectRequested(params as ClientReconnectNotification);
  }

  #serverRequest(link: MiningLink, method: string, params: unknown[] | Record<string, unknown>): unknown {
    if (method === 'client.get_version' || method === 'mining.ping') return this.#answers[method]([], undefined);
    const info = miningProtocol.get(method);
    if (info?.hasNotification && info.notificationDirection === 'server-to-client') {
      // A notification sent with an id (client.show_message, client.reconnect): handled as one and
      // acknowledged with true, as BFGMiner does, so the pool is not left waiting.
      if (link === this.#link) this.#notification(method, params);
      return true;
    }
    throw new ServerError(method, JSON_RPC_ERRORS.METHOD_NOT_FOUND, `unknown method "${method}"`);
  }

  #protocolError(error: MiningClientEvents['protocol-error'][0]): void {
    this.#events.emit('protocol-error', error);
  }

  #linkClosed(link: MiningLink, error: StratumSdkError | undefined): void {
    // A replaced connection, or one a reconnect in progress deals with.
    if (link !== this.#link || this.#reconnecting) return;
    this.#link = undefined;
    this.#events.emit('close', error);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Connections and reconnects

  async #open(endpoint: PoolEndpoint): Promise<void> {
    const connector =
      this.#options.connector ??
      endpointConnector(endpoint, this.#original, {
        tls: this.#options.tls,
        connectTimeout: this.#options.connectTimeout,
        framing: { maxMessageSize: this.#options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE },
        maxBufferedBytes: this.#options.maxBufferedBytes,
      });
    const link = await MiningLink.open(connector, this.#linkHandlers, this.#timeout, this.#options.maxMessageDepth);
    if (this.#closedByUser) {
      link.close(new ClosedError('closed by the client'));
      throw new ClosedError('closed by the client');
    }
    this.#link = link;
    this.#endpoint = endpoint;
  }

  #reconnectRequested([host, port, wait]: ClientReconnectNotification): void {
    const target = this.#target(host, port, wait);
    if (!target) {
      // The spec's port allows 0 and "99999"; neither can be connected to.
      this.#protocolError(new ProtocolError('invalid-message', `client.reconnect to port ${excerpt(port, 40)}, which cannot be connected to`, excerpt([host, port, wait])));
      return;
    }
    let reason = this.#refusal(target);
    let decision: ReconnectRequest['decision'] = reason ? 'refused' : 'follow';
    if (decision === 'follow' && !(this.#options.followReconnect ?? true)) decision = 'ignored';
    if (decision === 'follow' && this.#reconnecting) {
      decision = 'ignored';
      reason = 'a reconnect is already under way';
    }
    this.#events.emit('reconnect-request', { ...target, decision, reason });
    // A failure is reported through 'close'.
    if (decision === 'follow') void this.#reconnect(target).catch(() => undefined);
  }

  #target(host: string | null | undefined, port: unknown, wait: number | null | undefined): ReconnectTarget | undefined {
    return reconnectTarget(this.#endpoint, host, port, wait, this.#options.maxReconnectWait ?? DEFAULT_MAX_RECONNECT_WAIT);
  }

  #refusal(target: ReconnectTarget): string | undefined {
    return redirectRefusal(target, this.#endpoint, this.#original, this.#options);
  }

  async #reconnect(target: ReconnectTarget): Promise<ReconnectInfo> {
    const previous = { extranonce1: this.#state.extranonce1, sessionId: this.#state.subscription?.sessionId };
    this.#reconnecting = true;
    const old = this.#link;
    this.#link = undefined;
    old?.close(new ClosedError('the client is reconnecting'));
    this.#state.newConnection();
    try {
      await this.#wait(target.waitSeconds * 1000);
      await this.#open({ host: target.host, port: target.port, tls: this.#endpoint.tls });
      const resumed = await this.#replay(previous);
      this.#reconnecting = false;
      const info: ReconnectInfo = { host: target.host, port: target.port, resumed };
      this.#events.emit('reconnect', info);
      return info;
    } catch (e) {
      this.#reconnecting = false;
      // #open may have set it since the assignment above, which TypeScript's narrowing does not see.
      const link = this.#link as MiningLink | undefined;
      this.#link = undefined;
      const error = e instanceof StratumSdkError ? e : new ConnectError('the reconnect failed', { cause: e });
      link?.close(error instanceof ClosedError ? error : new ClosedError(`the reconnect failed: ${error.message}`, { cause: error }));
      if (!this.#closedByUser) this.#events.emit('close', error);
      throw error;
    }
  }

  /** Configure, subscribe (resuming when possible) and authorize again on the new connection. Returns whether it resumed. */
  async #replay(previous: { extranonce1: string | undefined; sessionId: string | undefined }): Promise<boolean> {
    const configure = this.#configureParams;
    this.#configureParams = undefined;
    if (configure) await this.#configure(configure as MiningConfigureParams);
    // A connection that did not negotiate version rolling has none, whatever the old one had.
    if (!this.#configureParams) this.#state.configured(undefined);

    const userAgent = this.#userAgent ?? this.#agent;
    let resumedWith: string | undefined;
    if (previous.sessionId !== undefined) {
      try {
        await this.#call('mining.subscribe', [userAgent, previous.sessionId], {});
        resumedWith = previous.sessionId;
      } catch (e) {
        // cpuminer's rule: a pool that refuses the session id gets a fresh subscribe.
        if (!(e instanceof ServerError)) throw e;
      }
    }
    if (resumedWith === undefined) await this.#call('mining.subscribe', [userAgent], {});
    if (this.#extranonceSubscribed) this.#fireAndForget('mining.extranonce.subscribe', []);
    const workers = [...this.#state.workers];
    await Promise.all(workers.map(([user, password]) => this.#authorize(password === undefined ? [user] : [user, password])));
    return resumedWith !== undefined && previous.extranonce1 !== undefined && previous.extranonce1 === this.#state.extranonce1;
  }

  #wait(ms: number): Promise<void> {
    if (this.#closedByUser) return Promise.reject(new ClosedError('closed by the client'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#cancelWait = undefined;
        resolve();
      }, ms);
      this.#cancelWait = () => {
        clearTimeout(timer);
        this.#cancelWait = undefined;
        reject(new ClosedError('closed by the client'));
      };
    });
  }
}

function positive(name: string, ms: number): number {
  if (!(ms > 0)) throw new RangeError(`${name} must be a positive number of milliseconds (or Infinity), got ${ms}`);
  return ms;
}
