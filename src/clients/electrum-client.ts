// The Electrum client: its protocol rules on the connection core (runtime/connection.ts). server.version
// first, typed wrappers bound from the generated tree, results validated against the spec for the
// negotiated version as the session reads them, subscriptions kept across reconnects. Its types follow
// the version range it speaks (electrum-types.ts): a client of ['1.4', '1.6'] has the methods, params and
// result shapes of those versions only.
import { bindElectrumClientApi, type ElectrumClientApiIn } from '../generated/electrum/client-api.js';
import { electrumProtocol } from '../generated/electrum/methods.js';
import { checkCoverage, electrumRegistry, specCheck } from './electrum-registry.js';
import type { ElectrumServerNotifications } from '../generated/electrum/types.js';
import type { Connection, Link } from '../runtime/connection.js';
import { asyncDispose } from '../runtime/dispose.js';
import { Emitter } from '../runtime/emitter.js';
import { ClosedError } from '../runtime/errors.js';
import type { ClientRegistry } from '../runtime/registry.js';
import { NO_OPTIONS, type RequestOptions } from '../runtime/session.js';
import type { PendingTable } from '../runtime/pending.js';
import { compareVersions } from '../runtime/versions.js';
import { sendBatch } from './electrum-batch.js';
import { electrumConnection } from './electrum-connection.js';
import { checkGenesis, negotiateVersion, normalizeRange } from './electrum-handshake.js';
import { notificationIterable, subscribeIterable, type IterableClient } from './electrum-iterables.js';
import { bufferLimitOf, checkedOptions } from './electrum-options.js';
import { MethodPlans } from './electrum-plans.js';
import { ElectrumSubscriptions, type NotificationShortcuts } from './electrum-subscriptions.js';
import { electrumShortcuts } from './electrum-status-lines.js';
import {
  DEFAULT_KEEP_ALIVE,
  DEFAULT_NOTIFICATION_BUFFER,
  DEFAULT_PROTOCOL_VERSION,
  type ElectrumBatchCall,
  type ElectrumBatchResults,
  type ElectrumClientConstructor,
  type ElectrumClientEvents,
  type ElectrumClientOptions,
  type ElectrumClientVersions,
  type ElectrumConnectionInfo,
  type ElectrumDefaultRange,
  type ElectrumDefaultVersions,
  type ElectrumEventName,
  type ElectrumListener,
  type ElectrumNamedParamsIn,
  type ElectrumNotificationIn,
  type ElectrumParamsIn,
  type ElectrumRequestName,
  type ElectrumResultIn,
  type ElectrumSubscription,
  type ElectrumSubscriptionName,
  type ElectrumVersionRange,
  type ElectrumVersionsFrom,
  type IterateOptions,
} from './electrum-types.js';

export { DEFAULT_KEEP_ALIVE, DEFAULT_NOTIFICATION_BUFFER, DEFAULT_PROTOCOL_VERSION };
// The client's types are exported from electrum-types.ts, where they are declared.


type ElectrumLink = Link<ElectrumConnectionInfo>;
type AnyEvents = ElectrumClientEvents<string>;

/** The typed wrappers of a client speaking the versions V (see ElectrumClientApiIn). */
interface ElectrumClient<V = ElectrumDefaultVersions> extends ElectrumClientApiIn<V> {}

/**
 * An Electrum client. `V` is the union of the named protocol versions its range spans (see
 * ElectrumClientVersions): `ElectrumClient` alone is a client of the default range ['1.4', '1.6'],
 * `ElectrumClient<string>` one of any range.
 */
class ElectrumClient<V = ElectrumDefaultVersions> {
  /**
   * Never set: it tells the type checker to compare clients of two ranges member by member (a client of a
   * narrower range is a client of a wider one), which it would otherwise refuse by the type argument alone.
   */
  readonly #versions?: { readonly [K in V & string]+?: unknown };
  readonly #core: Connection<ElectrumConnectionInfo, ElectrumConnectionInfo>;
  readonly #events = new Emitter<AnyEvents>();
  readonly #protocol: ClientRegistry<string>;
  readonly #plans: MethodPlans;
  readonly #subs: ElectrumSubscriptions;
  readonly #range: readonly [string, string];
  readonly #clientName: string;
  readonly #validate: boolean;
  readonly #genesisHash: string | undefined;
  readonly #iterables: IterableClient;

  /** Reads the hottest notification from its line, where the client was given the shortcuts. */
  readonly #lineReader: ((text: string, version: string | undefined) => boolean) | undefined;
  readonly #pendingTable: (() => PendingTable) | undefined;

  /**
   * Builds a client without connecting, so listeners can be added first; then call `connect()`.
   * `shortcuts` (internal): the fast notification paths the client of stratum-sdk/electrum passes.
   */
  constructor(url: string, options: ElectrumClientOptions = {}, shortcuts?: NotificationShortcuts) {
    this.#range = normalizeRange(options.protocolVersion ?? DEFAULT_PROTOCOL_VERSION);
    this.#clientName = options.clientName ?? 'stratum-sdk';
    const checked = checkedOptions(options);
    const { genesisHash } = checked;
    const bufferLimit = bufferLimitOf(options);
    this.#validate = options.validate ?? true;
    this.#genesisHash = genesisHash;
    if (this.#validate) checkCoverage(options.validators, this.#range);
    this.#protocol = options.protocol ?? electrumRegistry(options.validators);
    this.#plans = new MethodPlans(this.#protocol, this.#validate);
    const events = this.#events;
    this.#subs = new ElectrumSubscriptions({
      protocol: this.#protocol,
      plans: this.#plans,
      validate: this.#validate,
      bufferLimit,
      shortcuts,
      events,
      current: () => this.#core.link,
    });
    this.#lineReader = shortcuts?.lineReader(this.#subs);
    this.#pendingTable = shortcuts?.pendingTable;
    this.#core = electrumConnection(url, options, checked, events, {
      handshake: (link) => this.#handshake(link),
      // The renewals are sent before this returns; their answers are taken as they arrive.
      renew: (link) => void this.#subs.renew(link),
      notification: (method, params, link) => this.#subs.dispatch(method, params, link.info?.protocolVersion),
      closing: (error) => this.#subs.endAll(error),
    });
    const call = (method: string, params: readonly unknown[], options: RequestOptions) => this.#call(method, params, options);
    this.#iterables = { core: this.#core, protocol: this.#protocol, subs: this.#subs, call };
    Object.assign(this, bindElectrumClientApi((method, params) => call(method, params, NO_OPTIONS)));
  }

  /**
   * Connects to `tcp://`, `tls://` (alias `ssl://`), `ws://` or `wss://` host:port, negotiates the
   * protocol version and resolves once the server has answered server.version within the client's range.
   */
  static async connect<const R extends ElectrumVersionRange = ElectrumDefaultRange>(
    url: string,
    options: ElectrumClientOptions<R> = {},
  ): Promise<ElectrumClient<ElectrumClientVersions<R>>> {
    // `this`: the class it is called on, the lean one or the one that validates every method.
    const client = new (this as unknown as ElectrumClientConstructor)(url, options);
    await client.connect();
    return client;
  }

  /** Opens the first connection. A failure here is not retried: it rejects, and the client is closed. */
  async connect(): Promise<void> {
    await this.#core.connect();
  }

  /** The server software, as it said in server.version. Throws before the first connection. */
  get serverVersion(): string {
    return this.#connected().serverVersion;
  }

  /** The negotiated protocol version, as the server wrote it ("1.4", "1.6.0"). Throws before the first connection. */
  get protocolVersion(): string {
    return this.#connected().protocolVersion;
  }

  /**
   * Whether the negotiated version is `version` or later: false before the first connection. A type
   * guard: where it holds, the client is typed for the versions of its range from `version` on
   * (`if (client.supports('1.4'))` drops the pre-1.4 shapes of a ['1.2', '1.6'] client). A reconnect
   * negotiates again, within the range; ask again after one.
   */
  supports<const T extends string>(version: T): this is ElectrumClient<ElectrumVersionsFrom<V, T>> {
    const negotiated = this.#core.info?.protocolVersion;
    return negotiated !== undefined && compareVersions(negotiated, version) >= 0;
  }

  /**
   * Any client request by wire name, typed from the spec for the client's versions. Params are positional
   * (a list) or, as JSON-RPC 2.0 allows, by name (an object: `{ height: 1, cp_height: 121 }`), sent as
   * they are given and checked as the positional params they stand for.
   */
  request<M extends ElectrumRequestName>(
    method: M,
    params: ElectrumParamsIn<M, V> | ElectrumNamedParamsIn<M, V>,
    options: RequestOptions = {},
  ): Promise<ElectrumResultIn<M, V>> {
    return this.#call(method, params as readonly unknown[] | Readonly<Record<string, unknown>>, options) as Promise<ElectrumResultIn<M, V>>;
  }

  /**
   * Sends several requests as one JSON-RPC batch. Resolves when every call has settled, each with its
   * own result or error (the batch itself never rejects for one call's failure).
   */
  async batch<const C extends readonly ElectrumBatchCall<V>[]>(calls: C, options: RequestOptions = {}): Promise<ElectrumBatchResults<C, V>> {
    return (await sendBatch(this.#core, this.#plans, calls, options)) as ElectrumBatchResults<C, V>;
  }

  /**
   * Subscribes and returns an async iterable of the subscription's later notifications (typed params,
   * as the events carry them); `initial` is the value the subscribe call answered with.
   */
  async subscribe<M extends ElectrumSubscriptionName>(
    method: M,
    params: ElectrumParamsIn<M, V>,
    options: RequestOptions = {},
  ): Promise<ElectrumSubscription<M, V>> {
    return (await subscribeIterable(this.#iterables, method, params as readonly unknown[], options)) as ElectrumSubscription<M, V>;
  }

  /** Every later notification of one kind (all script hashes, say) as an async iterable. */
  notifications<M extends keyof ElectrumServerNotifications>(
    method: M extends keyof ElectrumClientEvents<V> ? M : never,
    options: IterateOptions = {},
  ): AsyncIterableIterator<ElectrumNotificationIn<M, V>> {
    return notificationIterable(this.#iterables, method, options) as unknown as AsyncIterableIterator<ElectrumNotificationIn<M, V>>;
  }

  /** Listens to a notification (by wire name, with its typed params) or a lifecycle event. Returns the remover. */
  on<E extends ElectrumEventName>(event: E, listener: ElectrumListener<E, V>): () => void {
    return this.#events.on(event as keyof AnyEvents, listener as never);
  }

  once<E extends ElectrumEventName>(event: E, listener: ElectrumListener<E, V>): () => void {
    return this.#events.once(event as keyof AnyEvents, listener as never);
  }

  off<E extends ElectrumEventName>(event: E, listener: ElectrumListener<E, V>): void {
    this.#events.off(event as keyof AnyEvents, listener as never);
  }

  /** Requests waiting for an answer on the current connection. */
  get pendingRequests(): number {
    return this.#core.pendingCount;
  }

  /** Subscriptions the client keeps (and renews after a reconnect). */
  get subscriptionCount(): number {
    return this.#subs.size;
  }

  get state(): 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' {
    return this.#core.state;
  }

  get closed(): boolean {
    return this.#core.state === 'closed';
  }

  /**
   * Closes the connection for good; pending requests reject with a ClosedError and iterators end. The
   * promise resolves once the socket has closed; nothing needs to wait for it.
   */
  close(): Promise<void> {
    return this.#core.close();
  }

  /** `await using client = ...` closes the client when the scope ends. */
  [asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Params by name (an object) are sent as they are, JSON-RPC 2.0's by-name params; the session keeps
   * them as sent, and the result check reads them as the positional params they stand for.
   */
  #call(method: string, params: readonly unknown[] | Readonly<Record<string, unknown>>, options: RequestOptions): Promise<unknown> {
    const invalid = this.#plans.checkParams(method, params, this.#core.info?.protocolVersion);
    if (invalid) return Promise.reject(invalid);
    // A subscription whose notifications name the script by its hash: the hash is worked out before it is
    // sent, so its notifications can be matched as soon as they come (see script-keys.ts).
    if (this.#plans.plan(method, this.#core.info?.protocolVersion).keyedByScriptHash) {
      const positional = params as readonly unknown[];
      return this.#subs.prepareScript(method, positional).then(() =>
        this.#core.request(method, positional, options).catch((e: unknown) => {
          this.#subs.scriptSubscribeFailed(method, positional);
          throw e;
        }),
      );
    }
    return this.#core.request(method, params as readonly unknown[], options);
  }

  /** server.version, then the genesis check; every result on the link is then checked for its version. */
  async #handshake(link: ElectrumLink) {
    // The hot notification is read from its line where it comes in its exact wire form (electrum-status-lines.ts).
    const reader = this.#lineReader;
    if (reader !== undefined) link.session.lineReader = (text) => reader(text, link.info?.protocolVersion);
    // Before the first request on the link, while its table is empty.
    if (this.#pendingTable !== undefined) link.session.pendingTable = this.#pendingTable();
    const spec = specCheck(this.#protocol);
    // server.version is checked whatever `validate` says: everything after depends on its two strings.
    const info = await negotiateVersion(link.session, this.#clientName, this.#range, spec);
    // Notifications read from here on are validated for the negotiated version.
    link.info = info;
    const version = info.protocolVersion;
    if (this.#genesisHash) await checkGenesis(link.session, version, this.#genesisHash, this.#validate ? spec : undefined);
    return {
      info,
      check: (method: string, sent: readonly unknown[], result: unknown) => {
        const params = Array.isArray(sent) ? sent : this.#plans.positional(method, sent);
        this.#subs.answered(this.#plans.checkResult(method, params, result, version), method, params, result);
      },
    };
  }

  #connected(): ElectrumConnectionInfo {
    const info = this.#core.info;
    if (!info) throw new ClosedError('not connected yet: the client has not negotiated a protocol version');
    return info;
  }
}

/**
 * The client of stratum-sdk/electrum: it checks every method by default (the full registry, all the
 * validators; a bundle holds them all). `validators` or `protocol` in the options choose otherwise.
 */
const ClientBase = ElectrumClient;
const ValidatingElectrumClient = class ElectrumClient<V = ElectrumDefaultVersions> extends ClientBase<V> {
  constructor(url: string, options: ElectrumClientOptions = {}) {
    super(url, options.validators === undefined && options.protocol === undefined ? { ...options, protocol: electrumProtocol } : options, electrumShortcuts);
  }
};

/** The class, typed by its constructor: `new ElectrumClient(url, { protocolVersion })` infers the client's versions. */
const PublicElectrumClient = ValidatingElectrumClient as unknown as ElectrumClientConstructor;
type PublicElectrumClient<V = ElectrumDefaultVersions> = ElectrumClient<V>;
export { PublicElectrumClient as ElectrumClient };

/**
 * The client of stratum-sdk/electrum/lean: the same client, carrying only the validators given as
 * `validators` (none by default), so a bundle that imports it and not the full one holds no others.
 */
const LeanElectrumClient = ElectrumClient as unknown as ElectrumClientConstructor;
type LeanElectrumClient<V = ElectrumDefaultVersions> = ElectrumClient<V>;
export { LeanElectrumClient };
