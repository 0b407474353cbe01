// The connection core both clients stand on: one logical connection that outlives its sockets. It owns
// the transport (through a Connector) and the JSON-RPC session of each socket, waits for a connection on
// behalf of requests, keeps an idle connection alive, reconnects with backoff and jitter, and reports each
// step. What a protocol needs on a fresh socket (a handshake) and after a reconnect (renewals) comes from
// the client as rules (connection-rules.ts), so the core knows nothing of Electrum or Stratum. No I/O of
// its own, no Node imports.
import { backoffDelay } from './backoff.js';
import type { ConnectionEvents, ConnectionOptions, ConnectionRules, ConnectionState, Link } from './connection-rules.js';
import { ClosedError, StratumSdkError } from './errors.js';
import { IdleTimer } from './keep-alive.js';
import { NO_OPTIONS, RpcSession, type ReplyCheck, type RequestOptions, type ResultCheck } from './session.js';
import type { Transport } from './transport.js';
import { remainingTimeout, Waiters } from './waiters.js';

export type { ConnectionEvents, ConnectionOptions, ConnectionRules, ConnectionState, Link, Negotiated, ReconnectAttempt } from './connection-rules.js';

/**
 * How long `close()` waits for a socket's close to be reported. A WebSocket's closing handshake takes a
 * round trip, and a socket brought by the caller may never report it: the promise must settle anyway.
 */
export const CLOSE_WAIT_MS = 2_000;


class LinkImpl<I> implements Link<I> {
  info: I | undefined = undefined;
  check: ResultCheck | ReplyCheck | undefined = undefined;
  transport: Transport | undefined;
  /** Why the socket ended; set once it has. */
  ended: StratumSdkError | undefined;
  readonly session: RpcSession;

  /** `sent` hears of every message sent (keep-alive counts them all: requests, batches, renewals, replies). */
  constructor(rules: ConnectionRules<I, unknown>, sent: () => void) {
    this.session = new RpcSession({
      dialect: rules.dialect,
      send: (text) => {
        if (!this.transport) throw new ClosedError('not connected');
        this.transport.send(text);
        sent();
      },
      timeout: rules.timeout,
      onNotification: (method, params) => rules.notification(method, params, this),
      onRequest: (request) => rules.request(request, this),
      onProtocolError: (error) => rules.protocolError(error),
    });
  }

  /** Rejects what is pending with `cause` and closes the socket; resolves once it has closed. */
  close(cause: unknown): Promise<void> {
    this.session.close(cause);
    return Promise.resolve(this.transport?.close());
  }
}

export class Connection<I, R> {
  readonly #options: ConnectionOptions<I, R>;
  readonly #rules: ConnectionRules<I, R>;
  readonly #events: ConnectionEvents<I, R>;
  readonly #waiters = new Waiters<LinkImpl<I>>();
  readonly #idle: IdleTimer | undefined;
  #state: ConnectionState = 'idle';
  /** The current link: set while the state is 'open'. */
  #link: LinkImpl<I> | undefined;
  /** A link still in its handshake. */
  #opening: LinkImpl<I> | undefined;
  #info: I | undefined;
  #renewing = false;
  #closedByUser = false;
  #closeError: ClosedError | undefined;
  #cancelSleep: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ConnectionOptions<I, R>) {
    this.#options = options;
    this.#rules = options.rules;
    this.#events = options.events;
    const ping = options.rules.ping;
    this.#idle =
      options.keepAlive === false || ping === undefined
        ? undefined
        : new IdleTimer(options.keepAlive, () => {
            const link = this.#link;
            if (link !== undefined) ping.call(this.#rules, link);
          });
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The current link, while open. */
  get link(): Link<I> | undefined {
    return this.#link;
  }

  /** What the latest handshake negotiated (kept after a drop or a close). */
  get info(): I | undefined {
    return this.#info;
  }

  /** Between a drop (or a reconnect asked for) and the end of the renewal on the new link. */
  get reconnecting(): boolean {
    return this.#state === 'reconnecting' || this.#renewing;
  }

  get closedByUser(): boolean {
    return this.#closedByUser;
  }

  /** What requests reject with once closed. */
  get closeError(): ClosedError | undefined {
    return this.#closeError;
  }

  get pendingCount(): number {
    return this.#link?.session.pendingCount ?? 0;
  }

  /** Opens the first link. A failure is not retried: it rejects, and the connection is closed. */
  async connect(): Promise<I> {
    if (this.#state !== 'idle') throw new ClosedError(`connect() was already called (the client is ${this.#state})`);
    this.#state = 'connecting';
    let link: LinkImpl<I>;
    try {
      link = await this.#open();
    } catch (e) {
      this.#finish(asSdkError(e), false);
      throw e;
    }
    this.#current(link);
    return link.info as I;
  }

  /** A request on the current link, or, while (re)connecting, on the next one within its own timeout. */
  request(method: string, params: readonly unknown[], options: RequestOptions = NO_OPTIONS): Promise<unknown> {
    const link = this.#link;
    // The common case, connected: no promise and no turn spent waiting, the caller's options as they are.
    if (link !== undefined) return this.#send(link, method, params, options);
    const timeout = options.timeout ?? this.#rules.timeout;
    const started = Date.now();
    return this.ready(method, options).then((l) =>
      this.#send(l as LinkImpl<I>, method, params, { signal: options.signal, timeout: remainingTimeout(timeout, started) }),
    );
  }

  /** The current link, or the next one (bounded by the request's timeout and signal) while (re)connecting. */
  ready(method: string, options: RequestOptions = NO_OPTIONS): Promise<Link<I>> {
    if (this.#link !== undefined) return Promise.resolve(this.#link);
    if (this.#state === 'closed') return Promise.reject(this.#closeError ?? new ClosedError('the client is closed'));
    if (this.#state === 'idle') return Promise.reject(new ClosedError('not connected: call connect() first'));
    if (this.#options.whileReconnecting === 'reject') return Promise.reject(new ClosedError(`${method}: the client is ${this.#state}`));
    return this.#waiters.wait(method, options.timeout ?? this.#rules.timeout, options.signal);
  }

  /**
   * What `reconnect()` (reconnect.ts) does once it has checked that it may: drops the current link and
   * reconnects after `delayMs`. Unchecked, so call that instead; the checks live there, with the one
   * client that reconnects when asked (Mining), and an Electrum client's bundle carries none of them.
   */
  redial(delayMs: number): Promise<R> {
    const link = this.#link;
    this.#link = undefined;
    this.#idle?.stop();
    this.#state = 'reconnecting';
    void link?.close(new ClosedError('the client is reconnecting'));
    return this.#reconnectLoop(delayMs);
  }

  /**
   * Closes for good: a reconnect under way stops, pending and waiting requests reject with a ClosedError.
   * Resolves once the sockets have closed (at most CLOSE_WAIT_MS); it never rejects.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    const links = [this.#link, this.#opening];
    this.#finish(undefined, true);
    const cause = new ClosedError('closed by the client');
    const closed = Promise.all(links.map((link) => link?.close(cause))).then(
      () => undefined,
      () => undefined,
    );
    this.#closing = within(closed, CLOSE_WAIT_MS);
    return this.#closing;
  }

  #send(link: LinkImpl<I>, method: string, params: readonly unknown[], options: RequestOptions): Promise<unknown> {
    return link.session.request(method, params, options, link.check);
  }

  /** A new socket, through its handshake; not yet current. */
  async #open(): Promise<LinkImpl<I>> {
    const link = new LinkImpl<I>(this.#rules, () => this.#idle?.touch());
    this.#opening = link;
    const parse = this.#rules.parse;
    try {
      link.transport = await this.#options.connector({
        message: (text) => link.session.receive(text, parse),
        error: (error) => this.#rules.protocolError(error),
        close: (error) => this.#ended(link, error),
      });
      this.#throwIfClosed();
      const { info, check } = await this.#rules.handshake(link);
      // close() during the handshake closed the socket, unless the answer was already read.
      this.#throwIfClosed();
      link.info = info;
      link.check = check;
      return link;
    } catch (e) {
      void link.close(e);
      throw e;
    } finally {
      if (this.#opening === link) this.#opening = undefined;
    }
  }

  #throwIfClosed(): void {
    if (this.#state === 'closed') throw new ClosedError('closed by the client');
  }

  /** Makes a negotiated link the current one. */
  #current(link: LinkImpl<I>): void {
    this.#link = link;
    this.#info = link.info;
    this.#state = 'open';
    this.#idle?.start();
    this.#waiters.resolveAll(link);
    this.#events.connect?.(link.info as I);
  }

  /** A socket ended (the peer, the network, or our own close). */
  #ended(link: LinkImpl<I>, error: StratumSdkError | undefined): void {
    const reason = error ?? new ClosedError('the connection closed');
    link.ended = reason;
    link.session.close(error);
    // A replaced link, or one whose renewal is under way: that renewal fails and decides what follows.
    if (this.#link !== link || this.#renewing) return;
    this.#link = undefined;
    this.#idle?.stop();
    if (this.#state === 'closed') return;
    if (!this.#options.backoff) {
      this.#finish(reason, false);
      return;
    }
    this.#state = 'reconnecting';
    this.#events.disconnect?.(reason);
    // A failure ends in `close`, which reports it.
    this.#reconnectLoop(undefined).catch(() => undefined);
  }

  /** Attempts until one connects and renews; the first after `firstDelay` when given, the rest after the backoff's delays. */
  async #reconnectLoop(firstDelay: number | undefined): Promise<R> {
    const backoff = this.#options.backoff;
    const attempts = backoff?.maxAttempts ?? 1;
    let lastError: StratumSdkError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const delay = attempt === 1 && firstDelay !== undefined ? firstDelay : backoff ? backoffDelay(attempt, backoff) : 0;
      this.#events.reconnecting?.({ attempt, delay, error: lastError });
      if (!(await this.#sleep(delay))) throw this.#closeError ?? new ClosedError('closed by the client');
      let link: LinkImpl<I>;
      try {
        link = await this.#open();
      } catch (e) {
        if (this.#state === 'closed') throw e;
        lastError = asSdkError(e);
        if (this.#rules.fatal(lastError)) break;
        continue;
      }
      this.#current(link);
      this.#renewing = true;
      try {
        const result = await this.#rules.renew(link);
        // A drop while renewing is this attempt's failure, even when the renewal did not notice it.
        if (link.ended) throw link.ended;
        this.#renewing = false;
        if (this.#link !== link) throw this.#closeError ?? new ClosedError('closed by the client');
        this.#events.reconnect?.(result);
        return result;
      } catch (e) {
        this.#renewing = false;
        if (this.#state === 'closed') throw e;
        lastError = asSdkError(e);
        this.#link = undefined;
        this.#idle?.stop();
        this.#state = 'reconnecting';
        void link.close(lastError instanceof ClosedError ? lastError : new ClosedError(`the renewal failed: ${lastError.message}`, { cause: lastError }));
        if (this.#rules.fatal(lastError)) break;
      }
    }
    const error = lastError ?? new ClosedError('gave up reconnecting');
    this.#finish(error, false);
    throw error;
  }

  /** Waits between attempts; false when closed meanwhile. */
  #sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#cancelSleep = undefined;
        resolve(this.#state !== 'closed');
      }, ms);
      this.#cancelSleep = () => {
        clearTimeout(timer);
        this.#cancelSleep = undefined;
        resolve(false);
      };
    });
  }

  /** Closed: by `close()` (`byUser`) or because the connection failed for good. */
  #finish(error: StratumSdkError | undefined, byUser: boolean): void {
    if (byUser) this.#closedByUser = true;
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#idle?.stop();
    this.#cancelSleep?.();
    this.#link = undefined;
    const reason = error ?? new ClosedError('closed by the client');
    this.#closeError = reason instanceof ClosedError ? reason : new ClosedError(`the client is closed: ${reason.message}`, { cause: reason });
    this.#waiters.rejectAll(this.#closeError);
    this.#events.close?.(error);
  }
}

export function asSdkError(e: unknown): StratumSdkError {
  if (e instanceof StratumSdkError) return e;
  return new ClosedError(e instanceof Error ? e.message : String(e), { cause: e });
}

/** `promise`, or undefined after `ms`, whichever comes first; the timer does not keep a process alive. */
function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
