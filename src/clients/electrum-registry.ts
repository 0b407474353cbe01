// The registry a client checks with when it is given a set of validators instead of a registry: the
// generated method table and only those validators, so a bundle holds no others (see stratum-sdk/electrum/lean).
import { electrumMethodTable } from '../generated/electrum/table.js';
import type { ElectrumValidators } from '../generated/electrum/validators/index.js';
import { defineClientProtocol, type ClientRegistry } from '../runtime/registry.js';

// One registry per set: clients built with the same set (walletValidators, say) share it and its caches.
const registries = new WeakMap<ElectrumValidators, ClientRegistry<string>>();
const NONE: ElectrumValidators = Object.freeze({});

export function electrumRegistry(validators: ElectrumValidators = NONE): ClientRegistry<string> {
  let registry = registries.get(validators);
  if (registry === undefined) {
    registry = defineClientProtocol('electrum', electrumMethodTable, validators);
    registries.set(validators, registry);
  }
  return registry;
}
