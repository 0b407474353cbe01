// What a server needs from an accepted connection and from a listener, whatever carries them (TCP,
// TLS, WebSocket, an in-memory pair in tests). Platform-free: the Node listeners implement these.
import type { TransportHandlers } from '../transport.js';

export type TransportKind = 'tcp' | 'tls' | 'ws' | 'wss' | 'custom';

/** One accepted connection, as the server drives it. Framing is the connection's business. */
export interface ServerConnection {
  readonly kind: TransportKind;
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  /** Sends one JSON message. Throws when the connection is already gone. */
  send(text: string): void;
  /**
   * Ends the connection. Graceful: what is queued still goes out (TCP end, WebSocket close
   * handshake), with a bounded wait. Not graceful: dropped now. Either way the handlers' `close` runs.
   */
  close(graceful: boolean): void;
  /** Bytes queued for the peer and not yet handed to the operating system. */
  bufferedBytes(): number;
  /**
   * Stops reading from the peer (and resume() starts again): how a client over its pending limit is
   * slowed down. Without them its requests wait in a bounded queue, and past that are answered -101.
   */
  pause?(): void;
  resume?(): void;
}

/**
 * Called by a listener for each new connection; returns where the connection's messages go. Messages
 * cannot arrive before it returns, so it may create the handlers' target after seeing the connection.
 */
export type AcceptConnection = (connection: ServerConnection) => TransportHandlers;

/** What a listener knows of a peer the moment its socket is accepted, before any handshake. */
export interface PeerAddress {
  readonly kind: TransportKind;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
}

/** Why a connection was refused at accept time, and the cap it met. */
export interface ConnectionRefusal extends PeerAddress {
  readonly reason: 'max-connections' | 'max-connections-per-address';
  /** The cap that was reached (limits.maxConnections or limits.maxConnectionsPerAddress). */
  readonly limit: number;
  /** One line for a person: what was refused and why. */
  readonly message: string;
}

/**
 * A listener's answer from its server's connection count. Admitted: `release` must run once the
 * socket has closed (running it again does nothing). Refused: close the socket promptly; a transport
 * that can still say something may send `goodbye` (a JSON-RPC error line in the server's dialect) first.
 */
export type Admission = { readonly admitted: true; release(): void } | { readonly admitted: false; readonly refusal: ConnectionRefusal; readonly goodbye: string };

/** Counts a freshly accepted socket against the server's connection caps (RpcServer.admit). */
export type AdmitConnection = (peer: PeerAddress) => Admission;

export interface ListenAddress {
  readonly kind: TransportKind;
  readonly host: string;
  readonly port: number;
}

/** A bound, accepting server socket. */
export interface Listener {
  readonly kind: TransportKind;
  address(): ListenAddress;
  /**
   * Stops accepting and drops connections that never became sessions (TLS handshakes in progress).
   * Resolves when every connection it accepted has closed; closing those is the server's business.
   */
  close(): Promise<void>;
}
