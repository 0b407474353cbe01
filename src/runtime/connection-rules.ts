// What a client supplies to the connection core (connection.ts): its protocol rules (a handshake on each
// socket, a renewal after each reconnect, what the peer's own messages mean) and its lifecycle listeners.
import type { Backoff } from './backoff.js';
import type { MessageTooLargeError, ProtocolError, ServerError, StratumSdkError } from './errors.js';
import type { Dialect, ParseOptions, RequestMessage } from './messages.js';
import type { ReplyCheck, ResultCheck, RpcSession } from './session.js';
import type { Connector } from './transport.js';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ReconnectAttempt {
  readonly attempt: number;
  /** Milliseconds until the attempt. */
  readonly delay: number;
  /** Why the previous attempt failed; undefined before the first. */
  readonly error: StratumSdkError | undefined;
}

/** One socket and its session, as the rules see it. */
export interface Link<I> {
  readonly session: RpcSession;
  /** What the handshake negotiated; a handshake may set it before it ends, for notifications read meanwhile. */
  info: I | undefined;
  /** The check every request on it carries, from the handshake (undefined until it ends). */
  readonly check: ResultCheck | ReplyCheck | undefined;
}

/** What a handshake gives a link: its info, and the check every request on it carries. */
export interface Negotiated<I> {
  readonly info: I;
  readonly check: ResultCheck | ReplyCheck | undefined;
}

/** A protocol's part: what each socket must do, and what the peer's own messages mean. */
export interface ConnectionRules<I, R> {
  readonly dialect: Dialect;
  /** The sessions' default request timeout in milliseconds. */
  readonly timeout: number;
  readonly parse: ParseOptions;
  /** Runs on every fresh socket before it carries a request (server.version). Throwing fails the attempt. */
  handshake(link: Link<I>): Promise<Negotiated<I>>;
  /**
   * Runs after each reconnect, once the new link is current (requests made meanwhile go out after what it
   * sends before its first await). Its value goes to the `reconnect` event; throwing fails the attempt.
   */
  renew(link: Link<I>): R | Promise<R>;
  /** Errors after which another attempt would only be refused again (another chain, a refused certificate). */
  fatal(error: StratumSdkError): boolean;
  notification(method: string, params: unknown[] | Record<string, unknown>, link: Link<I>): void;
  /** A request from the peer: answered (`answer` in answer.ts) or refused (`refuse`) on the link's session. */
  request(request: RequestMessage, link: Link<I>): void;
  protocolError(error: ProtocolError | ServerError | MessageTooLargeError): void;
  /** Sent when nothing was sent for `keepAlive` ms. */
  ping?(link: Link<I>): void;
}

/** The lifecycle, as it happens. */
export interface ConnectionEvents<I, R> {
  /** A link was negotiated and is current (the first one and each reconnect). */
  connect?(info: I): void;
  /** The current link dropped and a reconnect follows. */
  disconnect?(error: StratumSdkError): void;
  reconnecting?(attempt: ReconnectAttempt): void;
  /** Reconnected and renewed. */
  reconnect?(result: R): void;
  /** For good (unless the client asks for a reconnect); `error` is undefined when the client closed it. */
  close?(error: StratumSdkError | undefined): void;
}

export interface ConnectionOptions<I, R> {
  /** Called for each socket, so it may lead somewhere else each time (a pool's client.reconnect). */
  readonly connector: Connector;
  readonly rules: ConnectionRules<I, R>;
  readonly events: ConnectionEvents<I, R>;
  /** Reconnect after a drop with these delays; undefined: a drop closes. */
  readonly backoff: Backoff | undefined;
  /** Milliseconds with nothing sent before `rules.ping` (requests, batches, renewals and replies all count); false: no keep-alive. */
  readonly keepAlive: number | false;
  /**
   * Requests made while (re)connecting: 'wait' for the link within their own timeout (Electrum), or 'reject'
   * at once with a ClosedError (mining: a share for a job of the lost connection is worth nothing).
   */
  readonly whileReconnecting: 'wait' | 'reject';
}
