import { describe, expect, it } from 'vitest';
import { backoffDelay, resolveBackoff } from '../../src/runtime/backoff.js';

describe('backoff', () => {
  it('grows by the factor up to the cap, without jitter', () => {
    const b = resolveBackoff({ initialDelay: 100, factor: 2, maxDelay: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, b))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('jitter takes up to its share off each step, never more', () => {
    const b = resolveBackoff({ initialDelay: 1000, factor: 1, jitter: 0.5 });
    expect(backoffDelay(1, b, () => 0)).toBe(1000);
    expect(backoffDelay(1, b, () => 0.999999)).toBe(500);
    expect(backoffDelay(1, b, () => 0.5)).toBe(750);
  });

  it('refuses settings that would make a reconnect storm or never retry', () => {
    expect(() => resolveBackoff({ initialDelay: -1 })).toThrow(RangeError);
    expect(() => resolveBackoff({ initialDelay: 10, maxDelay: 5 })).toThrow(RangeError);
    expect(() => resolveBackoff({ factor: 0.5 })).toThrow(RangeError);
    expect(() => resolveBackoff({ jitter: 2 })).toThrow(RangeError);
    expect(() => resolveBackoff({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => resolveBackoff({ maxDelay: Infinity })).toThrow(RangeError);
    expect(() => resolveBackoff({ initialDelay: NaN })).toThrow('reconnect.initialDelay must be a finite number of ms >= 0, got NaN');
    // A number as text is a mistake in the caller's config, not a delay.
    expect(() => resolveBackoff({ factor: '2' as unknown as number })).toThrow('reconnect.factor must be >= 1, got 2');
    expect(resolveBackoff({ maxDelay: 1000, maxAttempts: undefined })).toEqual({ initialDelay: 500, maxDelay: 1000, factor: 2, jitter: 0.5, maxAttempts: Infinity });
  });
});
