// Electrum protocol version negotiation, server side (protocol-inventory A3): the client sends one
// version or [min, max]; the server answers min(client max, server max) unless that is below both
// minimums. The answer is spelled as the side that set it spelled it, so a client asking for exactly
// "1.4" (Electrum 4.x, which drops a server answering anything else) gets "1.4" back.
import { excerpt } from '../runtime/bounded-json.js';
import { compareVersions, isVersion } from '../runtime/versions.js';

export type Negotiation = { readonly ok: true; readonly version: string } | { readonly ok: false; readonly message: string };

/** Checks a [min, max] range given as an option; throws a RangeError when it is not one. */
export function versionRange(value: string | readonly [string, string], what = 'protocolVersion'): readonly [string, string] {
  const range = typeof value === 'string' ? ([value, value] as const) : value;
  if (!isVersion(range[0]) || !isVersion(range[1]) || compareVersions(range[0], range[1]) > 0) {
    throw new RangeError(`${what} must be a version or [min, max] with min <= max, got ${JSON.stringify(value)}`);
  }
  return [range[0], range[1]];
}

/**
 * The version to answer a client's `protocol_version` param with, or why there is none.
 * `requested`: what the client sent (one version, or [min, max]).
 */
export function negotiateVersion(requested: unknown, server: readonly [string, string]): Negotiation {
  const client = clientRange(requested);
  if (!client) return { ok: false, message: `unsupported protocol version: ${excerpt(requested, 80)}` };
  const [clientMin, clientMax] = client;
  const [serverMin, serverMax] = server;
  const version = compareVersions(clientMax, serverMax) <= 0 ? clientMax : serverMax;
  const floor = compareVersions(clientMin, serverMin) >= 0 ? clientMin : serverMin;
  if (compareVersions(version, floor) < 0) {
    return { ok: false, message: `unsupported protocol version: ${excerpt(requested, 80)} (this server speaks ${serverMin} to ${serverMax})` };
  }
  return { ok: true, version };
}

function clientRange(requested: unknown): readonly [string, string] | undefined {
  if (isVersion(requested)) return [requested, requested];
  if (!Array.isArray(requested)) return undefined;
  if (requested.length === 1 && isVersion(requested[0])) return [requested[0], requested[0]];
  const [min, max] = requested as unknown[];
  // Fulcrum: a [min, max] with min > max is refused ("Bad version tuple"); so is anything else.
  if (requested.length !== 2 || !isVersion(min) || !isVersion(max) || compareVersions(min, max) > 0) return undefined;
  return [min, max];
}
