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
}

export function webSocketConnector(url: string, options: WebSocketConnectorOptions = {}): Connector {
  const Impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Impl) throw new ConnectError('this platform has no global WebSocket; pass options.WebSocket');
  return (handlers) =>
    new Promise((resolve, reject) => {
      let socket: MessageSocket;
      try {
        socket = new Impl(url);
      } catch (e) {
        reject(new ConnectError(`${url}: ${(e as Error).message}`, { cause: e }));
        return;
      }
      let open = false;
      const transportHandlers = {
        ...handlers,
        close: (error?: Parameters<typeof handlers.close>[0]) => {
          if (open) handlers.close(error);
          else reject(new ConnectError(`${url}: the WebSocket did not open${error ? `: ${error.message}` : ''}`, { cause: error }));
        },
      };
      const transport = messageSocketTransport(socket, transportHandlers, { maxMessageSize: options.maxMessageSize, maxBufferedBytes: options.maxBufferedBytes });
      (socket as unknown as { addEventListener(t: 'open', l: () => void): void }).addEventListener('open', () => {
        open = true;
        resolve(transport);
      });
    });
}
