// A reconnect asked for (a pool's client.reconnect): the checks of when one may start, apart from the
// connection core (connection.ts), so that only the client that asks for one carries them.
import type { Connection } from './connection.js';
import { ClosedError, ConnectError } from './errors.js';

/**
 * Drops the current link (its pending requests reject with a ClosedError) and connects again after
 * `delayMs`, then renews. One attempt, or the backoff's attempts when it has one. Resolves with what
 * the renewal gave; rejects, and closes, when every attempt failed. Allowed after a drop closed the
 * connection, never after `close()`, while another reconnect is under way, or before the first connect.
 */
export function reconnect<I, R>(connection: Connection<I, R>, delayMs: number): Promise<R> {
  if (connection.closedByUser) return Promise.reject(new ClosedError('closed by the client'));
  if (connection.reconnecting) return Promise.reject(new ConnectError('a reconnect is already under way'));
  if (connection.state === 'idle' || connection.state === 'connecting') return Promise.reject(new ClosedError('not connected: call connect() first'));
  return connection.redial(delayMs);
}
