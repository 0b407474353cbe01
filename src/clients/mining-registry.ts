// The registry a mining client checks with: the generated method table and the validators it is given, with
// those of the session always (miningSessionValidators: the client keeps its state from spec-valid values
// only), so a bundle of the lean client (stratum-sdk/mining/lean) holds no others. Without the docs table: the
// client reads none of it (summaries, errors, status), and it is never handed out.
import { miningMethodTable } from '../generated/mining/table.js';
import { miningSessionValidators, type MiningValidators } from '../generated/mining/validators/index.js';
import { defineProtocol, type ProtocolRegistry } from '../runtime/registry.js';

// One registry per set: clients built with the same set share it and its caches.
const registries = new WeakMap<MiningValidators, ProtocolRegistry<string>>();
const NONE: MiningValidators = Object.freeze({});

export function miningRegistry(validators: MiningValidators = NONE): ProtocolRegistry<string> {
  let registry = registries.get(validators);
  if (registry === undefined) {
    registry = defineProtocol('mining', miningMethodTable, { ...miningSessionValidators, ...validators });
    registries.set(validators, registry);
  }
  return registry;
}
