// stratum-sdk: both protocols under their own namespace (their type names overlap), plus the runtime pieces.
// Platform-free, like stratum-sdk/electrum, /mining and /bitcoin: nothing here imports a Node module.
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
// What code generated from your own spec (`stratum-sdk generate`) builds its registry and its version types
// with; the package's own generated code uses the same.
export { defineProtocol, type ErasIn, type MethodDefinition, type MethodDocs, type MethodsIn, type MethodTable, type VersionsInRange } from './runtime/registry.js';
export type { ErrorFormatter, MethodValidators, ValidatorSet } from './runtime/validation.js';
export { formatErrors } from './runtime/validation.js';
export { compareVersions, inVersionRange, isVersion } from './runtime/versions.js';
export { bindMethodTree, clientRequestTree, type CallFunction, type MethodTree } from './runtime/bind.js';
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
export { webSocketConnector, type WebSocketConnectorOptions, type WebSocketConstructor } from './runtime/websocket.js';
export { memoryTrustStore, normalizeFingerprint, type TlsSettings, type TrustStore } from './runtime/tls-settings.js';
// A file needs Node: in a browser or React Native bundle this is the platform module's stub, which throws.
export { fileTrustStore } from './platform/platform.js';
export { backoffDelay, resolveBackoff, DEFAULT_BACKOFF, type Backoff, type BackoffOptions } from './runtime/backoff.js';
export { NewlineFramer, encodeFrame, DEFAULT_MAX_MESSAGE_SIZE, type FramerOptions, type FrameEvent } from './runtime/framing.js';
// Node's own TCP, TLS and `ws` connectors and the Node framing helpers are in stratum-sdk/node (src/node.ts), so
// that this entry point bundles for browsers and React Native.
