// The Stratum V1 mining client: its protocol rules on the connection core (runtime/connection.ts). One pool
// connection speaking JSON-RPC 1.0 as pools do, typed wrappers bound from the generated tree, the session
// state (extranonce, difficulty, version mask, jobs, workers) kept and evented, server requests answered,
// and the session resumed on a new connection: after client.reconnect, reconnect(), or a drop.
import { bindMiningClientApi, miningClientTree } from '../generated/mining/client-api.js';
import type { ClientReconnectNotification, MiningConfigureResult, MiningMethods, MiningSubscribeParams } from '../generated/mining/types.js';
import { answer } from '../runtime/answer.js';
import { excerpt } from '../runtime/bounded-json.js';
import { resolveBackoff } from '../runtime/backoff.js';
import { Connection } from '../runtime/connection.js';
import { reconnect } from '../runtime/reconnect.js';
import { asyncDispose } from '../runtime/dispose.js';
import { Emitter } from '../runtime/emitter.js';
import { ClosedError, ConnectError, ProtocolError, TimeoutError, ValidationError } from '../runtime/errors.js';
import { DEFAULT_REQUEST_TIMEOUT, type RequestOptions } from '../runtime/session.js';
import { parsePoolUrl, type PoolEndpoint } from './mining-endpoint.js';
import { miningValidators } from '../generated/mining/validators/index.js';
import { MiningInbound } from './mining-inbound.js';
import { miningRegistry } from './mining-registry.js';
import { MiningReplies } from './mining-replies.js';
import { MiningRequests, type PoolLink } from './mining-requests.js';
import { MiningResume } from './mining-resume.js';
import { MiningRoute } from './mining-route.js';
import { MiningState } from './mining-state.js';
import {
  DEFAULT_MAX_RECONNECT_WAIT,
  DEFAULT_MINING_AGENT,
  DEFAULT_OPTIONAL_REPLY_TIMEOUT,
  type MiningClientWrappers,
  type MiningClientEvents,
  type MiningClientOptions,
  type MiningJob,
  type MiningRequestName,
  type MiningResult,
  type MiningStartOptions,
  type MiningStartResult,
  type MiningSubscribeTriple,
  type MiningSubscription,
  type ReconnectInfo,
  type ReconnectTarget,
} from './mining-types.js';

export { DEFAULT_MAX_RECONNECT_WAIT, DEFAULT_MINING_AGENT, DEFAULT_OPTIONAL_REPLY_TIMEOUT };
export type { MiningClientWrappers };

interface MiningClient extends MiningClientWrappers {}

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
class MiningClient {
  readonly #events = new Emitter<MiningClientEvents>();
  readonly #state: MiningState;
  readonly #resume = new MiningResume();
  readonly #core: Connection<PoolLink, ReconnectInfo>;
  readonly #agent: string;
  readonly #optionalTimeout: number;
  readonly #validate: boolean;
  readonly #route: MiningRoute;
  readonly #requests: MiningRequests;

  protected constructor(endpoint: PoolEndpoint, options: MiningClientOptions) {
    this.#agent = options.agent ?? DEFAULT_MINING_AGENT;
    const timeout = positive('timeout', options.timeout ?? DEFAULT_REQUEST_TIMEOUT);
    this.#optionalTimeout = positive('optionalReplyTimeout', options.optionalReplyTimeout ?? DEFAULT_OPTIONAL_REPLY_TIMEOUT);
    const route = (this.#route = new MiningRoute(endpoint, options));
    const backoff = options.reconnect ? resolveBackoff(options.reconnect === true ? {} : options.reconnect) : undefined;
    this.#validate = options.validate ?? true;
    if (options.protocol && options.validators) throw new TypeError('protocol and validators: a registry of your own carries its validators; give one or the other');
    const protocol = options.protocol ?? miningRegistry(options.validators);
    if (protocol.protocol !== 'mining') throw new TypeError(`protocol: a mining client needs a mining registry, not an ${protocol.protocol} one`);
    const events = this.#events;
    const state = (this.#state = new MiningState((event, ...args) => events.emit(event, ...args), options.maxJobs));
    const inbound = new MiningInbound(protocol, state, events, this.#agent, this.#validate, (params) => this.#reconnectRequested(params));
    const observer = {
      result: (method: string, params: readonly unknown[], result: unknown) => this.#observed(method, params, result),
      refused: (worker: string) => state.authorized(worker, undefined, false),
    };
    this.#core = new Connection<PoolLink, ReconnectInfo>({
      connector: (handlers) => route.connector()(handlers),
      backoff,
      keepAlive: false,
      // A share for a job of the lost connection is worth nothing on the next: fail at once.
      whileReconnecting: 'reject',
      rules: {
        dialect: '1.0',
        timeout,
        parse: { maxDepth: options.maxMessageDepth },
        // Nothing is sent until start() or the wrappers.
        handshake: async () => {
          const replies = new MiningReplies(protocol, this.#validate, observer);
          return { info: { endpoint: route.dialing, replies }, check: replies };
        },
        renew: (link) => this.#renew(link.info as PoolLink),
        fatal: (error) => error.code === 'TLS',
        notification: (method, params) => inbound.notification(method, params),
        request: (request, link) => void answer(link.session, request, (method, params) => inbound.request(method, params)),
        protocolError: (error) => events.emit('protocol-error', error),
      },
      events: {
        disconnect: (error) => {
          this.#resume.note(state);
          state.newConnection();
          events.emit('disconnect', error);
        },
        reconnecting: (attempt) => events.emit('reconnecting', attempt),
        reconnect: (info) => events.emit('reconnect', info),
        close: (error) => events.emit('close', error),
      },
    });
    const requests = (this.#requests = new MiningRequests(protocol, this.#core, this.#validate, this.#optionalTimeout));
    Object.assign(this, bindMiningClientApi((method, params) => requests.call(method, params)));
  }

  /**
   * Connects to `stratum+tcp://host:port`, `stratum+ssl://host:port` or `stratum+tls://host:port` (or through
   * `options.connector`). Resolves once the connection is open; nothing is sent until you call `start()` or
   * the wrappers. Rejects with ConnectError (bad URL, unreachable) or TlsError (certificate refused).
   */
  static async connect(url: string, options: MiningClientOptions = {}): Promise<MiningClient> {
    // `this`: the class it is called on, the lean one or the one that validates every method.
    const client = new this(parsePoolUrl(url), options);
    await client.#core.connect();
    return client;
  }

  /** Any client request by wire name, typed from the spec. */
  request<M extends MiningRequestName>(method: M, params: MiningMethods[M]['params'], options: RequestOptions = {}): Promise<MiningResult<M>> {
    return this.#requests.call(method, params, options) as Promise<MiningResult<M>>;
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
    // The difficulty suggestion is the request behind the mining.suggestDifficulty wrapper.
    const suggest = miningClientTree.mining.suggestDifficulty;
    const plan: [string, readonly unknown[] | undefined][] = [
      ['mining.configure', options.configure],
      ['mining.subscribe', subscribe],
      ['mining.authorize', authorize],
      [suggest, options.suggestDifficulty === undefined ? undefined : [options.suggestDifficulty]],
    ];
    const requests = this.#requests;
    for (const [method, params] of plan) if (params) requests.checkParams(method, params);

    const configuring = options.configure ? requests.configure(options.configure) : undefined;
    // Its outcome is awaited at the end; this branch only keeps an early failure from being reported as unhandled.
    void configuring?.catch(() => undefined);
    await requests.call('mining.subscribe', subscribe);
    const subscription = this.#state.subscription;
    if (!subscription) throw new ValidationError('mining.subscribe', 'result', ['not a subscription triple']);
    if (options.extranonceSubscribe) requests.fireAndForget('mining.extranonce.subscribe', []);
    await requests.authorize(authorize);
    if (options.suggestDifficulty !== undefined) requests.fireAndForget(suggest, [options.suggestDifficulty]);
    return { subscription, configure: await configuring };
  }

  /**
   * Reconnects, as client.reconnect asks: closes this connection (pending requests reject with a ClosedError),
   * waits `waitSeconds` (cut to `maxReconnectWait`), connects to `host`:`port` (default: the current ones),
   * replays mining.configure, resumes with mining.subscribe [agent, sessionId] (falling back to a fresh
   * subscribe when the pool refuses the session id), and authorizes every worker again. Also works after the
   * pool dropped the connection. A target on another host is refused with a ConnectError unless
   * `allowRedirect` allows it: plain Stratum is unauthenticated, and a forged or compromised reconnect would
   * otherwise send the hash power anywhere. When the reconnect fails (every attempt, with the `reconnect`
   * option) the client is closed ('close' event).
   */
  async reconnect(target: Partial<ReconnectTarget> = {}): Promise<ReconnectInfo> {
    if (this.#core.closedByUser) throw new ClosedError('closed by the client');
    if (this.#core.reconnecting) throw new ConnectError('a reconnect is already under way');
    return this.#reconnect(this.#route.asked(target));
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
    return this.#route.current.host;
  }
  get port(): number {
    return this.#route.current.port;
  }
  get pendingRequests(): number {
    return this.#core.pendingCount;
  }
  get reconnecting(): boolean {
    return this.#core.reconnecting;
  }
  /** No connection and none being made. */
  get closed(): boolean {
    return this.#core.state === 'closed';
  }

  /**
   * Closes the connection for good (a reconnect under way stops); pending requests reject with a ClosedError.
   * The promise resolves once the socket has closed; nothing needs to wait for it.
   */
  close(): Promise<void> {
    return this.#core.close();
  }

  /** `await using miner = ...` closes the client when the scope ends. */
  [asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Replies and reconnects

  /** A spec-valid result that changes the session, as the session reads it. */
  #observed(method: string, params: readonly unknown[], result: unknown): void {
    this.#resume.observed(method, params, result);
    if (method === 'mining.subscribe') this.#state.subscribed(result as MiningSubscribeTriple);
    else if (method === 'mining.authorize') this.#state.authorized(params[0] as string, params[1] as string | undefined, result === true);
    else if (method === 'mining.configure') this.#state.configured(result as MiningConfigureResult);
  }

  /** A new connection after a drop or a reconnect asked for: the session replayed on it. */
  async #renew(link: PoolLink): Promise<ReconnectInfo> {
    this.#route.arrived(link.endpoint);
    const resumed = await this.#resume.replay(this.#requests, this.#state, this.#agent);
    return { host: link.endpoint.host, port: link.endpoint.port, resumed };
  }

  #reconnectRequested([host, port, wait]: ClientReconnectNotification): void {
    const request = this.#route.requested(host, port, wait, this.#core.reconnecting);
    if (!request) {
      // The spec's port allows 0 and "99999"; neither can be connected to.
      this.#events.emit('protocol-error', new ProtocolError('invalid-message', `client.reconnect to port ${excerpt(port, 40)}, which cannot be connected to`, excerpt([host, port, wait])));
      return;
    }
    // A copy: what a listener does to it does not change where the client goes.
    this.#events.emit('reconnect-request', { ...request });
    // A failure is reported through 'close'.
    if (request.decision === 'follow') void this.#reconnect(request).catch(() => undefined);
  }

  #reconnect(target: ReconnectTarget): Promise<ReconnectInfo> {
    this.#resume.note(this.#state);
    this.#route.goTo(target);
    // The old connection's jobs cannot be submitted on the new one.
    this.#state.newConnection();
    return reconnect(this.#core, target.waitSeconds * 1000);
  }
}

function positive(name: string, ms: number): number {
  if (!(ms > 0)) throw new RangeError(`${name} must be a positive number of milliseconds (or Infinity), got ${ms}`);
  return ms;
}

/**
 * The client of stratum-sdk/mining: every method's validators by default (a bundle holds them all);
 * `validators` in the options chooses otherwise.
 */
const MiningClientBase = MiningClient;
const ValidatingMiningClient = class MiningClient extends MiningClientBase {
  static override async connect(url: string, options: MiningClientOptions = {}): Promise<MiningClient> {
    return MiningClientBase.connect.call(this, url, options.validators === undefined && options.protocol === undefined ? { ...options, validators: miningValidators } : options);
  }
};
const PublicMiningClient: typeof MiningClient = ValidatingMiningClient;
type PublicMiningClient = MiningClient;
export { PublicMiningClient as MiningClient };

/**
 * The client of stratum-sdk/mining/lean: the same client, carrying the session's validators and those given
 * as `validators` only, so a bundle that imports it and not the full one holds no others.
 */
const LeanMiningClient: typeof MiningClient = MiningClient;
type LeanMiningClient = MiningClient;
export { LeanMiningClient };
