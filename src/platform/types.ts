// The contract both platform modules keep. `platform.ts` (Node: TCP, TLS and the `ws` package) and
// `platform.browser.ts` (browsers and React Native: the platform's WebSocket only) export the same names with
// these types; package.json's "browser" and "react-native" maps swap the first for the second in a bundle.
import type { FramerOptions } from '../runtime/framing.js';
import type { TlsSettings, TrustStore } from '../runtime/tls-settings.js';
import type { Connector } from '../runtime/transport.js';
import type { ProxyTarget } from './proxy.js';

/** A TCP or TLS server, as a client's URL named it. */
export interface StreamTarget {
  /** The URL as the user wrote it, for messages. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** TLS settings for a TLS connection, false for plain TCP. */
  readonly tls: TlsSettings | false;
  readonly framing: FramerOptions;
  readonly connectTimeout?: number | undefined;
  readonly maxBufferedBytes?: number | undefined;
  /** A SOCKS5 proxy to connect through (Node only); the connect timeout covers its handshake too. */
  readonly proxy?: ProxyTarget | undefined;
}

/** A ws:// or wss:// server. */
export interface WebSocketTarget {
  /** ws://host:port/path or wss://host:port/path, as written (URL parsing would hide an explicit :80 or :443). */
  readonly url: string;
  readonly tls?: TlsSettings | undefined;
  readonly maxMessageSize: number;
  readonly connectTimeout?: number | undefined;
  readonly maxBufferedBytes?: number | undefined;
  /** A SOCKS5 proxy to connect through (Node only). */
  readonly proxy?: ProxyTarget | undefined;
}

/** Opens TCP or TLS connections to the target; throws ConnectError at once where the platform has no raw sockets. */
export type OpenStream = (target: StreamTarget) => Connector;
/** Opens WebSocket connections to the target. */
export type OpenWebSocket = (target: WebSocketTarget) => Connector;
/** Reads a `proxy` URL (a ConnectError for a bad one); where the platform cannot use a proxy, refuses any. */
export type ParseProxy = (url: string) => ProxyTarget;
/** A trust store kept in a JSON file; only where there is a file system. */
export type FileTrustStore = (path: string) => TrustStore;
