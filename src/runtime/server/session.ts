// One client connection on a server: parses what arrives, answers requests through the dispatcher
// in the dialect each came in, enforces the per-connection limits, and carries the server's own
// notifications and requests to the client. No Node imports: the connection is handed in.
import { excerpt } from '../bounded-json.js';
import { Emitter } from '../emitter.js';
import { ClosedError, ProtocolError, ServerError, ValidationError, type MessageTooLargeError, type StratumSdkError } from '../errors.js';
import { encodeBatch, encodeNotification, JSON_RPC_ERRORS, parseMessage, type Dialect, type IncomingMessage, type RequestMessage } from '../messages.js';
import { RpcSession, type RequestOptions } from '../session.js';
import type { TransportHandlers } from '../transport.js';
import type { ServerConnection, TransportKind } from './connection.js';
import { aiorpcxDialect, aiorpcxRefusal, detectAiorpcxProtocol, type AiorpcxProtocol, type DialectDetection } from './dialects.js';
import { SERVER_ERROR_CODES, type Dispatcher, type DispatchSubject, type Outcome, type RpcErrorBody } from './dispatch.js';
import { IdleTimer, MAX_TIMER_MS, unref } from './idle.js';
import type { ServerLimits } from './limits.js';
import { encodeErrorReply, encodeReply, type V1ErrorFormat } from './replies.js';
import type { SubscriptionIndex } from './subscriptions.js';

/** Server-to-client notifications by method name: their params tuples. */
export type NotificationMap<N> = { [K in keyof N]: readonly unknown[] };
/** Server-to-client requests by method name: params and result. */
export type RequestMap<R> = { [K in keyof R]: { readonly params: readonly unknown[]; readonly result: unknown } };

/** What is known of a connection when its session starts (given to the context factory). */
export interface SessionInfo {
  /** Unique within the server, from 1. */
  readonly id: number;
  readonly kind: TransportKind;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
}

export type IncomingProblem = ProtocolError | ServerError | MessageTooLargeError;

export interface SessionEvents {
  /** The connection closed; `error` says why (idle, not reading, too large, the peer went away...). */
  close: [error: StratumSdkError | undefined];
}

/** What every session of a server shares; built once by the server. */
export interface SessionEnvironment<S extends DispatchSubject> {
  readonly dispatcher: Dispatcher<S>;
  readonly limits: ServerLimits;
  /** The dialect of server-initiated messages until the client has spoken. */
  readonly dialect: Dialect;
  readonly v1Errors: V1ErrorFormat;
  /** How the client's dialect is read (dialects.ts). */
  readonly detection: DialectDetection;
  /** Default timeout of requests the server sends to the client. */
  readonly requestTimeout: number;
  /** Methods whose reply is sent before anything after them is looked at (server.version). */
  readonly barriers: ReadonlySet<string>;
  readonly subscriptions: SubscriptionIndex<S>;
  /** Throws a ValidationError when a notification breaks the spec (only when the server checks them). */
  readonly checkNotification: ((method: string, params: readonly unknown[], protocolVersion: string | undefined) => void) | undefined;
  readonly onNotification: (method: string, params: unknown[] | Record<string, unknown>, session: S) => void;
  readonly onProtocolError: (error: IncomingProblem, session: S) => void;
  readonly onClosed: (session: S, error: StratumSdkError | undefined) => void;
  /** A listener of the session's own events threw. */
  readonly onError: (error: unknown, session: S) => void;
}

type State = 'open' | 'closing' | 'ending' | 'closed';

// Node reads a TCP socket 64 KiB at a time.
const READ_CHUNK_BYTES = 65_536;

// Module-internal entry points, assigned in the class's static block so that they can reach private
// members. The server uses them; they are not part of the public API (do not re-export them).
/** @internal */
let openSession!: <Ctx, N extends NotificationMap<N>, R extends RequestMap<R>>(
  connection: ServerConnection,
  env: SessionEnvironment<ServerSession<Ctx, N, R>>,
  id: number,
  context: ((info: SessionInfo) => Ctx) | undefined,
) => { session: ServerSession<Ctx, N, R>; handlers: TransportHandlers };
/** @internal */
let writeEncoded!: <Ctx, N extends NotificationMap<N>, R extends RequestMap<R>>(session: ServerSession<Ctx, N, R>, text: string) => boolean;

export { openSession, writeEncoded };

export class ServerSession<
  Ctx = unknown,
  N extends NotificationMap<N> = Record<string, readonly unknown[]>,
  R extends RequestMap<R> = Record<string, { params: readonly unknown[]; result: unknown }>,
> {
  readonly id: number;
  readonly kind: TransportKind;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  /** The caller's per-session state, made by the server's `context` factory. */
  readonly context: Ctx;
  /** The negotiated protocol version (Electrum); undefined until negotiated, and for Stratum. */
  protocolVersion: string | undefined;
  /** How the client named its software (server.version's client_name, mining.subscribe's user agent). */
  clientName: string | undefined;

  readonly #connection: ServerConnection;
  readonly #env: SessionEnvironment<ServerSession<Ctx, N, R>>;
  readonly #events: Emitter<SessionEvents>;
  #state: State = 'open';
  #closeError: StratumSdkError | undefined;
  #dialect: Dialect | undefined;
  /** With 'aiorpcx' detection: the protocol the client's first JSON message fixed. */
  #protocol: AiorpcxProtocol | undefined;
  /** Requests being handled: what the pending limit counts. */
  #pending = 0;
  /** Replies (single or batch) not yet written: what a graceful close waits for. */
  #unanswered = 0;
  /** Messages that arrived while a barrier request was in flight or the pending limit was reached, in order. */
  #waiting: { readonly message: IncomingMessage; readonly size: number }[] = [];
  #waitingBytes = 0;
  /** A barrier request is in flight. */
  #barrier = false;
  /** Reading from the connection is paused because messages wait. */
  #paused = false;
  readonly #idle: IdleTimer;
  #drainTimer: ReturnType<typeof setTimeout> | undefined;
  #rpc: RpcSession | undefined;

  static {
    openSession = (connection, env, id, context) => {
      const info: SessionInfo = { id, kind: connection.kind, remoteAddress: connection.remoteAddress, remotePort: connection.remotePort };
      const session = new ServerSession(connection, env, info, context ? context(info) : (undefined as never));
      const handlers: TransportHandlers = {
        message: (text) => session.#receive(text),
        error: (error) => session.#transportError(error),
        close: (error) => session.#finished(error),
      };
      return { session, handlers };
    };
    writeEncoded = (session, text) => session.#state !== 'ending' && session.#state !== 'closed' && session.#write(text);
  }

  private constructor(connection: ServerConnection, env: SessionEnvironment<ServerSession<Ctx, N, R>>, info: SessionInfo, context: Ctx) {
    this.id = info.id;
    this.kind = info.kind;
    this.remoteAddress = info.remoteAddress;
    this.remotePort = info.remotePort;
    this.context = context;
    this.#connection = connection;
    this.#env = env;
    // A throwing close listener is the server's to report; it must not take the process down.
    this.#events = new Emitter<SessionEvents>((e) => env.onError(e, this));
    this.#idle = new IdleTimer(env.limits.idleTimeout, (quiet) => {
      if (this.#state === 'open') this.close(new ClosedError(`closed after ${Math.round(quiet)} ms without a message (idle timeout ${env.limits.idleTimeout} ms)`));
    });
  }

  /** The dialect of the client's first message; server-initiated messages use it. */
  get dialect(): Dialect {
    return this.#dialect ?? this.#env.dialect;
  }

  /** Requests of this client being handled now. */
  get pendingRequests(): number {
    return this.#pending;
  }

  /** True once the connection has closed. */
  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** True from the moment close() is called (or the connection dropped): no more requests are taken. */
  get closing(): boolean {
    return this.#state !== 'open';
  }

  on<E extends keyof SessionEvents>(event: E, listener: (...args: SessionEvents[E]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Sends a notification; false when the connection is gone (a normal race, not an error). */
  notify<M extends keyof N & string>(method: M, params: N[M]): boolean {
    if (this.#state === 'ending' || this.#state === 'closed') return false;
    this.#env.checkNotification?.(method, params, this.protocolVersion);
    return this.#write(encodeNotification(method, params, this.dialect));
  }

  /** Sends a request to the client and resolves with its result; rejects with ServerError, TimeoutError or ClosedError. */
  request<M extends keyof R & string>(method: M, params: R[M]['params'], options: RequestOptions = {}): Promise<R[M]['result']> {
    if (this.#state !== 'open') return Promise.reject(this.#closeError ?? new ClosedError(`${method}: the session is closing`));
    this.#rpc ??= new RpcSession({
      dialect: this.dialect,
      send: (text) => {
        if (!this.#write(text)) throw new ClosedError('the session is closed');
      },
      timeout: this.#env.requestTimeout,
      // Only the client's responses are fed to this RpcSession; its requests go to the dispatcher.
      onNotification: () => undefined,
      onRequest: () => undefined,
      onProtocolError: (error) => this.#env.onProtocolError(error, this),
    });
    return this.#rpc.request(method, params, options) as Promise<R[M]['result']>;
  }

  /** Subscribes this session to a key of a channel ('' for a channel without keys). True when new. */
  subscribe(channel: keyof N & string, key = ''): boolean {
    if (this.#state === 'ending' || this.#state === 'closed') return false;
    const subscriptions = this.#env.subscriptions;
    if (!subscriptions.has(this, channel, key) && subscriptions.countOf(this) >= this.#env.limits.maxSubscriptions) {
      // Code 1, what ElectrumX answers a request it refuses (BAD_REQUEST).
      throw new ServerError(channel, 1, `too many subscriptions on this connection (limit ${this.#env.limits.maxSubscriptions})`);
    }
    return subscriptions.add(this, channel, key);
  }

  /** True when the session was subscribed. */
  unsubscribe(channel: keyof N & string, key = ''): boolean {
    return this.#env.subscriptions.remove(this, channel, key);
  }

  isSubscribed(channel: keyof N & string, key = ''): boolean {
    return this.#env.subscriptions.has(this, channel, key);
  }

  /** The keys this session is subscribed to in a channel. */
  subscriptions(channel: keyof N & string): string[] {
    return this.#env.subscriptions.keysOf(this, channel);
  }

  /**
   * Closes gracefully: takes no more requests, lets the ones in flight answer (up to the drain
   * timeout), sends what is queued, then ends the connection. A handler may call it and its own
   * reply still goes out.
   */
  close(error?: StratumSdkError): void {
    if (this.#state !== 'open') return;
    this.#state = 'closing';
    this.#closeError = error;
    this.#waiting = [];
    this.#waitingBytes = 0;
    this.#idle.stop();
    if (this.#unanswered === 0) this.#end(true);
    else {
      const wait = Math.min(this.#env.limits.drainTimeout, MAX_TIMER_MS);
      this.#drainTimer = setTimeout(() => this.#end(true), wait);
      unref(this.#drainTimer);
    }
  }

  /** Drops the connection now; queued replies are lost. */
  destroy(error?: StratumSdkError): void {
    if (this.#state === 'closed') return;
    this.#closeError ??= error;
    this.#end(false);
  }

  // -------------------------------------------------------------------------------------------------
  // Incoming

  #receive(text: string): void {
    if (this.#state === 'ending' || this.#state === 'closed') return;
    this.#idle.touch();
    if (this.#env.detection === 'aiorpcx' && this.#protocol === undefined) {
      this.#protocol = detectAiorpcxProtocol(text);
      if (this.#protocol !== undefined) this.#dialect = aiorpcxDialect(this.#protocol);
    }
    const message = parseMessage(text, { maxBatchSize: this.#env.limits.maxBatchSize, maxDepth: this.#env.limits.maxMessageDepth });
    // Answers to the server's own requests never wait, even while closing: a handler in flight may
    // be awaiting one.
    if (message.type === 'result' || message.type === 'error') this.#response(message);
    else if (this.#state !== 'open') return;
    else if (this.#waiting.length === 0 && this.#ready()) this.#route(message);
    else if (this.#waitingBytes + text.length <= this.#maxWaitingBytes()) {
      this.#waiting.push({ message, size: text.length });
      this.#waitingBytes += text.length;
      this.#pause();
    } else this.#busy(message);
  }

  /**
   * What may wait: after a pause, a connection still delivers the rest of the chunk it was reading
   * (64 KiB for TCP) and a message that chunk completes (up to the message size limit).
   */
  #maxWaitingBytes(): number {
    return this.#env.limits.maxMessageSize + READ_CHUNK_BYTES;
  }

  /** A new message may be handled now: no barrier request in flight, and room under the pending limit. */
  #ready(): boolean {
    return !this.#barrier && this.#pending < this.#env.limits.maxPendingRequests;
  }

  /** Routes waiting messages while there is room; reading resumes once none wait. */
  #drain(): void {
    while (this.#waiting.length > 0 && this.#ready() && this.#state === 'open') {
      const { message, size } = this.#waiting.shift()!;
      this.#waitingBytes -= size;
      this.#route(message);
    }
    if (this.#waiting.length === 0) this.#resume();
  }

  #route(message: IncomingMessage): void {
    if (this.#state !== 'open') return;
    this.#dialect ??= dialectOf(message);
    const refusal = this.#refusal(message);
    if (refusal) {
      this.#writeError(message.type === 'request' ? message.id : null, refusal, this.dialect);
      return;
    }
    switch (message.type) {
      case 'request':
        this.#request(message);
        return;
      case 'notification':
        this.#env.onNotification(message.method, message.params, this);
        return;
      case 'result':
      case 'error':
        this.#response(message); // not reached from #receive, which answers these first
        return;
      case 'invalid':
        this.#writeError(message.id ?? null, this.#invalid(message.error), this.dialect);
        return;
      case 'batch':
        this.#batch(message.items);
        return;
    }
  }

  #request(message: RequestMessage): void {
    // Counted before the handler starts: a handler that calls close() must still get its reply out.
    this.#unanswered++;
    // A barrier's reply goes out before anything after it is looked at (server.version sets the
    // version the next requests are checked at).
    const barrier = this.#env.barriers.has(message.method);
    if (barrier) this.#barrier = true;
    this.#settle(
      this.#answer(message).then((text) => {
        this.#write(text);
        if (barrier) this.#barrier = false;
        this.#answered();
      }),
    );
  }

  /** The encoded reply, once the handler is done. Never rejects: whatever fails is answered -32603. */
  #answer(message: RequestMessage): Promise<string> {
    this.#pending++;
    return this.#env.dispatcher.answer(message.method, message.params, this).then(
      (outcome) => {
        this.#pending--;
        return this.#encode(message, outcome);
      },
      (error: unknown) => {
        // The dispatcher promises not to reject; if it does anyway, the client still gets its answer.
        this.#pending--;
        return this.#internalError(message, error);
      },
    );
  }

  /**
   * A handler's result can be something JSON cannot carry (a BigInt, a cycle, a toJSON that throws):
   * that is the handler's bug, so its client gets -32603 and the server reports it.
   */
  #encode(message: RequestMessage, outcome: Outcome): string {
    try {
      return encodeReply(message.id, outcome, this.#replyDialect(message), this.#env.v1Errors);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      return this.#internalError(message, new ValidationError(message.method, 'result', [`the reply cannot be encoded as JSON: ${reason}`]));
    }
  }

  #internalError(message: RequestMessage, error: unknown): string {
    this.#env.onError(error, this);
    return encodeErrorReply(message.id, { code: JSON_RPC_ERRORS.INTERNAL_ERROR, message: 'internal error' }, this.#replyDialect(message), this.#env.v1Errors);
  }

  /**
   * The last guard of a reply's way out: nothing in it should throw, but a rejection left unhandled
   * would take the whole process down, so one that does is reported and ends only this connection.
   */
  #settle(done: Promise<void>): void {
    done.catch((e: unknown) => {
      this.#env.onError(e, this);
      this.destroy(new ClosedError('the connection was closed: answering it failed', { cause: e }));
    });
  }

  /**
   * Every member answered on its own; one batch reply once all are done (members that are
   * notifications get none). A batch is let in whole, so the pending count may pass the limit by at
   * most one batch.
   */
  #batch(items: readonly IncomingMessage[]): void {
    this.#unanswered++;
    const replies = items.map((item): string | undefined | Promise<string> => {
      switch (item.type) {
        case 'request': {
          const refusal = this.#refusal(item);
          return refusal ? encodeErrorReply(item.id, refusal, this.dialect, this.#env.v1Errors) : this.#answer(item);
        }
        case 'invalid':
          return encodeErrorReply(item.id ?? null, this.#invalid(item.error), this.dialect, this.#env.v1Errors);
        case 'notification': {
          // aiorpcX answers a notification it refuses, with id null.
          const refusal = this.#refusal(item);
          if (refusal) return encodeErrorReply(null, refusal, this.dialect, this.#env.v1Errors);
          this.#env.onNotification(item.method, item.params, this);
          return undefined;
        }
        case 'result':
        case 'error':
          this.#response(item);
          return undefined;
        case 'batch':
          return undefined; // parseMessage never nests batches
      }
    });
    this.#settle(
      Promise.all(replies).then((texts) => {
        const encoded = texts.filter((t): t is string => t !== undefined);
        if (encoded.length > 0) this.#write(encodeBatch(encoded));
        this.#answered();
      }),
    );
  }

  /** A client's answer to a request the server sent. */
  #response(message: Extract<IncomingMessage, { type: 'result' | 'error' }>): void {
    if (this.#rpc) this.#rpc.handle(message);
    else {
      const id = excerpt(message.id, 80);
      this.#env.onProtocolError(new ProtocolError('unknown-id', `a reply for id ${id}, but no request was sent to this client`, id), this);
    }
  }

  /** What an unparsable or malformed message is answered with; the connection stays open. */
  #invalid(error: ProtocolError): RpcErrorBody {
    this.#env.onProtocolError(error, this);
    const parse = error.kind === 'invalid-json' || error.kind === 'invalid-utf8';
    return { code: parse ? JSON_RPC_ERRORS.PARSE_ERROR : JSON_RPC_ERRORS.INVALID_REQUEST, message: error.message };
  }

  #transportError(error: ProtocolError | MessageTooLargeError): void {
    if (error instanceof ProtocolError) this.#writeError(null, this.#invalid(error), this.dialect);
    else this.#env.onProtocolError(error, this);
  }

  /**
   * A message that arrived with the waiting queue full: the connection could not be paused (a custom
   * connection without pause()). Requests in it are answered -101; notifications are dropped.
   */
  #busy(message: IncomingMessage): void {
    const v1 = this.#env.v1Errors;
    if (message.type === 'request') this.#write(encodeErrorReply(message.id, this.#tooMany(), this.#replyDialect(message), v1));
    else if (message.type === 'batch') {
      const refused = message.items.flatMap((item) => (item.type === 'request' ? [encodeErrorReply(item.id, this.#tooMany(), this.#replyDialect(item), v1)] : []));
      if (refused.length > 0) this.#write(encodeBatch(refused));
    }
  }

  /** Per message, or (aiorpcX) the session's protocol. */
  #replyDialect(message: RequestMessage): Dialect {
    return this.#env.detection === 'aiorpcx' ? this.dialect : message.dialect;
  }

  /** What a request, notification or batch is refused with under aiorpcX's detected protocol (reported as a protocol error). */
  #refusal(message: IncomingMessage): RpcErrorBody | undefined {
    if (this.#env.detection !== 'aiorpcx') return undefined;
    const refusal = aiorpcxRefusal(this.#protocol, message);
    if (refusal) this.#env.onProtocolError(new ProtocolError('invalid-message', `${refusal.message} (the session speaks aiorpcX's JSON-RPC ${this.#protocol})`), this);
    return refusal;
  }

  #tooMany(): RpcErrorBody {
    const max = this.#env.limits.maxPendingRequests;
    return {
      code: SERVER_ERROR_CODES.EXCESSIVE_RESOURCE_USAGE,
      message: `excessive resource usage: ${max} requests in flight and ${this.#maxWaitingBytes()} bytes of messages waiting`,
    };
  }

  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#connection.pause?.();
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#connection.resume?.();
  }

  // -------------------------------------------------------------------------------------------------
  // Outgoing and lifetime

  #writeError(id: RequestMessage['id'] | null, error: RpcErrorBody, dialect: Dialect): void {
    this.#write(encodeErrorReply(id, error, dialect, this.#env.v1Errors));
  }

  #write(text: string): boolean {
    if (this.#state === 'ending' || this.#state === 'closed') return false;
    const limit = this.#env.limits.maxBufferedBytes;
    if (this.#connection.bufferedBytes() > limit) {
      this.destroy(new ClosedError(`the client is not reading: more than ${limit} bytes wait to be sent to it`));
      return false;
    }
    try {
      this.#connection.send(text);
      return true;
    } catch {
      // The connection is going away; its close handler ends the session.
      return false;
    }
  }

  #answered(): void {
    this.#unanswered--;
    if (this.#state === 'closing' && this.#unanswered === 0) this.#end(true);
    else this.#drain();
  }

  #end(graceful: boolean): void {
    if (this.#state === 'ending' || this.#state === 'closed') return;
    this.#state = 'ending';
    this.#waiting = [];
    this.#waitingBytes = 0;
    this.#idle.stop();
    clearTimeout(this.#drainTimer);
    // A paused socket would not see the peer's end of the connection, only the grace timer.
    this.#resume();
    this.#connection.close(graceful);
  }

  /** The connection is gone, whoever ended it. */
  #finished(error: StratumSdkError | undefined): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#waiting = [];
    this.#waitingBytes = 0;
    this.#idle.stop();
    clearTimeout(this.#drainTimer);
    const reason = this.#closeError ?? error;
    this.#rpc?.close(reason ?? new ClosedError('the connection closed'));
    this.#env.subscriptions.removeSession(this);
    this.#env.onClosed(this, reason);
    this.#events.emit('close', reason);
  }
}

/** The dialect a message was written in; a batch speaks its first member's. */
function dialectOf(message: IncomingMessage): Dialect | undefined {
  switch (message.type) {
    case 'invalid':
      return undefined;
    case 'batch':
      return message.items.length > 0 ? dialectOf(message.items[0]!) : undefined;
    default:
      return message.dialect;
  }
}
