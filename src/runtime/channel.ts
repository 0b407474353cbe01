// A bounded queue read as an async iterator: notifications pushed by the socket handler, pulled by a
// `for await` loop. Pushing never blocks the socket; a reader that falls too far behind gets an
// OverflowError instead of the process growing without bound.
import { OverflowError, type StratumSdkError } from './errors.js';

export class Channel<T> implements AsyncIterableIterator<T> {
  readonly #buffer: T[] = [];
  readonly #limit: number;
  readonly #what: string;
  readonly #onDone: () => void;
  #head = 0;
  #waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  #done = false;
  #error: StratumSdkError | undefined;

  /** `onDone` runs once, when the channel ends for any reason (so its producer can forget it). */
  constructor(what: string, limit: number, onDone: () => void) {
    if (!(limit >= 1)) throw new RangeError(`a notification buffer must hold at least 1 value, got ${limit}`);
    this.#what = what;
    this.#limit = limit;
    this.#onDone = onDone;
  }

  get done(): boolean {
    return this.#done;
  }

  push(value: T): void {
    if (this.#done) return;
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      w.resolve({ value, done: false });
      return;
    }
    if (this.#buffer.length - this.#head >= this.#limit) {
      this.end(new OverflowError(this.#what, this.#limit));
      return;
    }
    this.#buffer.push(value);
  }

  /** Ends the channel: values already queued are still read, then the error (if any) is thrown. */
  end(error?: StratumSdkError): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = error;
    this.#onDone();
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      this.#finish(w);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#buffer.length) {
      const value = this.#buffer[this.#head] as T;
      this.#head++;
      // Compact now and then rather than shift() per value, which is linear in the queue length.
      if (this.#head > 1024 && this.#head * 2 > this.#buffer.length) {
        this.#buffer.splice(0, this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#done) return new Promise((resolve, reject) => this.#finish({ resolve, reject }));
    if (this.#waiting) return Promise.reject(new Error('Channel: next() called again before the previous call settled'));
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  /** Called by `break` in a for-await loop: the reader is gone. */
  return(): Promise<IteratorResult<T>> {
    this.#buffer.length = 0;
    this.#head = 0;
    this.#error = undefined;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #finish(w: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }) {
    const error = this.#error;
    if (error) {
      // Thrown once; later reads just see the end.
      this.#error = undefined;
      w.reject(error);
    } else w.resolve({ value: undefined, done: true });
  }
}
