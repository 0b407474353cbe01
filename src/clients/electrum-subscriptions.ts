// The Electrum client's subscriptions: the book of what is subscribed (with the last value of each),
// notifications dispatched to listeners and async iterators, and the renewals after a reconnect, which
// emit what changed while the client was away without ever emitting an older value after a newer one.
import type { ElectrumClientEvents, ElectrumConnectionInfo } from './electrum-types.js';
import type { MethodPlan, MethodPlans } from './electrum-plans.js';
import { excerpt } from '../runtime/bounded-json.js';
import { Channel } from '../runtime/channel.js';
import type { Link } from '../runtime/connection.js';
import { asSdkError } from '../runtime/connection.js';
import type { Emitter } from '../runtime/emitter.js';
import { ProtocolError, ValidationError, type StratumSdkError } from '../runtime/errors.js';
import type { ClientMethodInfo, ClientRegistry, VersionedChecks } from '../runtime/registry.js';
import type { ValidationOutcome } from '../runtime/validation.js';
import type { PendingTable } from '../runtime/pending.js';
import { NO_OPTIONS, type ResultCheck } from '../runtime/session.js';
import { sameValue } from '../runtime/same-value.js';
import { PendingRenewals, SubscriptionBook, subscriptionKey, type HexKeyedBook } from '../runtime/subscriptions.js';
import { scriptHashOf } from './script-keys.js';
import type { ShapeCheck } from './electrum-notification-shapes.js';

/** What the subscriptions need from their client. */
export interface SubscriptionsHost {
  readonly protocol: ClientRegistry<string>;
  readonly plans: MethodPlans;
  readonly validate: boolean;
  /** Values an iterator holds for a slow reader. */
  readonly bufferLimit: number;
  readonly events: Emitter<ElectrumClientEvents<string>>;
  /** The current connection: a renewal answered on any other is old news. */
  current(): Link<ElectrumConnectionInfo> | undefined;
  /** The hand-written fast paths (NotificationShortcuts); without them every notification takes the generated checks. */
  readonly shortcuts?: NotificationShortcuts | undefined;
}

/**
 * Fast paths for the hottest notification, given by the client of stratum-sdk/electrum (electrum-status-lines.ts)
 * and left out of the lean one, whose bundle then carries none of them: each gives the outcomes the general path
 * gives (test/clients/notification-shapes.test.ts, status-line.test.ts).
 */
export interface NotificationShortcuts {
  /** A hand-written shape check standing in for the generated one where they agree (fastNotificationCheck). */
  fastCheck(paramNames: readonly string[], check: (value: unknown) => ValidationOutcome): ShapeCheck | undefined;
  /** The shape check a status line read by `lineReader` passes. */
  readonly statusShape: ShapeCheck;
  /** The book such a reader needs: it knows which methods have keys of 64 hex digits only. */
  book(): HexKeyedBook;
  /** A reader of status notifications' lines for these subscriptions (statusLineReading). */
  lineReader(subs: ElectrumSubscriptions): (text: string, version: string | undefined) => boolean;
  /** A pending table for each connection's session that makes nothing per request (PendingRing), for pipelined throughput. */
  pendingTable(): PendingTable;
}

type ElectrumLink = Link<ElectrumConnectionInfo>;

/** One notification method at one protocol version: its MethodInfo (undefined when no server notification of it) and checks. */
export interface NotificationPlan {
  /** The name as the server sent it. */
  readonly wire: string;
  readonly version: string | undefined;
  readonly info: ClientMethodInfo | undefined;
  readonly checks: VersionedChecks | undefined;
  /** Whether the value is also checked against the negotiated version's result shapes. */
  readonly checkValue: boolean;
  /** A hand-written check that accepts the common shape without the generated validator (see electrum-notification-shapes.ts). */
  readonly fast: ShapeCheck | undefined;
}


export class ElectrumSubscriptions {
  readonly #host: SubscriptionsHost;
  readonly #book: SubscriptionBook;
  /** Async iterators by method, then by subscription key ('*' for every notification of the method). */
  readonly #channels = new Map<string, Map<string, Set<Channel<unknown[]>>>>();
  /** While a reconnect's renewals are unanswered: the keys on which nothing has arrived yet. */
  #renewals: PendingRenewals | undefined;
  /** The plan of the last notification method dispatched (see dispatch). */
  #lastNotification: NotificationPlan | undefined;
  /**
   * Subscriptions whose notifications name their key by script hash (1.7's blockchain.scriptpubkey.subscribe):
   * by method, the scriptPubKey subscribed under each script hash. One entry a subscription in the book.
   */
  readonly #scriptKeys = new Map<string, Map<string, string>>();
  /**
   * Script hashes by scriptPubKey: worked out before a subscribe is sent (prepareScript), kept while the
   * subscription is, and dropped when it ends or its subscribe fails.
   */
  readonly #scriptHashes = new Map<string, string>();

  constructor(host: SubscriptionsHost) {
    this.#host = host;
    this.#book = host.shortcuts?.book() ?? new SubscriptionBook();
  }

  get size(): number {
    return this.#book.size;
  }

  has(method: string, arity: number, params: readonly unknown[]): boolean {
    return this.#book.has(method, arity, params);
  }

  /** The last value kept for a subscription (undefined when none). */
  value(method: string, arity: number, params: readonly unknown[]): unknown {
    return this.#book.value(method, arity, params);
  }

  remove(method: string, arity: number, params: readonly unknown[]): void {
    this.#book.remove(method, arity, params);
    this.#forgetScriptKey(method, params);
  }

  /** A validated result, as the session reads it: keeps the book in step with subscribes and unsubscribes. */
  answered(plan: MethodPlan, method: string, params: readonly unknown[], result: unknown): void {
    if (plan.subscribeArity !== undefined) {
      const renewals = this.#renewals;
      if (renewals !== undefined) this.#answeredWhileRenewing(renewals, method, plan.subscribeArity, params, result);
      this.#book.record(method, plan.subscribeArity, params, result);
      this.#noteScriptKey(method, params);
    } else if (plan.ends) this.remove(plan.ends.method, plan.ends.arity, params);
  }

  #keyedByScriptHash(method: string): boolean {
    return this.#host.plans.plan(method, this.#host.current()?.info?.protocolVersion).keyedByScriptHash;
  }

  /** Remembers which script hash a scriptPubKey subscription's notifications will name (see #scriptKeys). */
  #noteScriptKey(method: string, params: readonly unknown[]): void {
    const script = params[0];
    if (typeof script !== 'string' || !this.#keyedByScriptHash(method)) return;
    const note = (hash: string | undefined) => {
      // Ended before its hash was worked out (a subscribe sent in a batch): nothing to map.
      if (hash === undefined || !this.#book.has(method, 1, params)) return;
      this.#scriptHashes.set(script, hash);
      let byHash = this.#scriptKeys.get(method);
      if (!byHash) this.#scriptKeys.set(method, (byHash = new Map()));
      byHash.set(hash, script);
    };
    const known = this.#scriptHashes.get(script);
    if (known !== undefined) note(known);
    else void scriptHashOf(script).then(note);
  }

  /**
   * Works out the script hash of a subscription keyed by script hash in its notifications, before its
   * subscribe is sent, so its first notification is matched.
   */
  async prepareScript(method: string, params: readonly unknown[]): Promise<void> {
    const script = params[0];
    if (typeof script !== 'string' || this.#scriptHashes.has(script) || !this.#keyedByScriptHash(method)) return;
    const hash = await scriptHashOf(script);
    if (hash !== undefined) this.#scriptHashes.set(script, hash);
  }

  /** After a subscribe that failed: its prepared hash goes unless a subscription of that script remains. */
  scriptSubscribeFailed(method: string, params: readonly unknown[]): void {
    const script = params[0];
    if (typeof script === 'string' && !this.#book.has(method, 1, params)) this.#scriptHashes.delete(script);
  }

  #forgetScriptKey(method: string, params: readonly unknown[]): void {
    const byHash = this.#scriptKeys.get(method);
    const script = params[0];
    if (byHash === undefined || typeof script !== 'string') return;
    const hash = this.#scriptHashes.get(script);
    if (hash !== undefined && byHash.get(hash) === script) byHash.delete(hash);
    this.#scriptHashes.delete(script);
  }

  /** A value for `keyParams` as its notification carries it: the script hash in place of a scriptPubKey key. */
  #wireParams(method: string, keyParams: readonly unknown[], value: unknown): unknown[] {
    const script = keyParams[0];
    if (typeof script === 'string' && this.#scriptKeys.has(method)) {
      const hash = this.#scriptHashes.get(script);
      if (hash !== undefined) return [hash, value];
    }
    return [...keyParams, value];
  }

  /**
   * A subscribe answered on a fresh connection before the renewal of the same subscription: it is the
   * first word on what changed while away (the renewal's answer, when it comes, is dropped), so a change
   * is emitted here, or listeners of the subscription would never hear of it.
   */
  #answeredWhileRenewing(renewals: PendingRenewals, method: string, arity: number, params: readonly unknown[], result: unknown) {
    const keyParams = params.slice(0, arity);
    if (!renewals.take(method, subscriptionKey(keyParams)) || !this.#book.has(method, arity, keyParams)) return;
    if (!sameValue(this.#book.value(method, arity, keyParams), result)) this.#deliver(method, this.#wireParams(method, keyParams, result), arity, [...keyParams, result]);
  }

  /**
   * Renews every subscription on a fresh connection and emits what changed while disconnected. The
   * renewals are all sent before it first yields.
   *
   * Answers are taken as the session reads them (in a result check), in wire order with the
   * notifications around them: awaiting them instead would let the later messages of the same read go
   * first. An answer is compared with the value stored when it is read, which any notification read
   * before it has already updated, and only if nothing arrived on its key first (see PendingRenewals).
   */
  async renew(link: ElectrumLink): Promise<void> {
    const version = (link.info as ElectrumConnectionInfo).protocolVersion;
    const pending = new PendingRenewals();
    this.#renewals = pending;
    // One check for every renewal: no closure per subscription renewed.
    const renewed: ResultCheck = (method, params, fresh) => this.#renewed(link, pending, method, params, fresh);
    const renewals = [...this.#book.entries()].map(async ({ method, params }) => {
      const info = this.#host.protocol.get(method);
      if (!info) return;
      const arity = info.subscriptionKey ?? 0;
      try {
        const invalid = this.#host.plans.checkParams(method, params, version);
        if (invalid) throw invalid;
        pending.add(method, subscriptionKey(params.slice(0, arity)));
        await link.session.request(method, params, NO_OPTIONS, renewed);
      } catch (e) {
        // Dropped again: the next reconnect renews it. Ended by the user meanwhile: nothing is lost.
        if (link !== this.#host.current() || !this.#book.has(method, arity, params)) return;
        this.remove(method, arity, params);
        this.#endChannels(method, subscriptionKey(params.slice(0, arity)), asSdkError(e));
        this.#host.events.emit('subscription-lost', method, params, asSdkError(e));
      }
    });
    try {
      await Promise.all(renewals);
    } finally {
      if (this.#renewals === pending) this.#renewals = undefined;
    }
  }

  /** A renewal's answer, as the session reads it; throwing refuses it (the renewal then fails). */
  #renewed(link: ElectrumLink, pending: PendingRenewals, method: string, params: readonly unknown[], fresh: unknown) {
    const plan = this.#host.plans.checkResult(method, params, fresh, (link.info as ElectrumConnectionInfo).protocolVersion);
    const arity = plan.subscribeArity ?? 0;
    const keyParams = params.slice(0, arity);
    // Something read before it on this key is newer; a subscription ended meanwhile emits nothing.
    if (!pending.take(method, subscriptionKey(keyParams)) || link !== this.#host.current() || !this.#book.has(method, arity, keyParams)) return;
    if (!sameValue(this.#book.value(method, arity, keyParams), fresh)) this.#deliver(method, this.#wireParams(method, keyParams, fresh), arity, [...keyParams, fresh]);
  }

  /**
   * A notification from the server, checked against the spec at the connection's version. A subscription's
   * value comes in the same form as its result (the key params, then the new value), so where the result's
   * shape depends on the version it is also checked against the shapes of the negotiated one: a 1.4
   * connection's header notification is {height, hex}, as the client's types say.
   */
  dispatch(method: string, params: unknown[] | Record<string, unknown>, version: string | undefined): void {
    const host = this.#host;
    const plan = this.notificationPlan(method, version);
    const info = plan.info;
    if (info === undefined) {
      host.events.emit('protocol-error', new ProtocolError('unexpected-notification', `a notification ${excerpt(method, 80)}, which the spec has no server notification of`, excerpt(params)));
      return;
    }
    // The spec's own string for the name: the maps below find it without hashing the one just parsed.
    const name = info.method;
    if (host.validate && (plan.fast === undefined || !plan.fast(params))) {
      const checks = plan.checks as VersionedChecks;
      let check = (checks.validateNotification as (value: unknown) => ValidationOutcome)(params);
      if (check.valid && plan.checkValue && Array.isArray(params)) check = checks.validateResult(params[params.length - 1]);
      if (!check.valid) {
        host.events.emit('protocol-error', new ValidationError(name, 'notification', check.errors));
        return;
      }
    }
    if (!Array.isArray(params)) {
      // Only reached with validation off; listeners take positional params, so named ones cannot be passed on.
      host.events.emit('protocol-error', new ProtocolError('invalid-message', `a ${excerpt(name, 80)} notification with named params`, excerpt(params)));
      return;
    }
    // Not a subscription (a 1.7 server.ping notification): no key, only listeners of every one.
    const arity = info.subscriptionKey;
    // Keyed by the subscription's own key: the scriptPubKey a 1.7 script notification names by its hash.
    let keyed: unknown[] = params;
    if (this.#scriptKeys.size !== 0) {
      const script = this.#scriptKeys.get(name)?.get(String(params[0]).toLowerCase());
      if (script !== undefined) keyed = [script, ...params.slice(1)];
    }
    const renewals = this.#renewals;
    if (renewals !== undefined && arity !== undefined) renewals.notified(name, keyed, arity);
    this.#deliver(name, params, arity, keyed);
  }

  /** What the subscriptions were given by their client (the status line reader of electrum-status-lines.ts reads it). */
  get host(): SubscriptionsHost {
    return this.#host;
  }

  /** The book of what is subscribed. */
  get book(): SubscriptionBook {
    return this.#book;
  }

  /**
   * Whether a notification needs no more than its book update and hand-out: no subscription keyed by script
   * hash (whose notifications are matched by another key) and no renewal under way.
   */
  get quiet(): boolean {
    return this.#scriptKeys.size === 0 && this.#renewals === undefined;
  }

  /** What a notification method needs at a version; a server's notifications mostly repeat one method, whose plan is at hand without a lookup. */
  notificationPlan(method: string, version: string | undefined): NotificationPlan {
    let plan = this.#lastNotification;
    if (plan === undefined || plan.version !== version || plan.wire !== method) plan = this.#lastNotification = this.#notificationPlan(method, version);
    return plan;
  }

  /** What a notification method needs at a version, worked out once (see dispatch). */
  #notificationPlan(method: string, version: string | undefined): NotificationPlan {
    const info = this.#host.protocol.get(method);
    if (!info?.hasNotification || info.notificationDirection === 'client-to-server') return { wire: method, version, info: undefined, checks: undefined, checkValue: false, fast: undefined };
    const checks = info.checksAt(version);
    // A subscription's value comes in the form of its result: where that depends on the version, it is checked too.
    const checkValue = info.kind === 'subscription' && info.resultVariants.length > 1;
    const notificationCheck = checks.validateNotification;
    const fast = checkValue || notificationCheck === undefined ? undefined : this.#host.shortcuts?.fastCheck(info.notificationParams, notificationCheck);
    return { wire: method, version, info, checks, checkValue, fast };
  }

  /**
   * Records a notification's value (`arity` key params, then the value) and hands it to listeners and
   * iterators. `keyed` is the same with the subscription's own key, where the wire names it otherwise.
   */
  #deliver(method: string, params: unknown[], arity: number | undefined, keyed: unknown[] = params) {
    if (arity !== undefined) this.#book.update(method, keyed, arity);
    this.handOut(method, params, arity, keyed);
  }

  /** #deliver after the book: to listeners and iterators. */
  handOut(method: string, params: unknown[], arity: number | undefined, keyed: unknown[] = params) {
    this.#host.events.emitArgs(method as keyof ElectrumClientEvents<string>, params as never);
    if (this.#channels.size === 0) return;
    const byKey = this.#channels.get(method);
    if (!byKey) return;
    if (arity !== undefined) for (const channel of [...(byKey.get(subscriptionKey(keyed.slice(0, arity))) ?? [])]) channel.push(params);
    for (const channel of [...(byKey.get('*') ?? [])]) channel.push(params);
  }

  /** An iterator of one subscription's notifications (`key`), or of all of a method's ('*'). */
  openChannel(method: string, key: string): Channel<unknown[]> {
    let byKey = this.#channels.get(method);
    if (!byKey) this.#channels.set(method, (byKey = new Map()));
    let set = byKey.get(key);
    if (!set) byKey.set(key, (set = new Set()));
    const channels = set;
    const channel: Channel<unknown[]> = new Channel(`${method} notifications`, this.#host.bufferLimit, () => {
      channels.delete(channel);
      if (channels.size === 0 && byKey.get(key) === channels) byKey.delete(key);
    });
    channels.add(channel);
    return channel;
  }

  /** Ends every iterator: cleanly when `error` is undefined (the client closed), else with it. */
  endAll(error: StratumSdkError | undefined): void {
    for (const [method, byKey] of this.#channels) for (const key of byKey.keys()) this.#endChannels(method, key, error);
  }

  #endChannels(method: string, key: string, error: StratumSdkError | undefined) {
    for (const channel of [...(this.#channels.get(method)?.get(key) ?? [])]) channel.end(error);
  }
}
