// A minimal typed event emitter with no Node dependency (the runtime also runs in browsers and React
// Native). A throwing listener is reported, never allowed to break the socket handler that emitted.

type Listener<A extends unknown[]> = (...args: A) => void;
// Listeners of every event share one store; the event key keeps their argument types apart.
type AnyListener = (...args: never[]) => void;

const NONE: readonly AnyListener[] = Object.freeze([]);

export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  readonly #listeners = new Map<keyof Events, Set<AnyListener>>();
  /**
   * Each event's listeners as an array, made at the first emit after a change: an emit calls the
   * listeners there were when it began (one added meanwhile waits for the next, one removed meanwhile is
   * still called), as a copy per emit would, without the copy.
   */
  readonly #snapshots = new Map<keyof Events, readonly AnyListener[]>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = (e) => queueMicrotask(() => { throw e; })) {
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as unknown as AnyListener);
    this.#snapshots.delete(event);
    return () => this.off(event, listener);
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, ((...args: Events[K]) => {
      off();
      listener(...args);
    }) as Listener<Events[K]>);
    return off;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    if (this.#listeners.get(event)?.delete(listener as unknown as AnyListener)) this.#snapshots.delete(event);
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    this.emitArgs(event, args);
  }

  /** emit, with the arguments given as one array (a notification's params) instead of one by one. */
  emitArgs<K extends keyof Events>(event: K, args: Events[K]): void {
    let listeners = this.#snapshots.get(event);
    if (listeners === undefined) {
      const set = this.#listeners.get(event);
      // Events are the typed names of one emitter, a bounded set: an empty snapshot may stay.
      listeners = set ? [...set] : NONE;
      this.#snapshots.set(event, listeners);
    }
    for (let i = 0; i < listeners.length; i++) {
      try {
        (listeners[i] as unknown as Listener<Events[K]>)(...args);
      } catch (e) {
        this.#onListenerError(e);
      }
    }
  }
}
