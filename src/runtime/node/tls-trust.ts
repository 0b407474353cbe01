// Deciding whether to trust a server's certificate: CA verification (the default), SHA-256 pinning, or
// trust-on-first-use as Electrum wallets do for self-signed servers. Shared by the TCP and WebSocket
// connectors so both apply the same rules.
import net from 'node:net';
import tls from 'node:tls';
import { TlsError } from '../errors.js';
import { normalizeFingerprint, type CheckedSettings, type TrustStore } from '../tls-settings.js';

// The settings, their checks and the memory store have no platform in them; they live in ../tls-settings.ts
// and are re-exported here for the Node modules that always took them from this file.
export { checkTlsSettings, memoryTrustStore, normalizeFingerprint, type CheckedSettings, type TlsSettings, type TrustStore } from '../tls-settings.js';
export { fileTrustStore } from './file-trust-store.js';

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
