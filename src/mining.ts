// stratum-sdk/mining: the Stratum V1 mining protocol's types, registry, client wrappers and handler interfaces.
export type * from './generated/definitions.js';
export type * from './generated/mining/types.js';
export * from './generated/mining/methods.js';
export * from './generated/mining/client-api.js';
export type * from './generated/mining/server-api.js';
export type { ValidationOutcome } from './runtime/validation.js';
export type { MethodInfo, ProtocolRegistry, ValidationContext } from './runtime/registry.js';
export { compareVersions, inVersionRange } from './runtime/versions.js';
