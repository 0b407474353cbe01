// A self-signed TLS certificate for the regtest world, made at start without a network, a subprocess or a
// dependency. The cryptography is node:crypto's (OpenSSL inside Node: the P-256 key pair, the ECDSA
// signature, SHA-1 for the key identifier); what is written here is only the DER layout of an X.509 v3
// certificate (RFC 5280), and the result is checked by Node's own X.509 parser before it is used.
// Node-only: the world imports it lazily, when TLS is asked for.
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

export interface SelfSignedOptions {
  /** Host names and IP addresses the certificate is for (subjectAltName); default localhost, 127.0.0.1 and ::1. */
  readonly hosts?: readonly string[];
  /** Subject and issuer common name (default "stratum-sdk regtest world"). */
  readonly commonName?: string;
  /** Days of validity from now (default 3650); it starts an hour back, for clocks a little behind. */
  readonly days?: number;
  /** The current time (default the clock). */
  readonly now?: Date;
}

export interface TlsCertificate {
  /** The certificate, PEM. */
  readonly cert: string;
  /** Its private key, PKCS#8 PEM. */
  readonly key: string;
  /** SHA-256 of the certificate's DER: 64 lowercase hex digits, as `--tls-pin` and Electrum's `--serverfingerprint` take it. */
  readonly fingerprint: string;
}

export const DEFAULT_CERTIFICATE_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** Makes an EC P-256 certificate signed by its own key, for the given hosts. */
export function selfSignedCertificate(options: SelfSignedOptions = {}): TlsCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - 3600_000);
  const notAfter = new Date(now.getTime() + (options.days ?? 3650) * 86400_000);
  const name = seq(set(seq(oid(OID.commonName), tlv(0x0c, utf8(options.commonName ?? 'stratum-sdk regtest world')))));
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  // RFC 5280 4.2.1.2, method 1: SHA-1 of the subjectPublicKey bits (for P-256, the 65-byte point ending the SPKI).
  const keyId = new Uint8Array(createHash('sha1').update(spki.subarray(spki.length - 65)).digest());
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f; // positive
  const hosts = [...new Set(options.hosts ?? DEFAULT_CERTIFICATE_HOSTS)];
  const extensions = seq(
    extension(OID.basicConstraints, true, seq(tlv(0x01, Uint8Array.of(0xff)))), // CA: it is its own trust anchor
    extension(OID.keyUsage, true, tlv(0x03, Uint8Array.of(2, 0x84))), // digitalSignature, keyCertSign
    extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
    extension(OID.subjectKeyIdentifier, false, tlv(0x04, keyId)),
    extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyId))),
    extension(OID.subjectAltName, false, seq(...hosts.map(generalName))),
  );
  const signatureAlgorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    tlv(0xa0, integer(Uint8Array.of(2))), // v3
    integer(serial),
    signatureAlgorithm,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    spki,
    tlv(0xa3, extensions),
  );
  const signature = new Uint8Array(sign('sha256', tbs, privateKey)); // DER ECDSA-Sig-Value
  const der = seq(tbs, signatureAlgorithm, tlv(0x03, concat(Uint8Array.of(0), signature)));
  const cert = pem('CERTIFICATE', der);
  check(cert, publicKey, privateKey);
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, fingerprint: certificateFingerprint(cert) };
}

/** SHA-256 fingerprint of a PEM certificate: 64 lowercase hex digits. */
export function certificateFingerprint(certPem: string | Uint8Array): string {
  return new X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase();
}

/** Node's parser reads it back, its signature verifies with its own key, and the private key matches. */
function check(cert: string, publicKey: KeyObject, privateKey: KeyObject): void {
  const parsed = new X509Certificate(cert);
  if (!parsed.verify(publicKey) || !parsed.checkPrivateKey(privateKey) || !parsed.ca) {
    throw new Error('the generated certificate did not check out');
  }
}

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
} as const;

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return seq(oid(id), ...(critical ? [tlv(0x01, Uint8Array.of(0xff))] : []), tlv(0x04, value));
}

/** dNSName [2] or iPAddress [7], both implicit. */
function generalName(host: string): Uint8Array {
  const family = isIP(host);
  if (family === 4) return tlv(0x87, Uint8Array.from(host.split('.').map(Number)));
  if (family === 6) return tlv(0x87, ipv6Bytes(host));
  return tlv(0x82, utf8(host));
}

function ipv6Bytes(address: string): Uint8Array {
  const [head = '', tail] = address.split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':').map((g) => Number.parseInt(g, 16)));
  const start = groups(head);
  const end = tail === undefined ? [] : groups(tail);
  const all = [...start, ...new Array<number>(8 - start.length - end.length).fill(0), ...end];
  return Uint8Array.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

// DER (X.690): tag, definite length, contents.
function tlv(tag: number, contents: Uint8Array): Uint8Array {
  const n = contents.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return concat(Uint8Array.of(tag, ...length), contents);
}

function seq(...items: Uint8Array[]): Uint8Array {
  return tlv(0x30, concat(...items));
}

function set(...items: Uint8Array[]): Uint8Array {
  return tlv(0x31, concat(...items));
}

/** A non-negative INTEGER from big-endian bytes: minimal, with a 0 in front when the top bit is set. */
function integer(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0 && ((bytes[i + 1] as number) & 0x80) === 0) i++;
  const body = bytes.subarray(i);
  return tlv(0x02, ((body[0] as number) & 0x80) !== 0 ? concat(Uint8Array.of(0), body) : body);
}

function oid(dotted: string): Uint8Array {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
function time(date: Date): Uint8Array {
  const iso = date.toISOString(); // 2026-11-24T12:11:19.000Z
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050 ? tlv(0x17, utf8(digits.slice(2))) : tlv(0x18, utf8(digits));
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}
