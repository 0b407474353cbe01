// The Node platform: tcp:// and tls:// through node:net and node:tls, ws:// and wss:// through the `ws` package
// (so pinning and trust-on-first-use apply to WebSockets too), and trust stores in files. Browser and React Native
// bundles never see this file: package.json's "browser" and "react-native" maps replace it by platform.browser.js.
import { tcpConnector } from '../runtime/node/tcp.js';
import { wsConnector } from '../runtime/node/ws.js';
import type { OpenStream, OpenWebSocket } from './types.js';

export { fileTrustStore } from '../runtime/node/file-trust-store.js';

export const openStream: OpenStream = (target) =>
  tcpConnector({
    host: target.host,
    port: target.port,
    tls: target.tls,
    framing: target.framing,
    connectTimeout: target.connectTimeout,
    maxBufferedBytes: target.maxBufferedBytes,
  });

export const openWebSocket: OpenWebSocket = (target) =>
  wsConnector({
    url: target.url,
    tls: target.tls,
    maxMessageSize: target.maxMessageSize,
    maxBufferedBytes: target.maxBufferedBytes,
    connectTimeout: target.connectTimeout,
  });
