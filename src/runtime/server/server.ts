// A JSON-RPC server over any number of listeners: the sessions, the subscription index, fan-out of
// notifications, and graceful shutdown. Protocol-agnostic: the registry and handlers are given.
import { Emitter } from '../emitter.js';
import { ClosedError, ValidationError, type StratumSdkError } from '../errors.js';
import { encodeNotification, type Dialect } from '../messages.js';
import { DEFAULT_REQUEST_TIMEOUT } from '../session.js';
import type { TransportHandlers } from '../transport.js';
import { ConnectionCounter } from './admission.js';
import type { Admission, ConnectionRefusal, ListenAddress, Listener, PeerAddress, ServerConnection, TransportKind } from './connection.js';
import type { DialectDetection } from './dialects.js';
import { Dispatcher, SERVER_ERROR_CODES, type DispatchRegistry, type HandlerTable } from './dispatch.js';
import { resolveLimits, type ServerLimitOptions, type ServerLimits } from './limits.js';
import { encodeErrorReply, type V1ErrorFormat } from './replies.js';
import {
  openSession,
  writeEncoded,
  type IncomingProblem,
  type NotificationMap,
  type RequestMap,
  type ServerSession,
  type SessionEnvironment,
  type SessionInfo,
} from './session.js';
import { SubscriptionIndex } from './subscriptions.js';
import { tapConnection, tapHandlers, type TrafficTap } from './tap.js';

export interface RpcServerOptions<Ctx, N extends NotificationMap<N>, R extends RequestMap<R>> {
  /** Validates params (and, with validateOutgoing, results and notifications); knows which version has what. */
  readonly registry: DispatchRegistry;
  readonly handlers: HandlerTable<ServerSession<Ctx, N, R>>;
  /** Methods whose reply goes out before the messages after them are looked at (server.version). */
  readonly barriers?: Iterable<string> | undefined;
  /** The version to gate and validate at before a session has negotiated one. */
  readonly assumedVersion?: string | undefined;
  readonly limits?: ServerLimitOptions | undefined;
  /** Dialect of server-initiated messages until the client has spoken (default '2.0'). */
  readonly dialect?: Dialect | undefined;
  /** How 1.0 replies carry errors (default 'array', Stratum's). */
  readonly v1Errors?: V1ErrorFormat | undefined;
  /** How a client's dialect is read: 'per-message' (default, Stratum's) or 'aiorpcx' (ElectrumX's); see dialects.ts. */
  readonly dialectDetection?: DialectDetection | undefined;
  /** Makes each session's `context`. */
  readonly context?: ((info: SessionInfo) => Ctx) | undefined;
  /** Default timeout of requests sent to clients, in ms (30 s). */
  readonly requestTimeout?: number | undefined;
  /** Check results and notifications the server sends against the spec (for development; off by default). */
  readonly validateOutgoing?: boolean | undefined;
}

export interface RpcServerEvents<S> {
  connection: [session: S];
  disconnect: [session: S, error: StratumSdkError | undefined];
  /** A client broke the protocol (bad JSON, a reply to nothing, ...); it was answered and carries on. */
  'protocol-error': [error: IncomingProblem, session: S];
  /** A handler failed unexpectedly (its client got -32603), or a hook threw. Logged to the console when nobody listens. */
  error: [error: unknown, session: S | undefined];
  /** A client sent a notification (a request without id); nothing is answered. */
  notification: [method: string, params: unknown[] | Record<string, unknown>, session: S];
  /**
   * A connection was refused at accept time: the server or its address was at its connection cap.
   * Not logged when nobody listens (a flood would flood the log too); `refusedConnections` counts them.
   */
  refused: [refusal: ConnectionRefusal];
}

export interface CloseOptions<S> {
  /** Called for each session before it is closed, e.g. to send client.reconnect. */
  readonly notify?: ((session: S) => void) | undefined;
}

const NO_HANDLERS: TransportHandlers = { message: () => undefined, error: () => undefined, close: () => undefined };

export class RpcServer<Ctx = unknown, N extends NotificationMap<N> = Record<string, readonly unknown[]>, R extends RequestMap<R> = Record<string, { params: readonly unknown[]; result: unknown }>> {
  readonly limits: ServerLimits;
  readonly #env: SessionEnvironment<ServerSession<Ctx, N, R>>;
  readonly #context: ((info: SessionInfo) => Ctx) | undefined;
  readonly #registry: RpcServerOptions<Ctx, N, R>['registry'];
  readonly #validateOutgoing: boolean;
  readonly #sessions = new Set<ServerSession<Ctx, N, R>>();
  readonly #subscriptions = new SubscriptionIndex<ServerSession<Ctx, N, R>>();
  readonly #listeners: Listener[] = [];
  readonly #connections: ConnectionCounter;
  readonly #dialect: Dialect;
  readonly #v1Errors: V1ErrorFormat;
  // A throwing event listener is logged, not re-emitted: an 'error' listener that throws must not loop.
  readonly #events = new Emitter<RpcServerEvents<ServerSession<Ctx, N, R>>>((e) => logQuietly('stratum-sdk server: an event listener threw:', e));
  #nextId = 1;
  #closing: Promise<void> | undefined;
  readonly #taps = new Set<TrafficTap>();

  constructor(options: RpcServerOptions<Ctx, N, R>) {
    this.limits = resolveLimits(options.limits);
    this.#connections = new ConnectionCounter(this.limits);
    this.#dialect = options.dialect ?? '2.0';
    this.#v1Errors = options.v1Errors ?? 'array';
    const requestTimeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
    if (!(requestTimeout > 0)) throw new RangeError(`requestTimeout must be a positive number of ms, got ${requestTimeout}`);
    this.#context = options.context;
    this.#registry = options.registry;
    this.#validateOutgoing = options.validateOutgoing ?? false;
    this.#env = {
      dispatcher: new Dispatcher({
        registry: options.registry,
        handlers: options.handlers,
        assumedVersion: options.assumedVersion,
        validateResults: this.#validateOutgoing,
        onError: (error, session) => this.#reportError(error, session),
      }),
      limits: this.limits,
      dialect: this.#dialect,
      v1Errors: this.#v1Errors,
      detection: options.dialectDetection ?? 'per-message',
      requestTimeout,
      barriers: new Set(options.barriers ?? []),
      subscriptions: this.#subscriptions,
      checkNotification: this.#validateOutgoing ? (method, params, version) => this.#checkNotification(method, params, version) : undefined,
      onNotification: (method, params, session) => this.#events.emit('notification', method, params, session),
      onProtocolError: (error, session) => this.#events.emit('protocol-error', error, session),
      onError: (error, session) => this.#reportError(error, session),
      onClosed: (session, error) => {
        this.#sessions.delete(session);
        this.#events.emit('disconnect', session, error);
      },
    };
  }

  /** Open sessions. */
  get sessions(): ReadonlySet<ServerSession<Ctx, N, R>> {
    return this.#sessions;
  }

  get closing(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Connections counted against limits.maxConnections now: every socket the listeners have accepted
   * and not yet seen close, sessions and handshakes in progress alike.
   */
  get connectionCount(): number {
    return this.#connections.count;
  }

  /** Connections refused at accept time since the server started (see the 'refused' event). */
  get refusedConnections(): number {
    return this.#connections.refused;
  }

  /** Connections counted now for one address (for IPv6, its /64). */
  connectionsFrom(address: string): number {
    return this.#connections.countOf(address);
  }

  on<E extends keyof RpcServerEvents<ServerSession<Ctx, N, R>>>(event: E, listener: (...args: RpcServerEvents<ServerSession<Ctx, N, R>>[E]) => void): () => void {
    return this.#events.on(event, listener);
  }

  off<E extends keyof RpcServerEvents<ServerSession<Ctx, N, R>>>(event: E, listener: (...args: RpcServerEvents<ServerSession<Ctx, N, R>>[E]) => void): void {
    this.#events.off(event, listener);
  }

  /** Starts a session on a connection; pass it to a listener, or call it with a connection of your own. */
  readonly accept = (connection: ServerConnection): TransportHandlers => {
    if (this.#closing) {
      connection.close(false);
      return NO_HANDLERS;
    }
    let opened: ReturnType<typeof openSession<Ctx, N, R>>;
    const id = this.#nextId++;
    const tapped = this.#taps.size > 0;
    try {
      opened = openSession<Ctx, N, R>(tapped ? tapConnection(connection, (text) => this.#tapped(id, 'out', text)) : connection, this.#env, id, this.#context);
    } catch (e) {
      // The context factory threw: no session for this connection, and the server carries on.
      this.#reportError(e, undefined);
      connection.close(false);
      return NO_HANDLERS;
    }
    this.#sessions.add(opened.session);
    this.#events.emit('connection', opened.session);
    return tapped ? tapHandlers(opened.handlers, (text) => this.#tapped(id, 'in', text)) : opened.handlers;
  };

  /**
   * Shows every message of the connections accepted from now on to `tap`, as text ('in' what a client
   * sent, 'out' what was written to it; the session id names the connection). Returns the way to stop.
   */
  tap(tap: TrafficTap): () => void {
    this.#taps.add(tap);
    return () => this.#taps.delete(tap);
  }

  #tapped(session: number, direction: 'in' | 'out', text: string): void {
    for (const tap of this.#taps) {
      try {
        tap(session, direction, text);
      } catch (e) {
        this.#reportError(e, undefined);
      }
    }
  }

  /**
   * Counts a freshly accepted socket against limits.maxConnections and limits.maxConnectionsPerAddress.
   * The server's own listeners call it before any handshake; a connection of your own given to
   * `accept` is counted only if you call this first (and `release` once it has closed).
   */
  readonly admit = (peer: PeerAddress): Admission => {
    const counted = this.#connections.admit(peer);
    if (counted.admitted) return counted;
    const { refusal } = counted;
    this.#events.emit('refused', refusal);
    // -101 is what aiorpcx (ElectrumX) answers excessive resource usage with; id null because the
    // client has asked nothing yet. Written in the server's own dialect: the client has not spoken.
    const goodbye = encodeErrorReply(null, { code: SERVER_ERROR_CODES.EXCESSIVE_RESOURCE_USAGE, message: refusal.message }, this.#dialect, this.#v1Errors);
    return { admitted: false, refusal, goodbye };
  };

  /** Adopts a listening socket: its address is reported and it is closed with the server. */
  addListener(listener: Listener): void {
    if (this.#closing) {
      void listener.close();
      throw new ClosedError('the server is closed');
    }
    this.#listeners.push(listener);
  }

  addresses(): ListenAddress[] {
    return this.#listeners.map((l) => l.address());
  }

  /** The address of the first listener of a kind (or the first listener). */
  address(kind?: TransportKind): ListenAddress | undefined {
    const listener = kind === undefined ? this.#listeners[0] : this.#listeners.find((l) => l.kind === kind);
    return listener?.address();
  }

  /** A URL for a listener: `tcp://127.0.0.1:50001`, `ws://[::1]:50003`. */
  url(kind?: TransportKind): string | undefined {
    const a = this.address(kind);
    if (!a) return undefined;
    return `${a.kind}://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
  }

  /** The sessions subscribed to a key of a channel ('' for a channel without keys). */
  subscribers(channel: keyof N & string, key = ''): ServerSession<Ctx, N, R>[] {
    return this.#subscriptions.subscribers(channel, key);
  }

  /**
   * Sends a notification to every session subscribed to the key (or, without a key, to the channel
   * itself, e.g. new headers). Encoded once per dialect. Returns how many sessions it was written to.
   */
  notifySubscribers<M extends keyof N & string>(method: M, params: N[M]): number;
  notifySubscribers<M extends keyof N & string>(method: M, key: string, params: N[M]): number;
  notifySubscribers<M extends keyof N & string>(method: M, keyOrParams: string | N[M], maybeParams?: N[M]): number {
    const keyed = typeof keyOrParams === 'string';
    const key = keyed ? keyOrParams : '';
    const params = (keyed ? maybeParams : keyOrParams) as N[M] | undefined;
    if (!Array.isArray(params)) throw new TypeError(`notifySubscribers(${method}): params must be an array`);
    return this.#fanOut(this.#subscriptions.subscribers(method, key), method, params);
  }

  /** Sends a notification to every open session (or those `filter` accepts). Returns how many it was written to. */
  broadcast<M extends keyof N & string>(method: M, params: N[M], filter?: (session: ServerSession<Ctx, N, R>) => boolean): number {
    const targets = [...this.#sessions].filter((s) => !s.closing && (filter?.(s) ?? true));
    return this.#fanOut(targets, method, params);
  }

  /**
   * Graceful shutdown: stops accepting, calls `notify` for each session, closes every session (each
   * lets its in-flight requests answer, up to limits.drainTimeout), and resolves once every listener
   * and every socket has closed. Calling it again returns the same promise.
   */
  close(options: CloseOptions<ServerSession<Ctx, N, R>> = {}): Promise<void> {
    this.#closing ??= (async () => {
      const listenersClosed = Promise.all(this.#listeners.map((l) => l.close()));
      const sessions = [...this.#sessions];
      const sessionsClosed = sessions.map((s) => (s.closed ? undefined : new Promise<void>((resolve) => s.on('close', () => resolve()))));
      for (const session of sessions) {
        if (options.notify) {
          try {
            options.notify(session);
          } catch (e) {
            this.#reportError(e, session);
          }
        }
        session.close(new ClosedError('the server is shutting down'));
      }
      await Promise.all([listenersClosed, ...sessionsClosed]);
    })();
    return this.#closing;
  }

  #fanOut(targets: readonly ServerSession<Ctx, N, R>[], method: string, params: readonly unknown[]): number {
    const encoded: Partial<Record<Dialect, string>> = {};
    const checked = new Set<string | undefined>();
    let sent = 0;
    for (const session of targets) {
      if (this.#validateOutgoing && !checked.has(session.protocolVersion)) {
        this.#checkNotification(method, params, session.protocolVersion);
        checked.add(session.protocolVersion);
      }
      const dialect = session.dialect;
      const text = (encoded[dialect] ??= encodeNotification(method, params, dialect));
      if (writeEncoded(session, text)) sent++;
    }
    return sent;
  }

  #checkNotification(method: string, params: readonly unknown[], protocolVersion: string | undefined): void {
    const check = this.#registry.validateNotification(method, params, { protocolVersion });
    if (!check.valid) throw new ValidationError(method, 'notification', check.errors);
  }

  /** Never throws: it is what the last guards of the input path call. */
  #reportError(error: unknown, session: ServerSession<Ctx, N, R> | undefined): void {
    if (this.#events.listenerCount('error') > 0) {
      this.#events.emit('error', error, session);
      return;
    }
    logQuietly(`stratum-sdk server${session ? ` (session ${session.id})` : ''}:`, error);
  }
}

function logQuietly(label: string, error: unknown): void {
  try {
    console.error(label, error);
  } catch {
    // A thrown value whose inspection throws (a hostile Proxy) is not worth a crash.
  }
}
