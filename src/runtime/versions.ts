// Dotted protocol versions ("1.4", "1.4.2", "1.6.0"). Missing trailing parts count as zero, so
// ElectrumX's "1.6.0" equals "1.6".

export interface VersionRange {
  /** First version that has it (inclusive). */
  readonly since?: string | undefined;
  /** First version that no longer has it (exclusive). */
  readonly until?: string | undefined;
}

const VERSION = /^\d+(?:\.\d+)+$/;

/** The spec's protocolVersion maxLength: no real version is near it, and a peer's version is kept and echoed. */
export const MAX_VERSION_LENGTH = 32;

export function isVersion(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_VERSION_LENGTH && VERSION.test(value);
}

// A handful of version strings (the spec's and the negotiated one) are compared on every request and
// notification: each is split once. Bounded, since a version can come from the network.
const parsedVersions = new Map<string, readonly number[]>();
const MAX_PARSED_VERSIONS = 256;

function versionParts(v: string): readonly number[] {
  let parts = parsedVersions.get(v);
  if (parts === undefined) {
    parts = v.split('.').map(Number);
    // Only versions short enough to be real are kept: a long one is compared, then forgotten.
    if (v.length <= MAX_VERSION_LENGTH && parsedVersions.size < MAX_PARSED_VERSIONS) parsedVersions.set(v, parts);
  }
  return parts;
}

export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0, n = Math.max(x.length, y.length); i < n; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function inVersionRange(version: string, range: VersionRange | undefined): boolean {
  if (!range) return true;
  if (range.since !== undefined && compareVersions(version, range.since) < 0) return false;
  if (range.until !== undefined && compareVersions(version, range.until) >= 0) return false;
  return true;
}
