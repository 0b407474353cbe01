// A connection whose every message the checks choose, bypassing the client: the protocol-basics checks
// need to send what a well-behaved client never would (bogus versions, unknown methods, broken JSON).
import { nestsDeeperThan } from '../runtime/bounded-json.js';
import { DEFAULT_MAX_DEPTH } from '../runtime/messages.js';
import { electrumConnector } from '../clients/electrum-connect.js';
import type { TlsSettings } from '../runtime/tls-settings.js';
import type { Transport } from '../runtime/transport.js';

/** One message from the server: parsed JSON, or the text when it did not parse. */
export type Incoming = { readonly json: unknown; readonly text: string };

export class ProbeTimeout extends Error {
  constructor(readonly seen: readonly Incoming[]) {
    super('no answer in time');
  }
}

export class ProbeClosed extends Error {
  constructor(readonly seen: readonly Incoming[]) {
    super('the server closed the connection');
  }
}

export interface ProbeSettings {
  readonly tls?: TlsSettings | undefined;
  readonly proxy?: string | undefined;
  /** How long one wait for an answer may take, in milliseconds. */
  readonly timeout: number;
}

interface ProbeState {
  closed: boolean;
  wake: (() => void) | undefined;
}

/** Messages a probe holds unread; each check reads a handful. */
const MAX_INBOX = 1000;

export class RawProbe {
  readonly #transport: Transport;
  readonly #timeout: number;
  readonly #inbox: Incoming[];
  readonly #state: ProbeState;

  private constructor(transport: Transport, inbox: Incoming[], state: ProbeState, timeout: number) {
    this.#transport = transport;
    this.#inbox = inbox;
    this.#state = state;
    this.#timeout = timeout;
  }

  static async open(url: string, settings: ProbeSettings): Promise<RawProbe> {
    const inbox: Incoming[] = [];
    const state: ProbeState = { closed: false, wake: undefined };
    const connect = electrumConnector(url, { tls: settings.tls, connectTimeout: settings.timeout, proxy: settings.proxy });
    let transport: Transport | undefined = undefined;
    transport = await connect({
      message: (text) => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        // Checks read and quote what they get: a message nested past the SDK's own limit is kept as text only.
        if (nestsDeeperThan(json, DEFAULT_MAX_DEPTH)) json = undefined;
        // A server that floods messages a probe never asked for is cut off rather than buffered without bound.
        if (inbox.length >= MAX_INBOX) {
          state.closed = true;
          transport?.close();
        } else inbox.push({ json, text });
        state.wake?.();
      },
      error: () => {},
      close: () => {
        state.closed = true;
        state.wake?.();
      },
    });
    return new RawProbe(transport, inbox, state, settings.timeout);
  }

  get closed(): boolean {
    return this.#state.closed;
  }

  /** Sends text as one message, exactly as given (the transport adds only the framing). */
  send(text: string): void {
    this.#transport.send(text);
  }

  sendJson(value: unknown): void {
    this.send(JSON.stringify(value));
  }

  /**
   * Waits for a message `match` accepts and returns it with everything that arrived before it (those
   * are consumed too). Rejects with ProbeTimeout or ProbeClosed, carrying what was seen.
   */
  async waitFor(match: (message: Incoming) => boolean): Promise<{ found: Incoming; before: Incoming[] }> {
    const deadline = Date.now() + this.#timeout;
    for (;;) {
      const index = this.#inbox.findIndex(match);
      if (index >= 0) {
        const taken = this.#inbox.splice(0, index + 1);
        return { found: taken[index] as Incoming, before: taken.slice(0, index) };
      }
      if (this.#state.closed) throw new ProbeClosed(this.#inbox.splice(0));
      const left = deadline - Date.now();
      if (left <= 0) throw new ProbeTimeout(this.#inbox.splice(0));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#state.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#state.wake = undefined;
    }
  }

  /** Waits for the answer carrying this id. */
  answerTo(id: string | number): Promise<{ found: Incoming; before: Incoming[] }> {
    return this.waitFor((m) => isObject(m.json) && m.json['id'] === id);
  }

  close(): void {
    this.#transport.close();
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `error` member of an answer when it is a JSON-RPC error object. */
export function errorOf(message: unknown): { code: unknown; message: unknown } | undefined {
  if (!isObject(message) || !isObject(message['error'])) return undefined;
  return { code: message['error']['code'], message: message['error']['message'] };
}
