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

type Rule = readonly [ok: (value: number, b: Backoff) => boolean, what: string];

// What each setting must be, in this order (maxDelay is read against initialDelay); delays finite, as Infinity
// would wait for ever.
const RULES: Readonly<Record<keyof Backoff, Rule>> = {
  initialDelay: [(v) => v >= 0 && v < Infinity, 'a finite number of ms >= 0'],
  maxDelay: [(v, b) => v >= b.initialDelay && v < Infinity, 'finite and >= initialDelay'],
  factor: [(v) => v >= 1, '>= 1'],
  jitter: [(v) => v >= 0 && v <= 1, 'between 0 and 1'],
  maxAttempts: [(v) => v >= 1, '>= 1'],
};

/** Fills in defaults and refuses nonsense up front, so a typo does not become a reconnect storm. */
export function resolveBackoff(options: BackoffOptions = {}): Backoff {
  const b = { ...DEFAULT_BACKOFF };
  for (const key of Object.keys(RULES) as (keyof Backoff)[]) {
    const value = options[key] ?? DEFAULT_BACKOFF[key];
    b[key] = value;
    const [ok, what] = RULES[key];
    if (typeof value !== 'number' || !ok(value, b)) throw new RangeError(`reconnect.${key} must be ${what}, got ${String(value)}`);
  }
  return b;
}

/** The delay before attempt `attempt` (1-based). `random` returns a number in [0, 1). */
export function backoffDelay(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const step = Math.min(b.maxDelay, b.initialDelay * b.factor ** Math.max(0, attempt - 1));
  return Math.round(step * (1 - b.jitter * random()));
}
