// stratum-sdk/server: typed Electrum and Stratum V1 servers, and the protocol-agnostic runtime under them.
export {
  createElectrumServer,
  DEFAULT_SERVER_PROTOCOL_VERSION,
  DEFAULT_SERVER_SOFTWARE,
  MAX_PONG_LENGTH,
  type ElectrumHandlers,
  type ElectrumServer,
  type ElectrumServerOptions,
  type ElectrumServerRequests,
  type ElectrumSession,
} from './servers/electrum-server.js';
export {
  createMiningServer,
  MINING_SERVER_LIMITS,
  type MiningHandlers,
  type MiningListenConfig,
  type MiningServer,
  type MiningServerOptions,
  type MiningServerRequests,
  type MiningSession,
} from './servers/mining-server.js';
export { negotiateVersion, versionRange, type Negotiation } from './servers/version-negotiation.js';
export type { ListenConfig, ListenSpec, SecureWebSocketListenSpec, TlsListenSpec, WebSocketListenSpec } from './servers/listeners.js';
export { RpcServer, type CloseOptions, type RpcServerEvents, type RpcServerOptions } from './runtime/server/server.js';
export { ServerSession, type IncomingProblem, type NotificationMap, type RequestMap, type SessionEvents, type SessionInfo } from './runtime/server/session.js';
export { SERVER_ERROR_CODES, type DispatchRegistry, type HandlerTable, type RequestHandler, type RpcErrorBody } from './runtime/server/dispatch.js';
export { DEFAULT_SERVER_LIMITS, type ServerLimitOptions, type ServerLimits } from './runtime/server/limits.js';
export type {
  AcceptConnection,
  Admission,
  AdmitConnection,
  ConnectionRefusal,
  ListenAddress,
  Listener,
  PeerAddress,
  ServerConnection,
  TransportKind,
} from './runtime/server/connection.js';
export type { V1ErrorFormat } from './runtime/server/replies.js';
export type { AiorpcxProtocol, DialectDetection } from './runtime/server/dialects.js';
export { DEFAULT_LISTEN_HOST, listenTcp, listenTls, type TcpListenOptions, type TlsListenOptions } from './runtime/node/listen.js';
export { listenWebSocket, type WebSocketListenOptions } from './runtime/node/ws-server.js';
export { ClosedError, ServerError, StratumSdkError, ValidationError, VersionMismatchError } from './runtime/errors.js';
