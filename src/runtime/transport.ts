// The transport interface: how a client or server reaches its peer. Byte streams (TCP, TLS, a SOCKS
// socket, a React Native socket) carry newline-framed JSON; message transports (WebSocket) carry one
// JSON message per frame. Reconnect, backoff and keep-alive live in the connection core (connection.ts), not here.
import { ClosedError, MessageTooLargeError, OverflowError, ProtocolError, StratumSdkError } from './errors.js';
import { PartialMessageClock } from './partial-message-clock.js';
import { DEFAULT_MAX_MESSAGE_SIZE, encodeFrame, encodeFrames, encodeFrameText, framesText, NewlineFramer, type FrameSink, type FramerOptions } from './framing.js';

export interface TransportHandlers {
  /** One complete JSON message, as text. */
  message(text: string): void;
  /** A problem with the incoming bytes that did not by itself end the connection. */
  error(error: ProtocolError | MessageTooLargeError): void;
  /** The connection ended; `error` says why when it was not a clean close. */
  close(error?: StratumSdkError): void;
}

export interface Transport {
  /** Sends one JSON message (the transport adds the framing). */
  send(text: string): void;
  /**
   * Closes the connection; the handlers' `close` runs before it returns. The built-in transports return a
   * promise that resolves once the socket itself has closed (a WebSocket's closing handshake takes a round trip).
   */
  close(): void | Promise<void>;
}

// 10 s: a server that has not accepted by then is down or blocked; requests have their own timeout.
export const DEFAULT_CONNECT_TIMEOUT = 10_000;

/** Opens a connection and wires it to the handlers. Rejects with ConnectError or TlsError. */
export type Connector = (handlers: TransportHandlers) => Promise<Transport>;

/**
 * The part of a connected socket a byte-stream transport uses; Node's net.Socket and tls.TLSSocket,
 * and the socket the `socks` package hands back, all fit it.
 */
export interface ByteStream {
  /** Bytes written and not yet handed to the operating system (Node sockets have it); counts toward maxBufferedBytes. */
  readonly writableLength?: number | undefined;
  /** Whether the owner has stopped reading (Node sockets have it): an unfinished message does not age meanwhile. */
  isPaused?(): boolean;
  write(data: Uint8Array): unknown;
  destroy(): unknown;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface ByteStreamOptions {
  /**
   * Hold the messages sent in one turn of the event loop and write them together when it ends (a
   * microtask). Each write is a system call, so pipelined requests go several times faster. Only for
   * owners that write and close through the transport: a direct `socket.end()` would overtake them.
   */
  readonly coalesce?: boolean | undefined;
  /**
   * Writes text to the stream as UTF-8 itself, instead of the transport encoding it to bytes first:
   * Node's sockets take strings (`socket.write(text)`) and encode them straight into the write request,
   * one copy fewer per write. The stream's `write` is then not used.
   */
  readonly writeText?: ((text: string) => unknown) | undefined;
  /**
   * Most bytes that may wait to be written to a peer that does not read (the stream's writableLength
   * plus what is held for the end of the turn). Past it the connection fails with an OverflowError and
   * every pending request rejects. Default DEFAULT_MAX_BUFFERED_BYTES; Infinity turns it off.
   */
  readonly maxBufferedBytes?: number | undefined;
  /**
   * Milliseconds the bytes of an unfinished message may wait for its newline; past it the connection
   * is closed with a ClosedError, so a peer trickling a byte at a time cannot hold it open. 0 or
   * Infinity (the default): no limit.
   */
  readonly partialMessageTimeout?: number | undefined;
}

/**
 * 16.2 MB, what a server lets wait for a client that does not read: two replies of the largest size
 * Electrum accepts. A client writes far less (20,000 pipelined requests are about 2.5 MB), so only a
 * peer that has stopped reading, while it keeps sending requests that want answers, reaches it.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 16_200_000;

function checkLimit(name: string, value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw new RangeError(`${name} must be a number >= 0 (or Infinity), got ${String(value)}`);
}

/** The failure of a connection whose input handling threw: the connection ends, the process does not. */
function inputFailure(cause: unknown): ClosedError {
  const reason = cause instanceof Error ? cause.message : 'a non-Error value was thrown';
  return new ClosedError(`the connection was closed: handling its input failed: ${reason.slice(0, 200)}`, { cause });
}

function notReading(limit: number): OverflowError {
  return new OverflowError('the peer is not reading', limit, `the peer is not reading: more than ${limit} bytes wait to be written to it`);
}


/**
 * Newline-framed JSON over a connected byte stream. An oversize message fails the connection (the
 * default); the error reaches `close` so every pending request learns why.
 */
export function byteStreamTransport(stream: ByteStream, handlers: TransportHandlers, framing: FramerOptions = {}, options: ByteStreamOptions = {}): Transport {
  const framer = new NewlineFramer(framing);
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  checkLimit('maxBufferedBytes', maxBuffered);
  const partialTimeout = options.partialMessageTimeout ?? 0;
  checkLimit('partialMessageTimeout', partialTimeout);
  const partials = partialTimeout > 0 && partialTimeout !== Infinity ? new PartialMessageClock(partialTimeout, (waited) => fail(partialTooSlow(framer.pendingBytes, waited, partialTimeout)), () => stream.isPaused?.() === true) : undefined;
  let ended = false;
  let failure: StratumSdkError | undefined;
  const socketClosed = new SocketClosed();
  const end = (error?: StratumSdkError) => {
    if (ended) return;
    ended = true;
    partials?.stop();
    handlers.close(error);
  };
  const fail = (error: StratumSdkError) => {
    if (ended) return;
    failure = error;
    stream.destroy();
    end(error);
  };
  // What one read completed goes straight to the handlers (framer.pushTo), in order; once a handler or
  // an oversize message has ended the connection, the rest of that read is dropped.
  let completed = false;
  const sink: FrameSink = {
    message(text) {
      if (ended) return;
      completed = true;
      handlers.message(text);
    },
    error(error) {
      if (ended) return;
      if (error.code === 'MESSAGE_TOO_LARGE' && framing.onOversize !== 'skip') fail(error);
      else handlers.error(error);
    },
  };
  stream.on('data', (chunk) => {
    if (ended) return;
    // The last guard: whatever a handler throws ends this connection, never the process.
    try {
      completed = false;
      framer.pushTo(chunk, sink);
      if (ended) return;
      // A message left unfinished by this read started in it if an earlier one ended here.
      if (partials) {
        if (framer.pendingBytes === 0) partials.end();
        else if (completed) partials.restart();
        else partials.begin();
      }
    } catch (e) {
      fail(inputFailure(e));
    }
  });
  stream.on('error', (e) => {
    failure ??= new ClosedError(`the connection failed: ${e.message}`, { cause: e });
  });
  stream.on('close', () => {
    socketClosed.fire();
    const midLine = framer.pendingBytes > 0 ? ` with ${framer.pendingBytes} bytes of an unfinished message` : '';
    end(failure ?? new ClosedError(`the peer closed the connection${midLine}`));
  });
  const writeText = options.writeText;
  let queued: string[] = [];
  let queuedLength = 0;
  const flush = () => {
    const texts = queued;
    queued = [];
    queuedLength = 0;
    if (ended || !texts.length) return;
    if (writeText) writeText(framesText(texts));
    else stream.write(encodeFrames(texts));
  };
  return {
    send(text) {
      if (ended) throw failure ?? new ClosedError();
      // Text length stands in for bytes: it is exact for the ASCII JSON these protocols send.
      if ((stream.writableLength ?? 0) + queuedLength + text.length > maxBuffered) {
        fail(notReading(maxBuffered));
        throw failure;
      }
      if (options.coalesce) {
        queuedLength += text.length + 1;
        if (queued.push(encodeFrameText(text)) === 1) queueMicrotask(flush);
      } else if (writeText) writeText(framesText([encodeFrameText(text)]));
      else stream.write(encodeFrame(text));
    },
    close() {
      flush(); // what was sent before close() still goes out
      stream.destroy();
      end();
      return socketClosed.wait();
    },
  };
}

/** Resolves once the socket reported its close; the promise is made on first ask, so a transport nobody awaits costs nothing. */
class SocketClosed {
  #closed = false;
  #promise: Promise<void> | undefined;
  #resolve: (() => void) | undefined;

  fire(): void {
    this.#closed = true;
    this.#resolve?.();
  }

  wait(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return (this.#promise ??= new Promise((resolve) => (this.#resolve = resolve)));
  }
}

function partialTooSlow(pending: number, waited: number, limit: number): ClosedError {
  return new ClosedError(`an unfinished message (${pending} bytes so far) waited ${Math.round(waited)} ms for its end, more than the limit of ${limit} ms`);
}


/** A connector for a socket the caller opens (a SOCKS proxy for Tor, a React Native socket, ...). */
export function streamConnector(open: () => Promise<ByteStream>, framing?: FramerOptions): Connector {
  return async (handlers) => byteStreamTransport(await open(), handlers, framing, { coalesce: true });
}

/**
 * The part of a WebSocket a message transport uses: the WHATWG interface, which browsers, React
 * Native, Deno and the `ws` package all provide.
 */
export interface MessageSocket {
  /** Bytes sent and not yet transmitted (the WHATWG WebSocket has it); counts toward maxBufferedBytes. */
  readonly bufferedAmount?: number | undefined;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

// RFC 6455 close codes: 1009 the message was too big to process, 1008 a policy was broken, 1011 the
// endpoint failed to handle what it received.
const WS_MESSAGE_TOO_BIG = 1009;
const WS_POLICY_VIOLATION = 1008;
const WS_INTERNAL_ERROR = 1011;

/**
 * One JSON message per WebSocket message, no newline framing. Text frames are used as they are; binary
 * frames are decoded as UTF-8. A message over `maxMessageSize` fails the connection like an oversize line.
 */
export interface MessageSocketOptions {
  /** Largest incoming message in bytes; default DEFAULT_MAX_MESSAGE_SIZE. */
  readonly maxMessageSize?: number | undefined;
  /** As for byte streams: most bytes that may wait in the socket's bufferedAmount; default DEFAULT_MAX_BUFFERED_BYTES. */
  readonly maxBufferedBytes?: number | undefined;
}

export function messageSocketTransport(socket: MessageSocket, handlers: TransportHandlers, options: MessageSocketOptions = {}): Transport {
  const limit = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  checkLimit('maxBufferedBytes', maxBuffered);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let ended = false;
  let failure: StratumSdkError | undefined;
  const socketClosed = new SocketClosed();
  const end = (error?: StratumSdkError) => {
    if (ended) return;
    ended = true;
    handlers.close(error);
  };
  const fail = (error: StratumSdkError, code: number, reason: string) => {
    if (ended) return;
    failure = error;
    try {
      socket.close(code, reason);
    } catch {
      // Browsers let scripts send only 1000 and 3000-4999; the reason still reaches our own handlers.
      try {
        socket.close();
      } catch {
        // Already closing.
      }
    }
    end(error);
  };
  const receive = (data: unknown) => {
    let text: string;
    if (typeof data === 'string') text = data;
    else {
      const bytes = toBytes(data);
      if (!bytes) {
        handlers.error(new ProtocolError('invalid-message', 'a WebSocket message that is neither text nor bytes'));
        return;
      }
      if (bytes.byteLength > limit) return tooBig();
      try {
        text = decoder.decode(bytes);
      } catch (cause) {
        handlers.error(new ProtocolError('invalid-utf8', 'a WebSocket message that is not valid UTF-8', undefined, { cause }));
        return;
      }
    }
    // UTF-16 length is at most the UTF-8 byte length, so this never refuses a message within the limit.
    if (text.length > limit) return tooBig();
    handlers.message(text);
  };
  socket.addEventListener('message', (event) => {
    if (ended) return;
    // The last guard: whatever a handler throws ends this connection, never the process.
    try {
      receive(event.data);
    } catch (e) {
      fail(inputFailure(e), WS_INTERNAL_ERROR, 'internal error');
    }
  });
  const tooBig = () => fail(new MessageTooLargeError(limit), WS_MESSAGE_TOO_BIG, 'message too big');
  socket.addEventListener('error', (event) => {
    const cause = (event as { error?: unknown }).error ?? event;
    const message = cause instanceof Error ? cause.message : 'WebSocket error';
    failure ??= /max payload/i.test(message) ? new MessageTooLargeError(limit) : new ClosedError(`the connection failed: ${message}`, { cause });
  });
  socket.addEventListener('close', (event) => {
    socketClosed.fire();
    if (event.code === WS_MESSAGE_TOO_BIG) failure ??= new MessageTooLargeError(limit);
    end(failure ?? new ClosedError(`the peer closed the connection (WebSocket code ${event.code}${event.reason ? `: ${event.reason}` : ''})`));
  });
  return {
    send(text) {
      if (ended) throw failure ?? new ClosedError();
      if ((socket.bufferedAmount ?? 0) + text.length > maxBuffered) {
        fail(notReading(maxBuffered), WS_POLICY_VIOLATION, 'not reading');
        throw failure;
      }
      socket.send(text);
    },
    close() {
      socket.close(1000);
      end();
      return socketClosed.wait();
    },
  };
}

// Text, or bytes as an ArrayBuffer (the platform's WebSocket with binaryType 'arraybuffer') or a Uint8Array
// (Node's `ws`, a Buffer). Anything else (a Blob, `ws` fragments) is no message this transport asked for.
function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return undefined;
}
