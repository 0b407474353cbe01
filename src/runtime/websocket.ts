// A connector for the platform's own WebSocket (browsers, React Native, Deno, Node 22+), with no Node
// imports. TLS policy is the platform's: pinning and trust-on-first-use need the Node connector.
import { ConnectError } from './errors.js';
import { messageSocketTransport, type Connector, type MessageSocket, type MessageSocketOptions } from './transport.js';

export interface WebSocketConstructor {
  new (url: string, protocols?: string | string[]): MessageSocket & { readonly readyState: number };
}

export interface WebSocketConnectorOptions extends MessageSocketOptions {
  /** The WebSocket class to use; default the platform's global one. */
  readonly WebSocket?: WebSocketConstructor | undefined;
  /**
   * Milliseconds to wait for the socket to open (a WebSocket has no timeout of its own): then it is closed and the
   * connection fails with a ConnectError. Default none (the clients pass DEFAULT_CONNECT_TIMEOUT).
   */
  readonly connectTimeout?: number | undefined;
}

export function webSocketConnector(url: string, options: WebSocketConnectorOptions = {}): Connector {
  const Impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Impl) throw new ConnectError('this platform has no global WebSocket; pass options.WebSocket');
  return (handlers) =>
    new Promise((resolve, reject) => {
      let socket: MessageSocket;
      try {
        socket = new Impl(url);
        // A browser hands binary frames over as Blobs (read only asynchronously) unless asked for ArrayBuffers.
        (socket as { binaryType?: string }).binaryType = 'arraybuffer';
      } catch (e) {
        reject(new ConnectError(`${url}: ${(e as Error).message}`, { cause: e }));
        return;
      }
      let open = false;
      // Once given up on, the socket is closed and a late open reports nothing: its owner was told it failed.
      let late = false;
      const ms = options.connectTimeout;
      const timer =
        ms !== undefined && ms > 0 && ms < Infinity
          ? setTimeout(() => {
              late = true;
              reject(new ConnectError(`${url}: no connection within ${ms} ms`));
              socket.close();
            }, ms)
          : undefined;
      const transportHandlers = {
        ...handlers,
        close: (error?: Parameters<typeof handlers.close>[0]) => {
          if (open) return handlers.close(error);
          clearTimeout(timer);
          reject(new ConnectError(`${url}: the WebSocket did not open${error ? `: ${error.message}` : ''}`, { cause: error }));
        },
      };
      const transport = messageSocketTransport(socket, transportHandlers, { maxMessageSize: options.maxMessageSize, maxBufferedBytes: options.maxBufferedBytes });
      (socket as unknown as { addEventListener(t: 'open', l: () => void): void }).addEventListener('open', () => {
        if (late) return void transport.close();
        clearTimeout(timer);
        open = true;
        resolve(transport);
      });
    });
}
