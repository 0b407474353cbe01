// Dotted protocol versions ("1.4", "1.4.2", "1.6.0"). Missing trailing parts count as zero, so
// ElectrumX's "1.6.0" equals "1.6".

export interface VersionRange {
  /** First version that has it (inclusive). */
  readonly since?: string | undefined;
  /** First version that no longer has it (exclusive). */
  readonly until?: string | undefined;
}

const VERSION = /^\d+(?:\.\d+)+$/;

export function isVersion(value: unknown): value is string {
  return typeof value === 'string' && VERSION.test(value);
}

export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = Number(x[i] ?? 0) - Number(y[i] ?? 0);
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
