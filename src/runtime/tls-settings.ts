// What TLS settings and trust stores are, with no platform in them: the clients' options name these types on
// every platform, and the checks below run before any socket is opened. Applying the settings to a handshake
// is the Node transports' job (src/runtime/node/tls-trust.ts); a browser's WebSocket applies its own policy.

/** Remembers the certificate each server showed the first time (trust-on-first-use). */
export interface TrustStore {
  /** The SHA-256 fingerprint (64 lowercase hex digits) recorded for `server` ("host:port"), if any. */
  get(server: string): string | undefined | Promise<string | undefined>;
  set(server: string, fingerprint: string): void | Promise<void>;
}

export interface TlsSettings {
  /** Extra certificate authorities (PEM), added to the system ones. */
  readonly ca?: string | readonly string[] | undefined;
  /**
   * SHA-256 fingerprints of the certificates to accept (hex, colons allowed). A pinned certificate is
   * accepted on its fingerprint alone, CA or not, which is how self-signed Electrum servers are used.
   */
  readonly pin?: string | readonly string[] | undefined;
  /**
   * Trust-on-first-use: a certificate no CA vouches for is recorded in the store the first time and
   * must be the same ever after; a changed certificate is refused. A server whose certificate a CA
   * vouches for and that has no record is accepted through the CA (so renewals keep working) and not recorded.
   */
  readonly trustOnFirstUse?: TrustStore | undefined;
  /** Accept any certificate. Only for tests and servers you control; never the default. */
  readonly insecure?: boolean | undefined;
  /** Server name sent for SNI and checked against the certificate; defaults to the host. */
  readonly servername?: string | undefined;
}

/** Normalizes "AB:CD:..." or "abcd..." to 64 lowercase hex digits; anything else is a RangeError. */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new RangeError(`a certificate pin must be a SHA-256 fingerprint (64 hex digits), got ${JSON.stringify(fingerprint)}`);
  return hex;
}

export interface CheckedSettings {
  readonly settings: TlsSettings;
  readonly pins: readonly string[];
}

/** Validates the settings before a socket is opened: contradictions are the caller's bug, not the network's. */
export function checkTlsSettings(settings: TlsSettings): CheckedSettings {
  const pins = settings.pin === undefined ? [] : [settings.pin].flat().map(normalizeFingerprint);
  if (settings.pin !== undefined && pins.length === 0) throw new RangeError('tls.pin is empty: give at least one fingerprint');
  if (settings.insecure && (pins.length || settings.trustOnFirstUse)) {
    throw new RangeError('tls.insecure accepts any certificate, so it cannot be combined with tls.pin or tls.trustOnFirstUse');
  }
  if (pins.length && settings.trustOnFirstUse) throw new RangeError('use tls.pin or tls.trustOnFirstUse, not both');
  return { settings, pins };
}

/** A trust store in memory (for tests, or a wallet that persists it elsewhere). */
export function memoryTrustStore(initial: Readonly<Record<string, string>> = {}): TrustStore & { entries(): Record<string, string> } {
  const map = new Map(Object.entries(initial).map(([k, v]) => [k, normalizeFingerprint(v)]));
  return {
    get: (server) => map.get(server),
    set: (server, fingerprint) => void map.set(server, normalizeFingerprint(fingerprint)),
    entries: () => Object.fromEntries(map),
  };
}
