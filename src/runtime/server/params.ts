// JSON-RPC 2.0 lets a client pass params by name; the spec's validators and the handlers take them
// by position. ElectrumX accepts named params (protocol-inventory A2; observed-on-the-wire: ElectrumX 1.20
// answers {"height":1,"cp_height":121} by name with the same proof as [1, 121]), so they are turned into
// the positional tuple by the names the spec gives each param. The rule is the registry's own
// (namedToPositional), so the servers accept exactly what the registry's validators accept.
import { namedToPositional, type ParamInfo, type PositionalParams } from '../registry.js';

export type { PositionalParams } from '../registry.js';

/**
 * Positional params from named ones. A name the spec does not know is refused unless the method takes
 * extra params (server.version must ignore them). A gap before a given param is filled with the
 * missing param's default, or refused when it has none.
 */
export function toPositional(named: Record<string, unknown>, params: readonly ParamInfo[], additionalParams: boolean): PositionalParams {
  return namedToPositional(named, params, additionalParams);
}
