// Every error the SDK raises: one base class with a stable string `code`. "The peer answered with an
// error" (ServerError) and "the peer broke the protocol" (ProtocolError) are different classes.
import { cut } from './bounded-json.js';

export type ErrorCode =
  | 'TIMEOUT'
  | 'ABORTED'
  | 'CLOSED'
  | 'CONNECT'
  | 'TLS'
  | 'PROTOCOL'
  | 'MESSAGE_TOO_LARGE'
  | 'VALIDATION'
  | 'SERVER'
  | 'VERSION_MISMATCH'
  | 'WRONG_CHAIN'
  | 'OVERFLOW'
  /** A server said something provably false (the ElectrumNetwork's LyingServerError). */
  | 'LIE'
  /** A server refused or cut short an answer for one of its own limits (the ElectrumNetwork's ServerLimitError). */
  | 'SERVER_LIMIT';

// The classes' fields are declared, not defined: each constructor sets all of its own, and a definition would
// be emitted once more per field in every bundle (`method;` before `this.method = method`).
export class StratumSdkError extends Error {
  declare readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    // Each SDK class also names itself as text (its `name` field, set after this): a minifier renames
    // classes, and new.target.name with them. A subclass of the caller's own takes its parent's name
    // unless it declares its own `name` too.
    this.name = new.target.name;
  }
}

/** A request got no answer in time. */
export class TimeoutError extends StratumSdkError {
  override name = 'TimeoutError';
  declare readonly method: string;
  declare readonly timeoutMs: number;
  constructor(method: string, timeoutMs: number) {
    super('TIMEOUT', `${method}: no answer within ${timeoutMs} ms`);
    this.method = method;
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired. */
export class AbortedError extends StratumSdkError {
  override name = 'AbortedError';
  constructor(method: string, reason?: unknown) {
    super('ABORTED', `${method}: aborted`, { cause: reason });
  }
}

/** The connection closed (or was never open) while a request waited. */
export class ClosedError extends StratumSdkError {
  override name = 'ClosedError';
  constructor(message = 'the connection is closed', options?: { cause?: unknown }) {
    super('CLOSED', message, options);
  }
}

/** The connection could not be made. */
export class ConnectError extends StratumSdkError {
  override name = 'ConnectError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECT', message, options);
  }
}

/** The peer's certificate was refused (unverifiable, pin mismatch, changed since first use). */
export class TlsError extends StratumSdkError {
  override name = 'TlsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('TLS', message, options);
  }
}

export type ProtocolErrorKind =
  | 'invalid-json'
  | 'invalid-utf8'
  | 'invalid-message'
  | 'too-deep'
  | 'unknown-id'
  | 'duplicate-id'
  | 'unexpected-request'
  | 'unexpected-notification';

/** The peer broke the protocol: bytes that are not a message, or a message that fits nothing we sent. */
export class ProtocolError extends StratumSdkError {
  override name = 'ProtocolError';
  declare readonly kind: ProtocolErrorKind;
  /** The offending text, cut to a readable length. */
  declare readonly excerpt: string | undefined;
  constructor(kind: ProtocolErrorKind, message: string, excerpt?: string, options?: { cause?: unknown }) {
    super('PROTOCOL', message, options);
    this.kind = kind;
    this.excerpt = excerpt === undefined ? undefined : cut(excerpt, 200);
  }
}

/** One message was larger than the configured maximum; the connection fails. */
export class MessageTooLargeError extends StratumSdkError {
  override name = 'MessageTooLargeError';
  declare readonly limit: number;
  constructor(limit: number) {
    super('MESSAGE_TOO_LARGE', `a message exceeded the maximum size of ${limit} bytes`);
    this.limit = limit;
  }
}

/** A value did not match the spec: params we were asked to send, or a result or notification received. */
export class ValidationError extends StratumSdkError {
  override name = 'ValidationError';
  declare readonly method: string;
  declare readonly part: 'params' | 'result' | 'notification';
  declare readonly errors: readonly string[];
  constructor(method: string, part: 'params' | 'result' | 'notification', errors: readonly string[]) {
    super('VALIDATION', `${method}: invalid ${part}: ${errors.join('; ')}`);
    this.method = method;
    this.part = part;
    this.errors = errors;
  }
}

/** The server answered with an error. Its own code and message are kept as sent. */
export class ServerError extends StratumSdkError {
  override name = 'ServerError';
  declare readonly method: string;
  /** The server's numeric code, or null when it sent none (a bare string, `true`). */
  declare readonly serverCode: number | null;
  declare readonly serverMessage: string;
  /** Extra data: JSON-RPC 2.0 `data`, or the traceback of a Stratum `[code, message, traceback]`. */
  declare readonly data: unknown;
  constructor(method: string, serverCode: number | null, serverMessage: string, data?: unknown) {
    // The peer's message is kept whole in serverMessage; the error's own message stays a readable line.
    // The method can be the peer's too (a request it sent): only its start goes into the line.
    super('SERVER', `${cut(method, 100)}: server error${serverCode === null ? '' : ` ${serverCode}`}: ${cut(serverMessage, 500)}`);
    this.method = method;
    this.serverCode = serverCode;
    this.serverMessage = serverMessage;
    this.data = data;
  }
}

/** No protocol version both sides speak, or the server answered one outside the client's range. */
export class VersionMismatchError extends StratumSdkError {
  override name = 'VersionMismatchError';
  constructor(message: string) {
    super('VERSION_MISMATCH', message);
  }
}

/** The server follows another chain than the one the client was told to expect (genesis hash check). */
export class WrongChainError extends StratumSdkError {
  override name = 'WrongChainError';
  declare readonly expected: string;
  declare readonly actual: string;
  constructor(expected: string, actual: string) {
    super('WRONG_CHAIN', `the server's genesis block is ${actual}, not the expected ${expected}`);
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * A consumer fell too far behind: more values were waiting for it than its buffer holds, or more bytes
 * were waiting to be written to a peer that does not read than the connection may buffer.
 */
export class OverflowError extends StratumSdkError {
  override name = 'OverflowError';
  declare readonly limit: number;
  constructor(what: string, limit: number, message = `${what}: more than ${limit} values were waiting to be read`) {
    super('OVERFLOW', message);
    this.limit = limit;
  }
}
