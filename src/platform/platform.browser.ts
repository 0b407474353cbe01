// The platform of browsers, React Native and other runtimes without raw sockets: ws:// and wss:// through the
// platform's own WebSocket, and a clear ConnectError for tcp:// and tls://. No Node module is imported from
// here, so a bundle for these platforms holds neither node:* nor the `ws` package.
import { ConnectError } from '../runtime/errors.js';
import { DEFAULT_CONNECT_TIMEOUT } from '../runtime/transport.js';
import { webSocketConnector } from '../runtime/websocket.js';
import type { TlsSettings } from '../runtime/tls-settings.js';
import type { FileTrustStore, OpenStream, OpenWebSocket, ParseProxy } from './types.js';

// The platform's WebSocket makes its own connections: it has no proxy setting, and the browser's or the
// system's proxy settings apply to it. The URL is not repeated, as it may hold a password.
const NO_PROXY = 'this platform cannot use a SOCKS proxy: its WebSocket has no proxy setting (the system one applies). Leave `proxy` out, or pass a `connector`';

/** Refuses any proxy, so a bundle for these platforms carries no proxy URL parsing (platform/proxy.ts). */
export const parseProxy: ParseProxy = () => {
  throw new ConnectError(NO_PROXY);
};

export const openStream: OpenStream = (target) => {
  throw new ConnectError(
    `${target.url}: this platform has no raw TCP or TLS sockets. Pass the \`connector\` option (streamConnector from ` +
      'stratum-sdk, over react-native-tcp-socket or a bridge), or use a ws:// or wss:// server',
  );
};

export const openWebSocket: OpenWebSocket = (target) => {
  if (target.proxy) throw new ConnectError(`${target.url}: ${NO_PROXY} (${target.proxy.url})`);
  if (/^wss:/i.test(target.url) && target.tls) refuseTlsSettings(target.url, target.tls);
  return webSocketConnector(target.url, {
    maxMessageSize: target.maxMessageSize,
    maxBufferedBytes: target.maxBufferedBytes,
    connectTimeout: target.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
  });
};

export const fileTrustStore: FileTrustStore = (path) => {
  throw new ConnectError(
    `fileTrustStore(${JSON.stringify(path)}): this platform has no file system. Use memoryTrustStore() or your own ` +
      '{ get, set } store, with a connector that checks certificates',
  );
};

/**
 * A browser's WebSocket verifies certificates by the platform's rules and lets no code see them: a setting that would
 * change what is accepted cannot be honoured, and silently ignoring a pin would be worse than refusing. Every such
 * setting is refused here, contradictory ones too (Node reports those as a RangeError: runtime/tls-settings.ts),
 * so a bundle for these platforms carries no fingerprint parsing.
 */
function refuseTlsSettings(url: string, tls: TlsSettings): void {
  const unsupported: string[] = [];
  if (tls.ca !== undefined && [tls.ca].flat().length > 0) unsupported.push('ca');
  if (tls.pin !== undefined) unsupported.push('pin');
  if (tls.trustOnFirstUse !== undefined) unsupported.push('trustOnFirstUse');
  if (tls.insecure === true) unsupported.push('insecure');
  if (tls.servername !== undefined && tls.servername.toLowerCase() !== new URL(url).hostname.toLowerCase()) unsupported.push('servername');
  if (unsupported.length === 0) return;
  throw new ConnectError(
    `${url}: tls.${unsupported.join(', tls.')} cannot be applied by this platform's WebSocket, which checks certificates ` +
      'by its own rules. Leave them out, or use a `connector`',
  );
}
