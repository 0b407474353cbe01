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
