// stratum-sdk/mining: the Stratum V1 mining protocol's types, registry, client wrappers and handler interfaces.
export type * from './generated/definitions.js';
export type * from './generated/mining/types.js';
export * from './generated/mining/methods.js';
export * from './generated/mining/client-api.js';
export type * from './generated/mining/server-api.js';
export type { ValidationOutcome } from './runtime/validation.js';
export type { MethodInfo, ProtocolRegistry, ValidationContext } from './runtime/registry.js';
export { compareVersions, inVersionRange } from './runtime/versions.js';
export { MiningClient, DEFAULT_MINING_AGENT, DEFAULT_OPTIONAL_REPLY_TIMEOUT, DEFAULT_MAX_RECONNECT_WAIT } from './clients/mining-client.js';
export type { MiningClientWrappers } from './clients/mining-client.js';
export { DEFAULT_MAX_JOBS } from './clients/mining-state.js';
export { shareRejectionReason, ShareRejectedError, SHARE_REJECTION_REASONS, MAX_COMPARED_MESSAGE_LENGTH, type ShareRejectionReason } from './clients/share-rejections.js';
export type {
  MiningClientEvents,
  MiningClientLifecycleEvents,
  MiningClientOptions,
  MiningJob,
  MiningRequestName,
  MiningResult,
  MiningStartOptions,
  MiningStartResult,
  MiningSubscribeTriple,
  MiningSubscription,
  ReconnectInfo,
  ReconnectRequest,
  ReconnectTarget,
} from './clients/mining-types.js';
export type { BackoffOptions } from './runtime/backoff.js';
export type { ReconnectAttempt } from './runtime/connection.js';
export type { TlsSettings, TrustStore } from './runtime/tls-settings.js';
export { memoryTrustStore } from './runtime/tls-settings.js';
// A file needs Node: in a browser or React Native bundle this is the platform module's stub, which throws.
export { fileTrustStore } from './platform/platform.js';
export type { RequestOptions } from './runtime/session.js';
