// stratum-sdk/node: what only Node has. Its own TCP, TLS and `ws` connectors (the ones the clients use there for
// tcp://, tls://, ws:// and wss:// URLs), the Node framing helpers for a socket you bring, and the file trust store.
// The other entry points are platform-free; this one imports node:net, node:tls, node:fs and `ws`.
export { tcpConnector, nodeFraming, nodeDecodeUtf8, DEFAULT_CONNECT_TIMEOUT, type TcpOptions } from './runtime/node/tcp.js';
export { wsConnector, type WsOptions } from './runtime/node/ws.js';
export { fileTrustStore } from './runtime/node/file-trust-store.js';
export { memoryTrustStore, normalizeFingerprint, type TlsSettings, type TrustStore } from './runtime/tls-settings.js';
