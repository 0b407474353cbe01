// One raw connection to a pool for the conformance probe: it sends exactly the lines the checks choose and
// keeps every line that comes back as sent (text and parsed JSON), so a check can quote the bytes and tell
// the encodings apart. Waits never consume: several checks can wait on one connection at once, each for
// the answer to its own id, which is what lets independent steps be pipelined.
import { endpointConnector, parsePoolUrl } from '../../clients/mining-endpoint.js';
import { nestsDeeperThan } from '../../runtime/bounded-json.js';
import { DEFAULT_MAX_DEPTH } from '../../runtime/messages.js';
import type { TlsSettings } from '../../runtime/tls-settings.js';
import { parseProxyUrl } from '../../platform/proxy.js';
import type { Transport } from '../../runtime/transport.js';

/** One line from the pool: parsed JSON (undefined when it did not parse) and the text as received. */
export interface Line {
  readonly json: unknown;
  readonly text: string;
  /** Its position among the lines this connection received. */
  readonly index: number;
}

export type WaitOutcome = { readonly kind: 'line'; readonly line: Line } | { readonly kind: 'timeout' } | { readonly kind: 'closed' };

export interface LineProbeSettings {
  readonly tls?: TlsSettings | undefined;
  readonly proxy?: string | undefined;
  /** Default wait for one answer, in ms. */
  readonly timeout: number;
}

/**
 * Lines a probe keeps: a probe reads a few dozen; a pool that floods more is cut off rather than buffered
 * without bound (the lines themselves are bounded by the framing's message size).
 */
export const MAX_PROBE_LINES = 2000;
/** Bytes of one line the probe accepts: far above any Stratum message (a notify with a long branch is a few KB). */
export const MAX_PROBE_LINE_SIZE = 1_000_000;
/** Characters of all lines kept together: a run reads a few KB, and lines × line size alone would allow 2 GB. */
export const MAX_PROBE_TOTAL = 16_000_000;

interface Waiter {
  readonly match: (line: Line) => boolean;
  readonly from: number;
  readonly settle: (outcome: WaitOutcome) => void;
}

export class LineProbe {
  readonly #transport: Transport;
  readonly #lines: Line[];
  readonly #waiters: Set<Waiter>;
  readonly #state: { closed: boolean };
  readonly #timeout: number;
  #nextId = 1;

  private constructor(transport: Transport, lines: Line[], waiters: Set<Waiter>, state: { closed: boolean }, timeout: number) {
    this.#transport = transport;
    this.#lines = lines;
    this.#waiters = waiters;
    this.#state = state;
    this.#timeout = timeout;
  }

  /** Connects to a stratum+tcp:// or stratum+ssl:// URL; rejects with ConnectError or TlsError. */
  static async open(url: string, settings: LineProbeSettings): Promise<LineProbe> {
    const endpoint = parsePoolUrl(url);
    const lines: Line[] = [];
    const waiters = new Set<Waiter>();
    const state = { closed: false };
    let total = 0;
    const wake = () => {
      for (const w of [...waiters]) {
        const line = lines.slice(w.from).find(w.match);
        if (line) w.settle({ kind: 'line', line });
        else if (state.closed) w.settle({ kind: 'closed' });
      }
    };
    let transport: Transport | undefined;
    const connect = endpointConnector(endpoint, endpoint, { tls: settings.tls, proxy: settings.proxy === undefined ? undefined : parseProxyUrl(settings.proxy), connectTimeout: settings.timeout, framing: { maxMessageSize: MAX_PROBE_LINE_SIZE } });
    transport = await connect({
      message: (text) => {
        if (state.closed) return;
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        // Checks quote what they get: a line nested past the SDK's own limit is kept as text only.
        if (nestsDeeperThan(json, DEFAULT_MAX_DEPTH)) json = undefined;
        total += text.length;
        if (lines.length >= MAX_PROBE_LINES || total > MAX_PROBE_TOTAL) {
          state.closed = true;
          void transport?.close();
        } else lines.push({ json, text, index: lines.length });
        wake();
      },
      error: () => {},
      close: () => {
        state.closed = true;
        wake();
      },
    });
    return new LineProbe(transport, lines, waiters, state, settings.timeout);
  }

  get closed(): boolean {
    return this.#state.closed;
  }

  /** Every line received so far. */
  get lines(): readonly Line[] {
    return this.#lines;
  }

  /** Sends a Stratum request (no "jsonrpc", as miners send it) and returns its id. */
  request(method: string, params: readonly unknown[]): number {
    const id = this.#nextId++;
    this.send(JSON.stringify({ id, method, params }));
    return id;
  }

  /** Sends one line exactly as given (the transport adds the newline). */
  send(text: string): void {
    if (!this.#state.closed) this.#transport.send(text);
  }

  /** The first line from `from` on that `match` accepts, waiting up to `timeout` ms for it. */
  wait(match: (line: Line) => boolean, options: { from?: number; timeout?: number } = {}): Promise<WaitOutcome> {
    const from = options.from ?? 0;
    const line = this.#lines.slice(from).find(match);
    if (line) return Promise.resolve({ kind: 'line', line });
    if (this.#state.closed) return Promise.resolve({ kind: 'closed' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => waiter.settle({ kind: 'timeout' }), options.timeout ?? this.#timeout);
      const waiter: Waiter = {
        match,
        from,
        settle: (outcome) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(outcome);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** The answer carrying this id (a line with this id and no method). */
  answer(id: number, timeout?: number): Promise<WaitOutcome> {
    return this.wait((l) => isObject(l.json) && l.json['id'] === id && !('method' in l.json && l.json['method'] !== null), timeout === undefined ? {} : { timeout });
  }

  /** The first notification (or request) of `method` the pool sent from line `from` on. */
  message(method: string, options: { from?: number; timeout?: number } = {}): Promise<WaitOutcome> {
    return this.wait((l) => isObject(l.json) && l.json['method'] === method, options);
  }

  close(): void {
    this.#state.closed = true;
    for (const w of [...this.#waiters]) w.settle({ kind: 'closed' });
    void this.#transport.close();
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
