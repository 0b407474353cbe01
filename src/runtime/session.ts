// JSON-RPC session: ids, the pending table, timeouts and aborts. No I/O: it is given a `send`
// function and fed parsed messages, so it is tested without sockets. What only some of its users do
// lives beside it, so a bundle without them carries none of it: batches (session-batch.ts), answering
// the peer's requests (answer.ts).
import { excerpt } from './bounded-json.js';
import { AbortedError, ClosedError, ProtocolError, ServerError, StratumSdkError, TimeoutError } from './errors.js';
import { encodeRequest, DEFAULT_MAX_DEPTH, parseMessage, type Dialect, type IncomingMessage, type MessageId, type ParseOptions, type RequestMessage } from './messages.js';
import { PendingTable } from './pending.js';

export interface RequestOptions {
  /** Milliseconds to wait for the answer; overrides the session default. Infinity waits for ever. */
  readonly timeout?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** No options, one frozen object for every request made without any (none is made per call). */
export const NO_OPTIONS: RequestOptions = Object.freeze({});

export interface SessionOptions {
  readonly dialect: Dialect;
  /** Writes one encoded message; framing is the transport's business. */
  readonly send: (text: string) => void;
  /** Default per-request timeout. */
  readonly timeout: number;
  readonly onNotification: (method: string, params: unknown[] | Record<string, unknown>) => void;
  /** A request from the peer: answered (answer.ts) or refused as its protocol says; the session keeps no record of it. */
  readonly onRequest: (request: RequestMessage) => void;
  readonly onProtocolError: (error: ProtocolError | ServerError) => void;
}

/** A success reply as parsed, with what the result alone does not show (ckpool's `reject-reason`). */
export type ResultReply = Extract<IncomingMessage, { type: 'result' }>;
/** An error reply as parsed: the peer's error in one shape, and any result or `reject-reason` sent beside it. */
export type ErrorReply = Extract<IncomingMessage, { type: 'error' }>;

/**
 * Sees a request's result before its promise settles, in the order the session reads the peer's
 * messages (a notification read after the reply has not been dispatched yet); if it throws, the request
 * rejects with that error instead. It is given the method and params, so one function serves every
 * request: a caller that checks every result then keeps no closure per request in flight.
 */
export type ResultCheck = (method: string, params: readonly unknown[], result: unknown, reply: ResultReply) => void;

/**
 * A result check that also sees error replies before their request rejects: a client that keeps state
 * from replies (a worker the pool refused) reads both kinds in wire order, with the request they answer.
 */
export interface ReplyCheck {
  readonly result: ResultCheck;
  /** Returns the error to reject with instead of `error` (or nothing to keep it); a throw is used the same way. */
  readonly error: (method: string, params: readonly unknown[], error: ServerError, reply: ErrorReply) => StratumSdkError | undefined;
}

/** Removes a request's abort listener once it settles; made only for a request given a signal. */
type AbortHook = () => void;

/** A request in flight, as its table keeps it (see pending.ts); its deadline queue is undefined when it waits for ever. */
type Pending = [
  id: number,
  method: string,
  params: readonly unknown[],
  resolve: Settle<unknown>,
  reject: Settle<StratumSdkError>,
  check: ResultCheck | ReplyCheck | undefined,
  abort: AbortHook | undefined,
  deadlines: DeadlineQueue | undefined,
];

/** Settles a request: a promise's resolve or reject (which ignores the id), or a batch's, which reads it. */
export type Settle<T> = (value: T, id: number) => void;

// 30 s: ElectrumX's own REQUEST_TIMEOUT, after which it answers -102 itself.
export const DEFAULT_REQUEST_TIMEOUT = 30_000;

// setTimeout fires after 1 ms for anything above this (about 24.8 days), so longer waits get no timer.
const MAX_TIMER_MS = 2 ** 31 - 1;

export function checkTimeout(ms: number): void {
  if (!(ms > 0)) throw new RangeError(`a timeout must be a positive number of milliseconds (or Infinity), got ${ms}`);
}

/**
 * One executor for every request's promise: it hands its resolve and reject over here, read right after
 * the constructor (which runs it synchronously) returns, so no closure is made per request.
 */
const captured: { resolve: (value: unknown) => void; reject: (error: StratumSdkError) => void } = { resolve: () => undefined, reject: () => undefined };
function capture(resolve: (value: unknown) => void, reject: (error: StratumSdkError) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

export class RpcSession {
  readonly #options: SessionOptions;
  /** Requests in flight, each a `Pending`. */
  #pending = new PendingTable();
  /** Deadlines by timeout length (most sessions use one): one timer each instead of one per request. */
  readonly #queues = new Map<number, DeadlineQueue>();
  #nextId = 1;
  #closed: ClosedError | undefined;
  /**
   * Sees each line before it is parsed (see receive): a protocol's reader of the lines it knows by their
   * exact text, which takes one (true) only where it does what parsing and handling it would, and leaves
   * the rest (false) untouched. It may take only messages nested at most two levels deep.
   */
  lineReader: ((text: string) => boolean) | undefined = undefined;

  constructor(options: SessionOptions) {
    checkTimeout(options.timeout);
    this.#options = options;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Keeps pending requests in `table` from now on (a faster one, see pending-ring.ts); only while none is pending. */
  set pendingTable(table: PendingTable) {
    if (this.#pending.size) throw new RangeError('requests are pending');
    this.#pending = table;
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** What requests reject with once closed. */
  get closeError(): ClosedError | undefined {
    return this.#closed;
  }

  /** Its options: the dialect, the default timeout and the raw `send`, for what works beside it (session-batch.ts). */
  get options(): SessionOptions {
    return this.#options;
  }

  /**
   * `check` sees the reply before the promise settles; if it throws, the request rejects with that
   * error instead. A caller that validates every result then needs no second promise per request.
   */
  request(method: string, params: readonly unknown[], options: RequestOptions = {}, check?: ResultCheck | ReplyCheck): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closed);
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError(method, signal.reason));
    const timeoutMs = options.timeout ?? this.#options.timeout;
    try {
      checkTimeout(timeoutMs);
    } catch (e) {
      return Promise.reject(e);
    }
    const promise = new Promise<unknown>(capture);
    const { resolve, reject } = captured;
    let id: number;
    try {
      id = this.register(method, params, timeoutMs, signal, resolve, reject, check);
    } catch (e) {
      // As a throw inside a promise's executor would: the promise rejects, request() does not throw.
      reject(e as StratumSdkError);
      return promise;
    }
    try {
      this.#options.send(encodeRequest(id, method, params, this.#options.dialect));
    } catch (e) {
      this.reject(id, () => new ClosedError(`${method}: could not send`, { cause: e }));
    }
    return promise;
  }

  /** Sends one encoded message as it is (a reply, a notification); throws once closed, or what `send` throws. */
  send(text: string): void {
    if (this.#closed) throw this.#closed;
    this.#options.send(text);
  }

  /** Takes one framed line from the peer: the line reader's, or parsed and handled. Never throws. */
  receive(text: string, parse?: ParseOptions): void {
    const reader = this.lineReader;
    // A depth limit under two refuses what the reader takes, so it is left to the parser's verdict.
    if (reader !== undefined && (parse?.maxDepth ?? DEFAULT_MAX_DEPTH) >= 2 && reader(text)) return;
    this.handle(parseMessage(text, parse));
  }

  /** Takes one parsed message from the peer. Never throws: problems go to onProtocolError. */
  handle(message: IncomingMessage): void {
    switch (message.type) {
      case 'batch':
        for (const item of message.items) this.handle(item);
        return;
      case 'invalid': {
        this.#options.onProtocolError(message.error);
        // A reply that carried a usable id (too deep, say) answers its request, badly: it fails now
        // instead of waiting out its timeout. A peer's request with that id is not ours to settle.
        if (message.reply && message.id !== undefined && message.id !== null) this.reject(message.id, () => message.error);
        return;
      }
      case 'notification':
        this.#options.onNotification(message.method, message.params);
        return;
      case 'request':
        this.#options.onRequest(message);
        return;
      case 'result': {
        const p = this.#settle(message.id);
        if (!p) {
          this.#stray(message.id, excerpt(message.result));
          return;
        }
        // Read before anything else takes from the table: a check may send requests.
        const [id, method, params, resolve, reject, check] = p;
        if (check === undefined) resolve(message.result, id);
        else {
          try {
            if (typeof check === 'function') check(method, params, message.result, message);
            else check.result(method, params, message.result, message);
            resolve(message.result, id);
          } catch (e) {
            reject(refused(method, e), id);
          }
        }
        return;
      }
      case 'error': {
        const p = this.#settle(message.id);
        const error = new ServerError(p?.[1] ?? '(no request)', message.error.code, message.error.message, message.error.data);
        if (p) {
          const [id, method, params, , reject, check] = p;
          reject(check === undefined || typeof check === 'function' ? error : checkedError(method, params, check, error, message), id);
        } else if (message.id === null) this.#options.onProtocolError(error);
        else this.#stray(message.id, message.error.message.slice(0, 400));
        return;
      }
    }
  }

  /** Rejects every pending request with a ClosedError; afterwards requests fail at once. */
  close(cause?: unknown): void {
    if (this.#closed) return;
    this.#closed =
      cause instanceof ClosedError
        ? cause
        : new ClosedError(`the connection closed${cause instanceof Error ? `: ${cause.message}` : ''}`, { cause });
    const closed = this.#closed;
    for (const id of [...this.#pending.keys()]) this.reject(id, () => closed);
    for (const queue of this.#queues.values()) queue.clear();
    this.#queues.clear();
  }

  /**
   * Issues the next id to a request and keeps it pending until `resolve` or `reject` is called with it; the
   * caller sends it. Ids are issued one after another, so calls with nothing in between get consecutive ids.
   */
  register(
    method: string,
    params: readonly unknown[],
    timeoutMs: number,
    signal: AbortSignal | undefined,
    resolve: Settle<unknown>,
    reject: Settle<StratumSdkError>,
    check: ResultCheck | ReplyCheck | undefined,
  ): number {
    const id = this.#nextId++;
    const abort = signal ? this.#abortListener(id, method, signal) : undefined;
    const deadlines = timeoutMs <= MAX_TIMER_MS ? this.#deadlines(timeoutMs) : undefined;
    this.#pending.add(id, method, params, resolve, reject, check, abort, deadlines);
    deadlines?.add(id, Date.now() + timeoutMs);
    return id;
  }

  /** Listens for an abort of one request; a function of its own, so requests without a signal make no closure context. */
  #abortListener(id: number, method: string, signal: AbortSignal): AbortHook {
    const onAbort = () => this.reject(id, () => new AbortedError(method, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }

  /** Rejects a pending request (if it still is) with the error made for its method. */
  reject(id: MessageId, error: (method: string) => StratumSdkError): void {
    const p = this.#settle(id);
    // Its reject and method, read before the error is made.
    if (p) p[4](error(p[1]), p[0]);
  }

  /** Takes a request from the table, with its abort listener and its place in its deadline queue. */
  #settle(id: unknown): Pending | undefined {
    const p = this.#pending.take(id) as Pending | undefined;
    if (p) {
      const [, , , , , , abort, deadlines] = p;
      abort?.();
      // Only the oldest entry's answer can let the queue move on.
      if (deadlines?.oldest === p[0]) deadlines.dropAnswered();
    }
    return p;
  }

  /** The deadline queue of one timeout length, made on first use. */
  #deadlines(timeoutMs: number): DeadlineQueue {
    let queue = this.#queues.get(timeoutMs);
    if (!queue) {
      queue = new DeadlineQueue(
        (id) => this.#pending.has(id),
        (id) => this.reject(id, (method) => new TimeoutError(method, timeoutMs)),
        // The default length's queue stays; one made for an odd length (a per-request timeout, what is
        // left of one after waiting for a reconnect) goes once empty, so lengths do not pile up.
        timeoutMs === this.#options.timeout ? undefined : () => this.#queues.delete(timeoutMs),
      );
      this.#queues.set(timeoutMs, queue);
    }
    return queue;
  }

  #stray(id: MessageId, text: string) {
    // Ids are issued in order, so an id below the next one was answered (or timed out) already.
    const duplicate = typeof id === 'number' && Number.isInteger(id) && id > 0 && id < this.#nextId;
    this.#options.onProtocolError(
      duplicate
        ? new ProtocolError('duplicate-id', `a reply for request ${id}, which was already settled`, text)
        : new ProtocolError('unknown-id', `a reply for id ${excerpt(id, 80)}, which was never sent`, text),
    );
  }
}

/** What a check threw, as the request's error: an SDK error as it is, anything else as a protocol error. */
function refused(method: string, e: unknown): StratumSdkError {
  return e instanceof StratumSdkError ? e : new ProtocolError('invalid-message', `${method}: the result was refused: ${String(e)}`, undefined, { cause: e });
}

function checkedError(method: string, params: readonly unknown[], check: ReplyCheck, error: ServerError, reply: ErrorReply): StratumSdkError {
  try {
    return check.error(method, params, error, reply) ?? error;
  } catch (e) {
    return refused(method, e);
  }
}

/**
 * Deadlines of requests that share one timeout length. They fall due in the order the requests were
 * made, so one timer, set for the oldest request still pending, serves them all. Thousands of
 * pipelined requests then cost an array entry each instead of a timer each. Answered requests are
 * dropped from the front as replies arrive (mostly in order), and with nothing left the timer is
 * cleared, so an idle session holds no timer (and does not keep the process alive).
 */
class DeadlineQueue {
  #ids: number[] = [];
  #due: number[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #isPending: (id: number) => boolean;
  readonly #expire: (id: number) => void;
  readonly #onEmpty: (() => void) | undefined;

  constructor(
    isPending: (id: number) => boolean,
    expire: (id: number) => void,
    onEmpty: (() => void) | undefined,
  ) {
    this.#isPending = isPending;
    this.#expire = expire;
    this.#onEmpty = onEmpty;
  }

  /** The id of the oldest entry not yet dropped (answered or not), or undefined when empty. */
  get oldest(): number | undefined {
    return this.#ids[this.#head];
  }

  add(id: number, due: number): void {
    this.#ids.push(id);
    this.#due.push(due);
    if (this.#timer === undefined) this.#arm();
  }

  /** Drops answered requests from the front; clears the timer when none is left. */
  dropAnswered(): void {
    while (this.#head < this.#ids.length && !this.#isPending(this.#ids[this.#head] as number)) this.#head++;
    if (this.#head === this.#ids.length) {
      this.clear();
      this.#onEmpty?.();
    } else if (this.#head > 1024 && this.#head * 2 > this.#ids.length) {
      this.#ids = this.#ids.slice(this.#head);
      this.#due = this.#due.slice(this.#head);
      this.#head = 0;
    }
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#ids = [];
    this.#due = [];
    this.#head = 0;
  }

  /** Sets the timer for the front entry (which may since have been answered: then it just re-arms). */
  #arm(): void {
    const due = this.#due[this.#head] as number;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, due - Date.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    const now = Date.now();
    while (this.#head < this.#ids.length && (this.#due[this.#head] as number) <= now) {
      const id = this.#ids[this.#head++] as number;
      if (this.#isPending(id)) this.#expire(id);
    }
    this.dropAnswered();
    if (this.#head < this.#ids.length && this.#timer === undefined) this.#arm();
  }
}
