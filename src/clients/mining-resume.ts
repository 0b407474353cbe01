// What a new pool connection replays to carry a mining session on: mining.configure as last agreed,
// mining.subscribe with the session id (a fresh one when the pool refuses it), mining.extranonce.subscribe
// when it was on, and mining.authorize for every worker the pool had authorized.
import type { MiningConfigureParams, MiningConfigureResult } from '../generated/mining/types.js';
import { ServerError } from '../runtime/errors.js';
import type { MiningState } from './mining-state.js';

/** The client's requests, as the replay makes them. */
export interface ReplayCalls {
  call(method: string, params: readonly unknown[]): Promise<unknown>;
  /** Undefined when the pool refused or did not answer. */
  configure(params: MiningConfigureParams): Promise<MiningConfigureResult | undefined>;
  authorize(params: readonly unknown[]): Promise<void>;
  fireAndForget(method: string, params: readonly unknown[]): void;
}

export class MiningResume {
  #configure: readonly unknown[] | undefined;
  #userAgent: string | undefined;
  #extranonceSubscribed = false;
  #from: { readonly extranonce1: string | undefined; readonly sessionId: string | undefined } = { extranonce1: undefined, sessionId: undefined };

  /** A spec-valid result that a replay repeats. */
  observed(method: string, params: readonly unknown[], result: unknown): void {
    if (method === 'mining.subscribe') this.#userAgent = typeof params[0] === 'string' ? params[0] : undefined;
    else if (method === 'mining.configure') this.#configure = params;
    else if (method === 'mining.extranonce.subscribe') this.#extranonceSubscribed = result === true;
  }

  /**
   * Notes the session to resume, before the connection's state is cleared. A state with no subscription
   * (cleared by an earlier drop whose reconnect gave up) leaves the noted one as it was.
   */
  note(state: MiningState): void {
    if (state.subscription) this.#from = { extranonce1: state.extranonce1, sessionId: state.subscription.sessionId };
  }

  /** Replays the session on a new connection; resolves with whether the pool resumed it (the same extranonce1). */
  async replay(calls: ReplayCalls, state: MiningState, agent: string): Promise<boolean> {
    // Jobs of an attempt that failed after subscribing cannot be submitted on this connection.
    state.newConnection();
    const previous = this.#from;
    const configure = this.#configure;
    // Set again only if this pool agrees: one that refuses or ignores it is not asked on later connections.
    this.#configure = undefined;
    try {
      if (configure) await calls.configure(configure as MiningConfigureParams);
    } catch (e) {
      // Lost with the connection: the next attempt asks again.
      this.#configure ??= configure;
      throw e;
    }
    // A connection that did not negotiate version rolling has none, whatever the old one had.
    if (!this.#configure) state.configured(undefined);

    const userAgent = this.#userAgent ?? agent;
    let resumedWith: string | undefined;
    if (previous.sessionId !== undefined) {
      try {
        await calls.call('mining.subscribe', [userAgent, previous.sessionId]);
        resumedWith = previous.sessionId;
      } catch (e) {
        // cpuminer's rule: a pool that refuses the session id gets a fresh subscribe.
        if (!(e instanceof ServerError)) throw e;
      }
    }
    if (resumedWith === undefined) await calls.call('mining.subscribe', [userAgent]);
    if (this.#extranonceSubscribed) calls.fireAndForget('mining.extranonce.subscribe', []);
    const workers = [...state.workers];
    await Promise.all(workers.map(([user, password]) => calls.authorize(password === undefined ? [user] : [user, password])));
    return resumedWith !== undefined && previous.extranonce1 !== undefined && previous.extranonce1 === state.extranonce1;
  }
}
