// The registry a client checks with when it is given a set of validators instead of a registry: the
// generated method table and only those validators, so a bundle holds no others (see stratum-sdk/electrum/lean).
import { electrumMethodTable } from '../generated/electrum/table.js';
import type { ElectrumValidators } from '../generated/electrum/validators/index.js';
import { ValidationError } from '../runtime/errors.js';
import { defineClientProtocol, type ClientRegistry } from '../runtime/registry.js';
import { compareVersions } from '../runtime/versions.js';
import type { SpecCheck } from './electrum-handshake.js';

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

/**
 * Refuses, when the client is made, validators that check only the versions from a later one than the start of
 * the client's range (the `<method>_from_<version>` sets, `walletValidators`): a server speaking an older version
 * would have every answer of that method refused.
 */
export function checkCoverage(validators: ElectrumValidators | undefined, [min]: readonly [string, string]): void {
  for (const v of Object.values(validators ?? NONE)) {
    if (v?.since !== undefined && compareVersions(min, v.since) < 0) {
      throw new RangeError(`validators: those of ${v.method} check protocol ${v.since} and later, but the client's range starts at ${min}; give its validators for every version (stratum-sdk/electrum/validators)`);
    }
  }
}

/** A registry's check of one result at a version, as the handshake takes it: a ValidationError when it fails. */
export function specCheck(protocol: ClientRegistry<string>): SpecCheck {
  return (method, result, protocolVersion) => {
    const check = protocol.validateResult(method, result, { protocolVersion });
    if (!check.valid) throw new ValidationError(method, 'result', check.errors);
  };
}
