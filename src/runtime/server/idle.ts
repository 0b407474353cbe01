// The idle timeout of a connection. Touched on every message, so it is not reset there (a timer per
// message would be costly under a flood): it fires at the deadline, and if there was activity in the
// meantime it re-arms for the time that is left.

// setTimeout fires after 1 ms for anything above this, so long waits are taken in steps.
export const MAX_TIMER_MS = 2 ** 31 - 1;

const now = () => performance.now();

export class IdleTimer {
  readonly timeoutMs: number;
  readonly #onIdle: (quietMs: number) => void;
  #last = now();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `timeoutMs` 0 or Infinity: never fires. */
  constructor(timeoutMs: number, onIdle: (quietMs: number) => void) {
    this.timeoutMs = timeoutMs;
    this.#onIdle = onIdle;
    if (timeoutMs > 0 && timeoutMs !== Infinity) this.#arm(timeoutMs);
  }

  touch(): void {
    this.#last = now();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => {
      const quiet = now() - this.#last;
      if (quiet >= this.timeoutMs) {
        this.#timer = undefined;
        this.#onIdle(quiet);
      } else this.#arm(this.timeoutMs - quiet);
    }, Math.min(Math.max(delay, 1), MAX_TIMER_MS));
    unref(this.#timer);
  }
}

/** A connection's timers must not keep a process alive on their own (the listening socket does that). */
export function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}
