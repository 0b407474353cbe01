// stratum-sdk: both protocols under their own namespace (their type names overlap), plus the runtime pieces.
export * as electrum from './electrum.js';
export * as mining from './mining.js';
export type { ValidationOutcome } from './runtime/validation.js';
export type {
  Direction,
  MethodInfo,
  MethodKind,
  MethodStatus,
  ParamInfo,
  Protocol,
  ProtocolRegistry,
  ValidationContext,
  Versions,
} from './runtime/registry.js';
export { compareVersions, inVersionRange, isVersion } from './runtime/versions.js';
export { bindMethodTree, type CallFunction, type MethodTree } from './runtime/bind.js';
export * from './runtime/errors.js';
export {
  streamConnector,
  byteStreamTransport,
  messageSocketTransport,
  type ByteStream,
  type Connector,
  type MessageSocket,
  type Transport,
  type TransportHandlers,
} from './runtime/transport.js';
export { webSocketConnector, type WebSocketConstructor } from './runtime/websocket.js';
export { wsConnector, type WsOptions } from './runtime/node/ws.js';
export { memoryTrustStore, fileTrustStore, normalizeFingerprint, type TrustStore } from './runtime/node/tls-trust.js';
export { backoffDelay, resolveBackoff, DEFAULT_BACKOFF, type Backoff, type BackoffOptions } from './runtime/backoff.js';
export { NewlineFramer, encodeFrame, DEFAULT_MAX_MESSAGE_SIZE, type FramerOptions, type FrameEvent } from './runtime/framing.js';
export { tcpConnector, nodeFraming, nodeDecodeUtf8, type TcpOptions, type TlsSettings } from './runtime/node/tcp.js';
