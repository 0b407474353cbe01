// The network's script hash subscriptions, moved across servers so that no status change is missed or told twice:
// each is subscribed on the server in use, again on the next after a change of server, and a status is delivered
// only when it differs from the last delivered.
import type { Status } from '../generated/definitions.js';
import type { Emitter } from '../runtime/emitter.js';
import { ServerLimitError } from './errors.js';
import { SerialQueue } from './header-chain.js';
import { ask, type Peer } from './peer.js';
import { NO_OPTIONS, type RequestOptions } from '../runtime/session.js';
import type { ServerPool } from './server-pool.js';
import type { ElectrumNetworkEvents } from './types.js';
import type { WalletVerifier } from './wallet-verifier.js';

interface Subscription {
  /** The last status delivered (or answered); undefined before the first. */
  delivered: Status | undefined;
  readonly queue: SerialQueue;
}

export class ScripthashSubscriptions {
  readonly #subs = new Map<string, Subscription>();
  readonly #verify: boolean;
  readonly #pool: ServerPool;
  readonly #verifier: WalletVerifier;
  readonly #events: Emitter<ElectrumNetworkEvents>;

  constructor(verify: boolean, pool: ServerPool, verifier: WalletVerifier, events: Emitter<ElectrumNetworkEvents>) {
    this.#verify = verify;
    this.#pool = pool;
    this.#verifier = verifier;
    this.#events = events;
  }

  get size(): number {
    return this.#subs.size;
  }

  async subscribe(sh: string, options: RequestOptions): Promise<Status> {
    let sub = this.#subs.get(sh);
    if (!sub) this.#subs.set(sh, (sub = { delivered: undefined, queue: new SerialQueue() }));
    const subscription = sub;
    return subscription.queue.run(async () => {
      try {
        return await this.#pool.route(options, async (peer) => {
          const status = await this.#subscribeOn(peer, sh, options);
          if (subscription.delivered === undefined) subscription.delivered = status;
          else this.#deliver(subscription, sh, status);
          return status;
        });
      } catch (e) {
        // Never held: forgotten, so no later change of server subscribes it again (a refusal for a limit would
        // otherwise come back at every move).
        if (subscription.delivered === undefined && this.#subs.get(sh) === subscription) this.#subs.delete(sh);
        throw e;
      }
    });
  }

  async unsubscribe(sh: string, options: RequestOptions): Promise<boolean> {
    const had = this.#subs.delete(sh);
    const pool = this.#pool;
    const primary = pool.primary;
    for (const peer of pool.peers.values()) peer.statuses.delete(sh);
    if (primary?.ready) {
      // Where the negotiated version has no unsubscribe the server keeps sending; those notifications are ignored.
      await ask(primary, 'blockchain.scripthash.unsubscribe', [sh], options).catch(() => undefined);
    }
    return had;
  }

  /** Subscribes on one server; with `verify`, its status is checked against its history before it is used. */
  async #subscribeOn(peer: Peer, sh: string, options: RequestOptions): Promise<Status> {
    const status = await ask(peer, 'blockchain.scripthash.subscribe', [sh], options);
    peer.statuses.set(sh, status);
    return this.#verify ? (await this.#verifier.checkedHistory(peer, sh, options)).status : status;
  }

  onStatus(peer: Peer, sh: string, status: Status) {
    peer.statuses.set(sh, status);
    const sub = this.#subs.get(sh);
    const pool = this.#pool;
    if (!sub || peer !== pool.primary) return;
    void sub.queue.run(async () => {
      if (peer !== pool.primary || peer.dropped || this.#subs.get(sh) !== sub) return;
      try {
        const checked = this.#verify ? (await this.#verifier.checkedHistory(peer, sh, NO_OPTIONS)).status : status;
        // A later notification may have overtaken this one while it was checked: deliver the server's latest.
        if (peer === pool.primary && !peer.dropped) this.#deliver(sub, sh, checked);
      } catch (e) {
        // Dropping it moves the subscription to the next server, whose answer delivers what changed.
        const reason = pool.dropReason(peer, e);
        if (reason) pool.drop(peer, reason);
      }
    });
  }

  /** After a change of server: subscribe on the new one and deliver its status if it differs from the last delivered. */
  move() {
    for (const [sh, sub] of this.#subs) {
      void sub.queue
        .run(async () => {
          if (this.#subs.get(sh) !== sub) return;
          await this.#pool.route(NO_OPTIONS, async (peer) => {
            const status = await this.#subscribeOn(peer, sh, NO_OPTIONS);
            if (this.#subs.get(sh) === sub) this.#deliver(sub, sh, status);
          });
        })
        .catch((e: unknown) => {
          // The new server will not hold it (or its history): the subscription ends, and the application is told,
          // instead of a retry at every move. With no server now, the next election moves it again.
          if (e instanceof ServerLimitError && this.#subs.get(sh) === sub) {
            this.#subs.delete(sh);
            this.#events.emit('subscription-ended', sh, e);
          }
        });
    }
  }

  #deliver(sub: Subscription, sh: string, status: Status) {
    if (sub.delivered === status) return;
    sub.delivered = status;
    this.#events.emit('blockchain.scripthash.subscribe', sh, status);
  }
}
