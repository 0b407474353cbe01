// The transport interface: how a client or server reaches its peer. Byte streams (TCP, TLS, a SOCKS
// socket, a React Native socket) carry newline-framed JSON; message transports (WebSocket) carry one
// JSON message per frame. Reconnect and re-subscription live in the clients, not here.
import { ClosedError, MessageTooLargeError, ProtocolError, type StratumSdkError } from './errors.js';
import { DEFAULT_MAX_MESSAGE_SIZE, encodeFrame, encodeFrames, encodeFrameText, framesText, NewlineFramer, type FramerOptions } from './framing.js';

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
  close(): void;
}

/** Opens a connection and wires it to the handlers. Rejects with ConnectError or TlsError. */
export type Connector = (handlers: TransportHandlers) => Promise<Transport>;

/**
 * The part of a connected socket a byte-stream transport uses; Node's net.Socket and tls.TLSSocket,
 * and the socket the `socks` package hands back, all fit it.
 */
export interface ByteStream {
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
}

/**
 * Newline-framed JSON over a connected byte stream. An oversize message fails the connection (the
 * default); the error reaches `close` so every pending request learns why.
 */
export function byteStreamTransport(stream: ByteStream, handlers: TransportHandlers, framing: FramerOptions = {}, options: ByteStreamOptions = {}): Transport {
  const framer = new NewlineFramer(framing);
  let ended = false;
  let failure: StratumSdkError | undefined;
  const end = (error?: StratumSdkError) => {
    if (ended) return;
    ended = true;
    handlers.close(error);
  };
  stream.on('data', (chunk) => {
    if (ended) return;
    for (const event of framer.push(chunk)) {
      if (event.type === 'message') handlers.message(event.text);
      else if (event.error.code === 'MESSAGE_TOO_LARGE' && framing.onOversize !== 'skip') {
        failure = event.error;
        stream.destroy();
        end(event.error);
        return;
      } else handlers.error(event.error);
      if (ended) return;
    }
  });
  stream.on('error', (e) => {
    failure ??= new ClosedError(`the connection failed: ${e.message}`, { cause: e });
  });
  stream.on('close', () => {
    const midLine = framer.pendingBytes > 0 ? ` with ${framer.pendingBytes} bytes of an unfinished message` : '';
    end(failure ?? new ClosedError(`the peer closed the connection${midLine}`));
  });
  const writeText = options.writeText;
  let queued: string[] = [];
  const flush = () => {
    const texts = queued;
    queued = [];
    if (ended || !texts.length) return;
    if (writeText) writeText(framesText(texts));
    else stream.write(encodeFrames(texts));
  };
  return {
    send(text) {
      if (ended) throw failure ?? new ClosedError();
      if (options.coalesce) {
        if (queued.push(encodeFrameText(text)) === 1) queueMicrotask(flush);
      } else if (writeText) writeText(framesText([encodeFrameText(text)]));
      else stream.write(encodeFrame(text));
    },
    close() {
      flush(); // what was sent before close() still goes out
      stream.destroy();
      end();
    },
  };
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
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

// RFC 6455 close code 1009: the message was too big to process.
const WS_MESSAGE_TOO_BIG = 1009;

/**
 * One JSON message per WebSocket message, no newline framing. Text frames are used as they are; binary
 * frames are decoded as UTF-8. A message over `maxMessageSize` fails the connection like an oversize line.
 */
export function messageSocketTransport(socket: MessageSocket, handlers: TransportHandlers, options: { maxMessageSize?: number } = {}): Transport {
  const limit = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let ended = false;
  let failure: StratumSdkError | undefined;
  const end = (error?: StratumSdkError) => {
    if (ended) return;
    ended = true;
    handlers.close(error);
  };
  socket.addEventListener('message', (event) => {
    if (ended) return;
    const data = event.data;
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
  });
  const tooBig = () => {
    failure = new MessageTooLargeError(limit);
    socket.close(WS_MESSAGE_TOO_BIG, 'message too big');
    end(failure);
  };
  socket.addEventListener('error', (event) => {
    const cause = (event as { error?: unknown }).error ?? event;
    const message = cause instanceof Error ? cause.message : 'WebSocket error';
    failure ??= /max payload/i.test(message) ? new MessageTooLargeError(limit) : new ClosedError(`the connection failed: ${message}`, { cause });
  });
  socket.addEventListener('close', (event) => {
    if (event.code === WS_MESSAGE_TOO_BIG) failure ??= new MessageTooLargeError(limit);
    end(failure ?? new ClosedError(`the peer closed the connection (WebSocket code ${event.code}${event.reason ? `: ${event.reason}` : ''})`));
  });
  return {
    send(text) {
      if (ended) throw failure ?? new ClosedError();
      socket.send(text);
    },
    close() {
      socket.close(1000);
      end();
    },
  };
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((d) => d instanceof Uint8Array)) {
    const total = data.reduce((n, d: Uint8Array) => n + d.byteLength, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const d of data as Uint8Array[]) {
      out.set(d, at);
      at += d.byteLength;
    }
    return out;
  }
  return undefined;
}
