// Watching a server's traffic as text: every message a connection received and every message written to
// it, in order, for recorders and checkers (`stratum-sdk serve --record`, `--check-clients`). The
// connection and its handlers are wrapped only while a tap is on, so an untapped server pays nothing.
import type { TransportHandlers } from '../transport.js';
import type { ServerConnection } from './connection.js';

/**
 * Called with each message of a session accepted while the tap is on: 'in' what the client sent (one
 * line without its newline, or one WebSocket message), 'out' what the server wrote, before it is written.
 */
export type TrafficTap = (session: number, direction: 'in' | 'out', text: string) => void;

/** The connection, with every message sent through it shown to `seen` first. */
export function tapConnection(connection: ServerConnection, seen: (text: string) => void): ServerConnection {
  const tapped: ServerConnection = {
    kind: connection.kind,
    remoteAddress: connection.remoteAddress,
    remotePort: connection.remotePort,
    send(text) {
      seen(text);
      connection.send(text);
    },
    close: (graceful) => connection.close(graceful),
    bufferedBytes: () => connection.bufferedBytes(),
  };
  const { pause, resume } = connection;
  if (pause && resume) {
    tapped.pause = () => pause.call(connection);
    tapped.resume = () => resume.call(connection);
  }
  return tapped;
}

/** The handlers, with every message received shown to `seen` first. */
export function tapHandlers(handlers: TransportHandlers, seen: (text: string) => void): TransportHandlers {
  return {
    message(text) {
      seen(text);
      handlers.message(text);
    },
    error: (error) => handlers.error(error),
    close: (error) => handlers.close(error),
  };
}
