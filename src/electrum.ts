// stratum-sdk/electrum: the Electrum protocol's types, registry, client wrappers and handler interfaces.
export type * from './generated/definitions.js';
export type * from './generated/electrum/types.js';
export * from './generated/electrum/methods.js';
export * from './generated/electrum/client-api.js';
export type * from './generated/electrum/server-api.js';
export type { ValidationOutcome } from './runtime/validation.js';
export type { CompareVersions, MethodInfo, ProtocolRegistry, ValidationContext, VersionsFrom, VersionsInRange } from './runtime/registry.js';
export { compareVersions, inVersionRange } from './runtime/versions.js';
export { ElectrumClient, DEFAULT_KEEP_ALIVE, DEFAULT_NOTIFICATION_BUFFER, DEFAULT_PROTOCOL_VERSION } from './clients/electrum-client.js';
export type {
  BatchItemResult,
  ElectrumBatchCall,
  ElectrumBatchResults,
  ElectrumClientConstructor,
  ElectrumClientEvents,
  ElectrumClientLifecycleEvents,
  ElectrumClientOptions,
  ElectrumClientVersions,
  ElectrumConnectionInfo,
  ElectrumDefaultRange,
  ElectrumDefaultVersions,
  ElectrumEventName,
  ElectrumListener,
  ElectrumNamedParamsIn,
  ElectrumNotificationIn,
  ElectrumParamsIn,
  ElectrumRequestName,
  ElectrumRequestNameIn,
  ElectrumResultIn,
  ElectrumSubscription,
  ElectrumSubscriptionName,
  ElectrumSubscriptionNameIn,
  ElectrumSubscriptionOf,
  ElectrumVersionRange,
  ElectrumVersionsFrom,
  ElectrumVersionsOf,
  IterateOptions,
} from './clients/electrum-types.js';
export type { BackoffOptions } from './runtime/backoff.js';
export type { ReconnectAttempt } from './runtime/connection.js';
export type { TlsSettings, TrustStore } from './runtime/tls-settings.js';
export { memoryTrustStore } from './runtime/tls-settings.js';
// A file needs Node: in a browser or React Native bundle this is the platform module's stub, which throws.
export { fileTrustStore } from './platform/platform.js';
export type { RequestOptions } from './runtime/session.js';
export * from './network/index.js';
