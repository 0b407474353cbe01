// How long an unfinished message has been waiting for its end: what bounds a peer that trickles a byte at a
// time (partialMessageTimeout). A timer call per read would cost one for every message split across reads,
// so, like an idle timer, it is set when a message is first left unfinished and, when it fires, re-armed for
// whatever time the message now waiting has left. Platform-free: the byte-stream transport and the Node
// WebSocket listener both use it.

// setTimeout fires after 1 ms for anything above this (about 24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

export class PartialMessageClock {
  readonly #limitMs: number;
  readonly #onTooSlow: (waitedMs: number) => void;
  /** Also held while this says so (a Node socket's isPaused()), for owners that pause without telling the clock. */
  readonly #paused: () => boolean;
  #since = 0;
  #waiting = false;
  #held = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(limitMs: number, onTooSlow: (waitedMs: number) => void, paused: () => boolean = () => false) {
    this.#limitMs = limitMs;
    this.#onTooSlow = onTooSlow;
    this.#paused = paused;
  }

  /** Bytes of a message arrived: its clock starts unless one is already running. */
  begin(): void {
    if (!this.#waiting) this.restart();
  }

  /** A new message began now (the one before it just ended in the same read). */
  restart(): void {
    this.#waiting = true;
    this.#since = Date.now();
    if (this.#timer === undefined) this.#arm(this.#limitMs);
  }

  /** Nothing is unfinished any more. */
  end(): void {
    this.#waiting = false;
  }

  /** The owner stopped reading: the rest of the message cannot arrive, so that wait is not the peer's. */
  hold(): void {
    this.#held = true;
  }

  /** Reading again: the unfinished message gets the whole limit from now. */
  release(): void {
    this.#held = false;
    this.#since = Date.now();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waiting = false;
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#waiting) return;
      if (this.#held || this.#paused()) {
        // Checking again after a full period is enough; the message's time starts again once reading resumes.
        this.#since = Date.now();
        this.#arm(this.#limitMs);
        return;
      }
      const waited = Date.now() - this.#since;
      if (waited >= this.#limitMs) this.#onTooSlow(waited);
      else this.#arm(this.#limitMs - waited);
    }, Math.min(Math.max(delay, 1), MAX_TIMER_MS));
    // A connection's timer must not keep a process alive on its own.
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
