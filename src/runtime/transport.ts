// The transport interface: how a client or server reaches its peer. Byte streams (TCP, TLS, a SOCKS
// socket, a React Native socket) carry newline-framed JSON; message transports (WebSocket) carry one
// JSON message per frame. Reconnect and re-subscription live in the clients, not here.
import { ClosedError, type MessageTooLargeError, type ProtocolError, type StratumSdkError } from './errors.js';
import { encodeFrame, NewlineFramer, type FramerOptions } from './framing.js';

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

/**
 * Newline-framed JSON over a connected byte stream. An oversize message fails the connection (the
 * default); the error reaches `close` so every pending request learns why.
 */
export function byteStreamTransport(stream: ByteStream, handlers: TransportHandlers, framing: FramerOptions = {}): Transport {
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
  return {
    send(text) {
      if (ended) throw failure ?? new ClosedError();
      stream.write(encodeFrame(text));
    },
    close() {
      stream.destroy();
      end();
    },
  };
}

/** A connector for a socket the caller opens (a SOCKS proxy for Tor, a React Native socket, ...). */
export function streamConnector(open: () => Promise<ByteStream>, framing?: FramerOptions): Connector {
  return async (handlers) => byteStreamTransport(await open(), handlers, framing);
}
