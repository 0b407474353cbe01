// Waiting in tests for something to happen: poll the condition itself, with a deadline, instead of
// sleeping a fixed time and hoping it happened by then (which fails on a loaded machine, and wastes
// the time on an idle one).

/** Default deadline: generous under load, yet under vitest's 5 s test timeout so the error says what was awaited. */
export const UNTIL_TIMEOUT_MS = 4_000;

/**
 * Resolves once `condition()` is true (at once if it already is), checking every couple of
 * milliseconds; rejects, naming `what`, when it is still false after `timeout` ms.
 */
export async function until(condition: () => boolean, what: string = condition.toString(), timeout: number = UNTIL_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
