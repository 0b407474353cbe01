// Deciding whether to trust a server's certificate: CA verification (the default), SHA-256 pinning, or
// trust-on-first-use as Electrum wallets do for self-signed servers. Shared by the TCP and WebSocket
// connectors so both apply the same rules.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { TlsError } from '../errors.js';

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

interface CheckedSettings {
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

/** Options for tls.connect (or the `ws` client): CA verification happens inside OpenSSL unless a later check replaces it. */
export function tlsConnectOptions(checked: CheckedSettings, host: string): tls.ConnectionOptions {
  const { settings, pins } = checked;
  const ownCheck = pins.length > 0 || settings.trustOnFirstUse !== undefined || settings.insecure === true;
  const options: tls.ConnectionOptions = { rejectUnauthorized: !ownCheck };
  // SNI carries host names only (RFC 6066): an IP address is never sent, but the certificate is still
  // checked against the name asked for, which is the host unless servername says otherwise.
  const name = settings.servername ?? host;
  if (net.isIP(name) === 0) options.servername = name;
  else if (name !== host) options.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(name, cert);
  // Node's `ca` replaces the system roots, so they are passed along with the extra ones.
  if (settings.ca) options.ca = [...tls.rootCertificates, ...[settings.ca].flat()];
  return options;
}

/**
 * Runs after the handshake: with a pin or trust-on-first-use, OpenSSL was told not to reject, so the
 * decision is made here, before any request is sent. Throws TlsError when the certificate is refused.
 */
export async function checkPeerCertificate(socket: tls.TLSSocket, checked: CheckedSettings, server: string): Promise<void> {
  const { settings, pins } = checked;
  if (settings.insecure) return;
  if (!pins.length && !settings.trustOnFirstUse) return; // OpenSSL verified the chain and name already
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.raw) throw new TlsError(`${server}: the server presented no certificate`);
  const fingerprint = normalizeFingerprint(cert.fingerprint256);
  if (pins.length) {
    if (!pins.includes(fingerprint)) throw new TlsError(`${server}: certificate ${fingerprint} matches no pinned fingerprint`);
    return;
  }
  const store = settings.trustOnFirstUse as TrustStore;
  let known: string | undefined;
  try {
    known = await store.get(server);
  } catch (e) {
    throw new TlsError(`${server}: the trust store could not be read: ${(e as Error).message}`, { cause: e });
  }
  if (known !== undefined) {
    if (normalizeFingerprint(known) !== fingerprint) {
      throw new TlsError(`${server}: the certificate changed since first use (was ${normalizeFingerprint(known)}, now ${fingerprint}); refusing it`);
    }
    return;
  }
  if (socket.authorized) return;
  try {
    await store.set(server, fingerprint);
  } catch (e) {
    throw new TlsError(`${server}: the trust store could not record the certificate: ${(e as Error).message}`, { cause: e });
  }
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

/** A trust store in a JSON file ({"host:port": "fingerprint"}), written atomically on each new server. */
export function fileTrustStore(path: string): TrustStore {
  const read = (): Record<string, string> => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw e;
    }
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path} is not a JSON object`);
    return value as Record<string, string>;
  };
  return {
    get: (server) => {
      const v = read()[server];
      return typeof v === 'string' ? v : undefined;
    },
    set: (server, fingerprint) => {
      const all = { ...read(), [server]: normalizeFingerprint(fingerprint) };
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`);
      renameSync(tmp, path);
    },
  };
}
