// JSON-RPC 2.0 lets a client pass params by name; the spec's validators and the handlers take them
// by position. ElectrumX accepts named params (protocol-inventory A2), so they are turned into the
// positional tuple here, by the names the spec gives each param.
import type { ParamInfo } from '../registry.js';

export type PositionalParams = { ok: true; params: unknown[] } | { ok: false; error: string };

/**
 * Positional params from named ones. A name the spec does not know is refused unless the method takes
 * extra params (server.version must ignore them). A gap before a given param is filled with the
 * missing param's default, or refused when it has none.
 */
export function toPositional(
  named: Record<string, unknown>,
  params: readonly ParamInfo[],
  additionalParams: boolean,
): PositionalParams {
  const names = new Set(params.map((p) => p.name));
  const unknown = Object.keys(named).filter((k) => !names.has(k));
  if (unknown.length > 0 && !additionalParams) {
    return { ok: false, error: `unknown param${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}` };
  }
  let last = -1;
  params.forEach((p, i) => {
    if (Object.hasOwn(named, p.name)) last = i;
  });
  const out: unknown[] = [];
  for (let i = 0; i <= last; i++) {
    const p = params[i]!;
    if (Object.hasOwn(named, p.name)) out.push(named[p.name]);
    else if (p.hasDefault) out.push(p.default);
    else return { ok: false, error: `param "${p.name}" is missing but a later one is given` };
  }
  return { ok: true, params: out };
}
