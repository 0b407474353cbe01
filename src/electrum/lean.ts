// stratum-sdk/electrum/lean: stratum-sdk/electrum with a client that carries only the validators it is
// given (`validators`: `walletValidators`, or per-method ones from stratum-sdk/electrum/validators), none
// by default, so a browser bundle holds no others. The registry exported here too, `electrumProtocol`,
// holds them all: a bundle that uses it carries them.
export * from '../electrum.js';
export { LeanElectrumClient as ElectrumClient } from '../clients/electrum-client.js';
export { walletValidators } from './validators.js';
export type { ElectrumValidators, ElectrumValidatedMethod } from '../generated/electrum/validators/index.js';
export type { MethodValidators, ValidatorSet } from '../runtime/validation.js';
