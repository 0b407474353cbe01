// Requests made while a client is connecting or reconnecting: each waits for the next connection within
// its own timeout and signal, so a long outage costs a request its deadline, never an unbounded wait.
import { AbortedError, TimeoutError, type StratumSdkError } from './errors.js';

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: StratumSdkError): void;
}

export class Waiters<T> {
  readonly #waiting = new Set<Waiter<T>>();

  get size(): number {
    return this.#waiting.size;
  }

  /** Waits for `resolveAll`; rejects with a TimeoutError after `timeoutMs` (Infinity: never) or an AbortedError. */
  wait(method: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) return Promise.reject(new AbortedError(method, signal.reason));
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waiting.delete(waiter);
      };
      const waiter: Waiter<T> = {
        resolve: (value) => (done(), resolve(value)),
        reject: (error) => (done(), reject(error)),
      };
      const onAbort = () => waiter.reject(new AbortedError(method, signal?.reason));
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => waiter.reject(new TimeoutError(method, timeoutMs)), timeoutMs) : undefined;
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.add(waiter);
    });
  }

  resolveAll(value: T): void {
    for (const w of [...this.#waiting]) w.resolve(value);
  }

  rejectAll(error: StratumSdkError): void {
    for (const w of [...this.#waiting]) w.reject(error);
  }
}

/** What is left of a request's timeout after it waited for a connection since `started`. */
export function remainingTimeout(timeoutMs: number, started: number): number {
  // Infinity and invalid values go through unchanged, for the session to honour or refuse.
  if (!Number.isFinite(timeoutMs) || !(timeoutMs > 0)) return timeoutMs;
  return Math.max(1, timeoutMs - (Date.now() - started));
}
