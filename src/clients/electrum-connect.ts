// Electrum server URLs to connectors: tcp://, tls:// (alias ssl://), ws://, wss://. The sockets come from the
// platform module: Node's TCP, TLS and `ws` here, the platform's WebSocket in a browser or React Native bundle.
import { openStream, openWebSocket, parseProxy } from '../platform/platform.js';
import type { ProxyTarget } from '../platform/proxy.js';
import { ConnectError } from '../runtime/errors.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../runtime/framing.js';
import type { TlsSettings } from '../runtime/tls-settings.js';
import type { Connector } from '../runtime/transport.js';

export interface ConnectSettings {
  readonly tls?: TlsSettings | undefined;
  readonly maxMessageSize?: number | undefined;
  readonly maxBufferedBytes?: number | undefined;
  readonly connectTimeout?: number | undefined;
  /** A SOCKS5 proxy (its URL, socks5h://host:port or socks5://host:port, or as parsed), for every scheme; Node only. */
  readonly proxy?: string | ProxyTarget | undefined;
}

// The ports ElectrumX and Fulcrum use by default on mainnet; ws and wss keep the WebSocket defaults.
const DEFAULT_PORTS: Readonly<Record<string, number>> = { tcp: 50001, tls: 50002, ssl: 50002, ws: 80, wss: 443 };

export function electrumConnector(url: string, settings: ConnectSettings): Connector {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectError(`not a URL: ${JSON.stringify(url)} (expected tcp://host:port, tls://host:port, ws://host:port or wss://host:port)`);
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  const port = parsed.port ? Number(parsed.port) : DEFAULT_PORTS[scheme];
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (port === undefined) throw new ConnectError(`${url}: unknown scheme "${scheme}" (expected tcp, tls, ssl, ws or wss)`);
  if (!host) throw new ConnectError(`${url}: a host is needed`);
  const maxMessageSize = settings.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  const { connectTimeout, maxBufferedBytes } = settings;
  const proxy = typeof settings.proxy === 'string' ? parseProxy(settings.proxy) : settings.proxy;
  // The URL goes as written: for ws and wss, URL parsing hides an explicit :80 or :443.
  if (scheme === 'ws' || scheme === 'wss') return openWebSocket({ url: parsed.href, tls: settings.tls, maxMessageSize, maxBufferedBytes, connectTimeout, proxy });
  return openStream({ url, host, port, tls: scheme === 'tcp' ? false : (settings.tls ?? {}), framing: { maxMessageSize }, connectTimeout, maxBufferedBytes, proxy });
}
