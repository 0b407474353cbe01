// What every fresh Electrum connection does before it carries a request: server.version within the
// client's range, then (when asked) server.features to refuse a server of another chain.
import { ValidationError, VersionMismatchError, WrongChainError } from '../runtime/errors.js';
import type { RpcSession } from '../runtime/session.js';
import { compareVersions, isVersion } from '../runtime/versions.js';
import type { ElectrumConnectionInfo } from './electrum-types.js';

/**
 * Checks a result against the spec for a protocol version, throwing a ValidationError: the ElectrumClient's
 * registry. The lite client has none, and passes none.
 */
export type SpecCheck = (method: string, result: unknown, version: string) => void;

/** Sends server.version with the client's name and range; the server's choice must fall inside it. */
export async function negotiateVersion(
  session: RpcSession,
  clientName: string,
  [min, max]: readonly [string, string],
  spec?: SpecCheck,
): Promise<ElectrumConnectionInfo> {
  const reply = await session.request('server.version', [clientName, min === max ? min : [min, max]]);
  spec?.('server.version', reply, max);
  // Checked with or without the spec (a client that carries none): the two strings read below.
  if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'string') {
    throw new ValidationError('server.version', 'result', [Array.isArray(reply) ? 'result: must be two strings, the server software and the protocol version' : 'not a list']);
  }
  const [serverVersion, protocolVersion] = reply as [string, string];
  if (!isVersion(protocolVersion) || compareVersions(protocolVersion, min) < 0 || compareVersions(protocolVersion, max) > 0) {
    throw new VersionMismatchError(`the server chose protocol ${protocolVersion}, outside the client's range ${min}-${max}`);
  }
  return { serverVersion, protocolVersion };
}

/** Refuses a server whose server.features names another genesis block than `genesisHash` (lower-case hex). */
export async function checkGenesis(session: RpcSession, version: string, genesisHash: string, spec?: SpecCheck): Promise<void> {
  const features = await session.request('server.features', []);
  spec?.('server.features', features, version);
  const actual = typeof features === 'object' && features !== null ? (features as { genesis_hash?: unknown }).genesis_hash : undefined;
  if (typeof actual !== 'string') throw new ValidationError('server.features', 'result', ['genesis_hash is missing']);
  if (actual.toLowerCase() !== genesisHash) throw new WrongChainError(genesisHash, actual);
}

export function normalizeRange(v: string | readonly [string, string]): readonly [string, string] {
  const range = typeof v === 'string' ? ([v, v] as const) : v;
  if (!isVersion(range[0]) || !isVersion(range[1]) || compareVersions(range[0], range[1]) > 0) {
    throw new RangeError(`protocolVersion must be a version or [min, max] with min <= max, got ${JSON.stringify(v)}`);
  }
  return range;
}
