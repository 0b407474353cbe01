// stratum-sdk/mining/lean: stratum-sdk/mining with a client that carries the validators of its session
// (miningSessionValidators, always: its state only holds spec-valid values) and those it is given as
// `validators` (per-method ones from stratum-sdk/mining/validators), so a browser bundle holds no others.
// The registry exported here too, `miningProtocol`, holds them all: a bundle that uses it carries them.
export * from '../mining.js';
export { LeanMiningClient as MiningClient } from '../clients/mining-client.js';
export type { MiningValidators, MiningValidatedMethod } from '../generated/mining/validators/index.js';
export type { MethodValidators, ValidatorSet } from '../runtime/validation.js';
