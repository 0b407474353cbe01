// The Node platform: tcp:// and tls:// through node:net and node:tls, ws:// and wss:// through the `ws` package
// (so pinning and trust-on-first-use apply to WebSockets too), and trust stores in files. Browser and React Native
// bundles never see this file: package.json's "browser" and "react-native" maps replace it by platform.browser.js.
// With a `proxy`, every kind goes through SOCKS5 (runtime/node/socks*.ts, which import the `socks` package lazily).
import { socksStreamConnector } from '../runtime/node/socks-connector.js';
import { tcpConnector } from '../runtime/node/tcp.js';
import { wsConnector } from '../runtime/node/ws.js';
import { parseProxyUrl } from './proxy.js';
import type { OpenStream, OpenWebSocket, ParseProxy } from './types.js';

export { fileTrustStore } from '../runtime/node/file-trust-store.js';

export const parseProxy: ParseProxy = parseProxyUrl;

export const openStream: OpenStream = (target) => {
  const options = {
    host: target.host,
    port: target.port,
    tls: target.tls,
    framing: target.framing,
    connectTimeout: target.connectTimeout,
    maxBufferedBytes: target.maxBufferedBytes,
  };
  return target.proxy ? socksStreamConnector({ ...options, proxy: target.proxy }) : tcpConnector(options);
};

export const openWebSocket: OpenWebSocket = (target) =>
  wsConnector({
    url: target.url,
    tls: target.tls,
    maxMessageSize: target.maxMessageSize,
    maxBufferedBytes: target.maxBufferedBytes,
    connectTimeout: target.connectTimeout,
    proxy: target.proxy,
  });
