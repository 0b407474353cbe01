// Which sessions listen to what: a channel (a notification's method name) and a key within it (a
// script hash, an outpoint; '' for channels without keys, like new headers). Both directions are
// indexed, so notifying a key and forgetting a closed session each cost what they touch, not the
// size of the server.

export class SubscriptionIndex<S> {
  readonly #byKey = new Map<string, Map<string, Set<S>>>();
  readonly #bySession = new Map<S, Map<string, Set<string>>>();

  /** True when the subscription is new. */
  add(session: S, channel: string, key: string): boolean {
    let keys = this.#byKey.get(channel);
    if (!keys) this.#byKey.set(channel, (keys = new Map()));
    let sessions = keys.get(key);
    if (!sessions) keys.set(key, (sessions = new Set()));
    if (sessions.has(session)) return false;
    sessions.add(session);
    let channels = this.#bySession.get(session);
    if (!channels) this.#bySession.set(session, (channels = new Map()));
    let own = channels.get(channel);
    if (!own) channels.set(channel, (own = new Set()));
    own.add(key);
    return true;
  }

  /** True when the session was subscribed. */
  remove(session: S, channel: string, key: string): boolean {
    const keys = this.#byKey.get(channel);
    const sessions = keys?.get(key);
    if (!keys || !sessions?.delete(session)) return false;
    if (sessions.size === 0) keys.delete(key);
    if (keys.size === 0) this.#byKey.delete(channel);
    const channels = this.#bySession.get(session);
    const own = channels?.get(channel);
    own?.delete(key);
    if (own?.size === 0) channels?.delete(channel);
    if (channels?.size === 0) this.#bySession.delete(session);
    return true;
  }

  has(session: S, channel: string, key: string): boolean {
    return this.#byKey.get(channel)?.get(key)?.has(session) ?? false;
  }

  /** The sessions subscribed to a key, as a snapshot (safe to close sessions while iterating). */
  subscribers(channel: string, key: string): S[] {
    const sessions = this.#byKey.get(channel)?.get(key);
    return sessions ? [...sessions] : [];
  }

  /** The keys a session holds in a channel. */
  keysOf(session: S, channel: string): string[] {
    const own = this.#bySession.get(session)?.get(channel);
    return own ? [...own] : [];
  }

  /** How many subscriptions a session holds, across channels. */
  countOf(session: S): number {
    let n = 0;
    for (const own of this.#bySession.get(session)?.values() ?? []) n += own.size;
    return n;
  }

  /** Forgets everything a session subscribed to. */
  removeSession(session: S): void {
    const channels = this.#bySession.get(session);
    if (!channels) return;
    for (const [channel, own] of [...channels]) for (const key of [...own]) this.remove(session, channel, key);
  }
}
