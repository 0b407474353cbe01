// Keep-alive: a ping after a quiet spell, so a server with an idle limit (ElectrumX drops a session after
// 600 s) keeps the connection. Requests only note the time; one coarse interval does the checking, so the
// per-request cost is a Date.now() and no timer is reset per request.

export class IdleTimer {
  readonly #idleMs: number;
  readonly #onIdle: () => void;
  #lastSent = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** `onIdle` runs once `idleMs` have passed since the last `touch()`, then again after each further `idleMs`. */
  constructor(idleMs: number, onIdle: () => void) {
    this.#idleMs = idleMs;
    this.#onIdle = onIdle;
  }

  /** Something was sent: the quiet spell starts again. */
  touch(): void {
    this.#lastSent = Date.now();
  }

  start(): void {
    this.stop();
    this.#lastSent = Date.now();
    // A quarter of the limit: the ping goes out between 1 and 1.25 times `idleMs` after the last request.
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastSent < this.#idleMs) return;
      this.#lastSent = Date.now();
      this.#onIdle();
    }, Math.max(1000, Math.floor(this.#idleMs / 4)));
    // A keep-alive must not by itself keep a process running.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
