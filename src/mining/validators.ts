// stratum-sdk/mining/validators: the spec's checks of each Stratum V1 method, one export (and one module) per
// method, so a bundle holds only those imported; `miningSessionValidators` is what every client carries and
// `miningValidators` all of them. Give a set to a client as its `validators` option.
export * from '../generated/mining/validators/index.js';
export type { MethodValidators, ValidatorSet } from '../runtime/validation.js';
