// Reconnect delays: exponential backoff with jitter, so that many clients dropped by one server restart
// do not all come back in the same instant.

export interface BackoffOptions {
  /** Delay before the first attempt, in milliseconds (default 500). */
  readonly initialDelay?: number | undefined;
  /** Largest delay between attempts (default 30,000). */
  readonly maxDelay?: number | undefined;
  /** Growth per attempt (default 2). */
  readonly factor?: number | undefined;
  /** Share of each delay that is random, 0 to 1 (default 0.5: a delay falls between half and all of its step). */
  readonly jitter?: number | undefined;
  /** Attempts before giving up (default Infinity). */
  readonly maxAttempts?: number | undefined;
}

export type Backoff = Required<{ [K in keyof BackoffOptions]: number }>;

export const DEFAULT_BACKOFF: Backoff = { initialDelay: 500, maxDelay: 30_000, factor: 2, jitter: 0.5, maxAttempts: Infinity };

/** Fills in defaults and refuses nonsense up front, so a typo does not become a reconnect storm. */
export function resolveBackoff(options: BackoffOptions = {}): Backoff {
  const b: Backoff = {
    initialDelay: options.initialDelay ?? DEFAULT_BACKOFF.initialDelay,
    maxDelay: options.maxDelay ?? DEFAULT_BACKOFF.maxDelay,
    factor: options.factor ?? DEFAULT_BACKOFF.factor,
    jitter: options.jitter ?? DEFAULT_BACKOFF.jitter,
    maxAttempts: options.maxAttempts ?? DEFAULT_BACKOFF.maxAttempts,
  };
  if (!(b.initialDelay >= 0) || !Number.isFinite(b.initialDelay)) throw new RangeError(`reconnect.initialDelay must be >= 0 ms, got ${b.initialDelay}`);
  if (!(b.maxDelay >= b.initialDelay) || !Number.isFinite(b.maxDelay)) throw new RangeError(`reconnect.maxDelay must be finite and >= initialDelay, got ${b.maxDelay}`);
  if (!(b.factor >= 1)) throw new RangeError(`reconnect.factor must be >= 1, got ${b.factor}`);
  if (!(b.jitter >= 0 && b.jitter <= 1)) throw new RangeError(`reconnect.jitter must be between 0 and 1, got ${b.jitter}`);
  if (!(b.maxAttempts >= 1)) throw new RangeError(`reconnect.maxAttempts must be >= 1, got ${b.maxAttempts}`);
  return b;
}

/** The delay before attempt `attempt` (1-based). `random` returns a number in [0, 1). */
export function backoffDelay(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const step = Math.min(b.maxDelay, b.initialDelay * b.factor ** Math.max(0, attempt - 1));
  return Math.round(step * (1 - b.jitter * random()));
}
