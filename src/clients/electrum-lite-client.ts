// The smallest Electrum client (stratum-sdk/electrum/lite): the connection core and the Electrum rules a
// wallet needs, and nothing it could do without. The same typed wrappers, requests and events as the
// ElectrumClient for its version range, the same handshake, reconnect, keep-alive and renewal of
// subscriptions (a change missed while away is emitted, one already delivered is not); but no checks of
// params, results or notifications against the spec, no method table and not even a list of method names
// (its wrappers make each wire name from the accessors read, see wireTree), no iterators, batches or params
// by name. So a browser bundle holds little more than the core.
import { wireTree } from '../runtime/bind.js';
import { electrumClientRequestRoots, electrumSubscriptionKeys, electrumUnsubscribes } from '../generated/electrum/lite.js';
import type { ElectrumClientApiIn } from '../generated/electrum/client-api.js';
import { asSdkError, type Connection, type Link } from '../runtime/connection.js';
import { asyncDispose } from '../runtime/dispose.js';
import { Emitter } from '../runtime/emitter.js';
import { ClosedError, ProtocolError, ValidationError } from '../runtime/errors.js';
import { excerpt } from '../runtime/bounded-json.js';
import { NO_OPTIONS, type RequestOptions, type ResultCheck } from '../runtime/session.js';
import { sameValue } from '../runtime/same-value.js';
import { compareVersions } from '../runtime/versions.js';
import { electrumConnection } from './electrum-connection.js';
import { checkGenesis, negotiateVersion, normalizeRange } from './electrum-handshake.js';
import { checkedOptions } from './electrum-options.js';
import { scriptHashOf } from './script-keys.js';
import {
  DEFAULT_PROTOCOL_VERSION,
  type ElectrumClientEvents,
  type ElectrumClientOptions,
  type ElectrumClientVersions,
  type ElectrumConnectionInfo,
  type ElectrumDefaultRange,
  type ElectrumDefaultVersions,
  type ElectrumEventName,
  type ElectrumListener,
  type ElectrumParamsIn,
  type ElectrumRequestName,
  type ElectrumResultIn,
  type ElectrumVersionRange,
  type ElectrumVersionsFrom,
} from './electrum-types.js';

/** The ElectrumClient's options without those of the checks, iterators and registries the lite client has not. */
export type LiteElectrumClientOptions<R extends ElectrumVersionRange = ElectrumVersionRange> = Omit<
  ElectrumClientOptions<R>,
  'validate' | 'validators' | 'protocol' | 'notificationBuffer'
>;


type AnyEvents = ElectrumClientEvents<string>;
type ElectrumLink = Link<ElectrumConnectionInfo>;

/** One subscription the client keeps and renews. */
interface Subscription {
  readonly method: string;
  /** As sent: what a renewal sends again. */
  readonly params: readonly unknown[];
  /** Its key as notifications carry it; undefined where it cannot be known (a script hash without WebCrypto). */
  readonly key: readonly unknown[] | undefined;
  /** The last value delivered: the subscribe's answer, then each notification's. */
  last: unknown;
  /** A renewal is out and nothing newer has come on this key since. */
  renewing: boolean;
}

/** A key param is a string or a number (a script hash, an outpoint's txid and index); anything else matches nothing. */
function idOf(method: string, key: readonly unknown[]): string | undefined {
  return key.every((p) => typeof p === 'string' || typeof p === 'number') ? `${method} ${JSON.stringify(key)}` : undefined;
}

/** Subscriptions' key arity by wire name (-1: keyed by script hash), own names only ("constructor" is none). */
function arityOf(method: string): number | undefined {
  return Object.hasOwn(electrumSubscriptionKeys, method) ? electrumSubscriptionKeys[method] : undefined;
}

/** The typed wrappers of a client speaking the versions V (see ElectrumClientApiIn). */
interface LiteElectrumClient<V = ElectrumDefaultVersions> extends ElectrumClientApiIn<V> {}

/**
 * The smallest Electrum client: typed as the ElectrumClient of its version range (`V`), with its
 * wrappers, `request`, events, reconnect and renewals, and no checks against the spec (see the file's
 * head for what else it leaves out).
 */
class LiteElectrumClient<V = ElectrumDefaultVersions> {
  /** Never set: compares clients of two ranges member by member (see ElectrumClient). */
  readonly #versions?: { readonly [K in V & string]+?: unknown };
  readonly #core: Connection<ElectrumConnectionInfo, ElectrumConnectionInfo>;
  readonly #events = new Emitter<AnyEvents>();
  /** By method and key as notifications carry it (see idOf). */
  readonly #subs = new Map<string, Subscription>();
  /** Script hashes by scriptPubKey, for subscriptions whose notifications name the script by its hash. */
  readonly #scriptHashes = new Map<string, string>();

  /** Builds a client without connecting, so listeners can be added first; then call `connect()`. */
  constructor(url: string, options: LiteElectrumClientOptions = {}) {
    const range = normalizeRange(options.protocolVersion ?? DEFAULT_PROTOCOL_VERSION);
    const clientName = options.clientName ?? 'stratum-sdk';
    const checked = checkedOptions(options);
    const genesisHash = checked.genesisHash;
    this.#core = electrumConnection(url, options, checked, this.#events, {
      handshake: async (link) => {
        const info = await negotiateVersion(link.session, clientName, range);
        link.info = info;
        if (genesisHash) await checkGenesis(link.session, info.protocolVersion, genesisHash);
        return { info, check: (method, params, result) => this.#answered(method, params, result) };
      },
      renew: (link) => this.#renew(link),
      notification: (method, params) => this.#notified(method, params),
    });
    Object.assign(this, wireTree(electrumClientRequestRoots, (method, params) => this.#call(method, params, NO_OPTIONS)));
  }

  /**
   * Connects to `tcp://`, `tls://` (alias `ssl://`), `ws://` or `wss://` host:port, negotiates the
   * protocol version and resolves once the server has answered server.version within the client's range.
   */
  static async connect<const R extends ElectrumVersionRange = ElectrumDefaultRange>(
    url: string,
    options: LiteElectrumClientOptions<R> = {},
  ): Promise<LiteElectrumClient<ElectrumClientVersions<R>>> {
    const client = new LiteElectrumClient<ElectrumClientVersions<R>>(url, options);
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

  /** The negotiated protocol version, as the server wrote it. Throws before the first connection. */
  get protocolVersion(): string {
    return this.#connected().protocolVersion;
  }

  /** Whether the negotiated version is `version` or later (a type guard, as ElectrumClient's). */
  supports<const T extends string>(version: T): this is LiteElectrumClient<ElectrumVersionsFrom<V, T>> {
    const negotiated = this.#core.info?.protocolVersion;
    return negotiated !== undefined && compareVersions(negotiated, version) >= 0;
  }

  /** Any client request by wire name, typed from the spec for the client's versions; params positional. */
  request<M extends ElectrumRequestName>(method: M, params: ElectrumParamsIn<M, V>, options: RequestOptions = {}): Promise<ElectrumResultIn<M, V>> {
    return this.#call(method, params as readonly unknown[], options) as Promise<ElectrumResultIn<M, V>>;
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

  /** Closes the connection for good; pending requests reject with a ClosedError. Resolves once the socket has closed. */
  close(): Promise<void> {
    return this.#core.close();
  }

  /** `await using client = ...` closes the client when the scope ends. */
  [asyncDispose](): Promise<void> {
    return this.close();
  }

  async #call(method: string, params: readonly unknown[], options: RequestOptions): Promise<unknown> {
    // Params by name would need the method table to find a subscription's key in them.
    if (!Array.isArray(params)) throw new ValidationError(method, 'params', ['params: the lite client sends params as a list']);
    // A subscription whose notifications name the script by its hash: the hash is worked out before it is
    // sent, so its notifications can be matched as soon as they come. It is kept while a subscription
    // uses it (an unsubscribe's answer drops it), so not after a subscribe that failed.
    const script = params[0];
    if (arityOf(method) !== -1 || typeof script !== 'string' || this.#scriptHashes.has(script)) return this.#core.request(method, params, options);
    const hash = await scriptHashOf(script);
    if (hash !== undefined) this.#scriptHashes.set(script, hash);
    try {
      return await this.#core.request(method, params, options);
    } catch (e) {
      const id = this.#idOf(method, -1, params);
      if (id === undefined || !this.#subs.has(id)) this.#scriptHashes.delete(script);
      throw e;
    }
  }

  /** A subscription's key as its notifications carry it: the key params as sent, or the script's hash. */
  #keyOf(method: string, arity: number, params: readonly unknown[]): readonly unknown[] | undefined {
    if (arity >= 0) return params.slice(0, arity);
    const hash = typeof params[0] === 'string' ? this.#scriptHashes.get(params[0]) : undefined;
    return hash === undefined ? undefined : [hash];
  }

  /** Where a subscription is kept: by its notifications' key, or (unmatched) by the params as sent. */
  #idOf(method: string, arity: number, params: readonly unknown[]): string | undefined {
    const key = this.#keyOf(method, arity, params);
    return key === undefined ? idOf(`${method} sent`, params.slice(0, 1)) : idOf(method, key);
  }

  /**
   * Every answer on a link, as the session reads it (in wire order with the notifications around it): a
   * subscribe's is kept as its last value, an unsubscribe ends what it names.
   */
  #answered(method: string, params: readonly unknown[], result: unknown): void {
    if (!Array.isArray(params)) return;
    const arity = arityOf(method);
    if (arity !== undefined) {
      const id = this.#idOf(method, arity, params);
      if (id === undefined) return;
      const sub = this.#subs.get(id);
      if (sub === undefined) this.#subs.set(id, { method, params: [...params], key: this.#keyOf(method, arity, params), last: result, renewing: false });
      else this.#settle(sub, result);
      return;
    }
    const ended = Object.hasOwn(electrumUnsubscribes, method) ? electrumUnsubscribes[method] : undefined;
    const endedArity = ended === undefined ? undefined : arityOf(ended);
    if (ended === undefined || endedArity === undefined) return;
    const id = this.#idOf(ended, endedArity, params);
    if (id !== undefined) this.#subs.delete(id);
    if (endedArity === -1 && typeof params[0] === 'string') this.#scriptHashes.delete(params[0]);
  }

  /**
   * A fresh answer for a kept subscription: while its renewal is out and nothing newer came, a value that
   * differs from the last one delivered is the change missed while away, and is emitted as a notification.
   */
  #settle(sub: Subscription, value: unknown): void {
    const missed = sub.renewing && !sameValue(sub.last, value);
    sub.renewing = false;
    sub.last = value;
    if (missed && sub.key !== undefined) this.#events.emitArgs(sub.method as keyof AnyEvents, [...sub.key, value] as never);
  }

  /** Sends every kept subscription again on a fresh connection; their answers are settled as they are read. */
  #renew(link: ElectrumLink): void {
    // One check for every renewal: an answer read after yet another reconnect is old news.
    const renewed: ResultCheck = (method, params, value) => {
      if (this.#core.link !== link) return;
      const arity = arityOf(method) as number;
      const id = this.#idOf(method, arity, params);
      const sub = id === undefined ? undefined : this.#subs.get(id);
      if (sub?.renewing) this.#settle(sub, value);
    };
    for (const [id, sub] of this.#subs) {
      sub.renewing = true;
      link.session.request(sub.method, sub.params, NO_OPTIONS, renewed).catch((e: unknown) => {
        // Refused (a server's limit, say): dropped, and said, unless the client or a newer link moved on.
        if (this.#core.link !== link || this.#subs.get(id) !== sub) return;
        this.#subs.delete(id);
        this.#events.emit('subscription-lost', sub.method, sub.params, asSdkError(e));
      });
    }
  }

  /**
   * A server notification: a subscription's (its params the key, then the value) is passed to its
   * listeners and kept as its key's last value. Any other is a protocol error: no event of another name
   * (a lifecycle one) can be raised by a server.
   */
  #notified(method: string, params: unknown[] | Record<string, unknown>): void {
    const arity = arityOf(method);
    // Headers have no key (one param, the header); a script-hash subscription's key is its one hash.
    const keyLength = arity === undefined ? 0 : arity < 0 ? 1 : arity;
    const problem =
      arity === undefined
        ? `a notification ${excerpt(method, 80)}, which is no subscription's`
        : !Array.isArray(params) || params.length !== keyLength + 1
          ? `a ${method} notification must carry ${keyLength + 1} params`
          : undefined;
    if (problem !== undefined) {
      this.#events.emit('protocol-error', new ProtocolError('invalid-message', problem, excerpt(params, 200)));
      return;
    }
    const list = params as unknown[];
    const id = idOf(method, list.slice(0, keyLength));
    const sub = id === undefined ? undefined : this.#subs.get(id);
    if (sub !== undefined) {
      sub.last = list[keyLength];
      sub.renewing = false;
    }
    this.#events.emitArgs(method as keyof AnyEvents, list as never);
  }

  #connected(): ElectrumConnectionInfo {
    const info = this.#core.info;
    if (!info) throw new ClosedError('not connected yet: the client has not negotiated a protocol version');
    return info;
  }
}

export { LiteElectrumClient };
