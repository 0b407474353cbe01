// Options every command shares: TLS, timeouts and the protocol version range, turned into client options.
import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { parseProxyUrl } from '../platform/proxy.js';
import { fileTrustStore, normalizeFingerprint } from '../runtime/node/tls-trust.js';
import type { TlsSettings } from '../runtime/tls-settings.js';
import { isVersion } from '../runtime/versions.js';
import { UsageError } from './io.js';

export const SHARED_OPTIONS = {
  timeout: { type: 'string' },
  'protocol-version': { type: 'string' },
  'tls-ca': { type: 'string', multiple: true },
  'tls-pin': { type: 'string', multiple: true },
  'tls-tofu': { type: 'string' },
  insecure: { type: 'boolean' },
  'no-validate': { type: 'boolean' },
  proxy: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const SHARED_HELP = `Shared options:
  --timeout <ms>                 per-request timeout (default 30000)
  --protocol-version <v|min-max> Electrum protocol version or range (default 1.4-1.6)
  --tls-ca <file.pem>            trust this certificate authority too (repeatable)
  --tls-pin <sha256>             accept only a certificate with this SHA-256 fingerprint (repeatable)
  --tls-tofu <file.json>         trust on first use: record unknown certificates in this file, refuse changed ones
  --insecure                     accept any certificate (tests and your own servers only)
  --no-validate                  do not check results against the spec
  --proxy <url>                  connect through a SOCKS5 proxy: socks5h://127.0.0.1:9050 for Tor (the proxy
                                 resolves names; needed for .onion), socks5://host:port to resolve them here,
                                 socks5h://user:password@host:port to log in (needs the socks package)
  -h, --help                     this help`;

export interface SharedValues {
  timeout?: string | undefined;
  'protocol-version'?: string | undefined;
  'tls-ca'?: string[] | undefined;
  'tls-pin'?: string[] | undefined;
  'tls-tofu'?: string | undefined;
  insecure?: boolean | undefined;
  'no-validate'?: boolean | undefined;
  proxy?: string | undefined;
}

export interface SharedOptions {
  readonly timeout: number | undefined;
  readonly protocolVersion: string | readonly [string, string] | undefined;
  readonly tls: TlsSettings | undefined;
  readonly validate: boolean;
  /** A SOCKS5 proxy URL, checked; every connection of the command goes through it. */
  readonly proxy: string | undefined;
}

export function sharedOptions(values: SharedValues): SharedOptions {
  return {
    timeout: values.timeout === undefined ? undefined : positiveNumber('--timeout', values.timeout),
    protocolVersion: values['protocol-version'] === undefined ? undefined : versionRange(values['protocol-version']),
    tls: tlsSettings(values),
    validate: !values['no-validate'],
    proxy: values.proxy === undefined ? undefined : proxyUrl(values.proxy),
  };
}

function proxyUrl(text: string): string {
  try {
    parseProxyUrl(text);
  } catch (e) {
    throw new UsageError(`--proxy: ${(e as Error).message}`);
  }
  return text;
}

function positiveNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${flag} must be a positive number, got ${JSON.stringify(text)}`);
  return n;
}

function versionRange(text: string): string | readonly [string, string] {
  const parts = text.split('-');
  if (parts.length > 2 || !parts.every(isVersion)) throw new UsageError(`--protocol-version must be a version like 1.4 or a range like 1.4-1.6, got ${JSON.stringify(text)}`);
  return parts.length === 2 ? [parts[0] as string, parts[1] as string] : (parts[0] as string);
}

function tlsSettings(values: SharedValues): TlsSettings | undefined {
  const settings: { ca?: string[]; pin?: string[]; trustOnFirstUse?: ReturnType<typeof fileTrustStore>; insecure?: boolean } = {};
  if (values['tls-ca']?.length) {
    settings.ca = values['tls-ca'].map((file) => {
      try {
        return readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`--tls-ca ${file}: ${(e as Error).message}`);
      }
    });
  }
  if (values['tls-pin']?.length) {
    settings.pin = values['tls-pin'].map((p) => {
      try {
        return normalizeFingerprint(p);
      } catch (e) {
        throw new UsageError(`--tls-pin: ${(e as Error).message}`);
      }
    });
  }
  if (values['tls-tofu']) settings.trustOnFirstUse = fileTrustStore(values['tls-tofu']);
  if (values.insecure) settings.insecure = true;
  if (Object.keys(settings).length === 0) return undefined;
  if (settings.insecure && (settings.pin || settings.trustOnFirstUse)) throw new UsageError('--insecure cannot be combined with --tls-pin or --tls-tofu');
  if (settings.pin && settings.trustOnFirstUse) throw new UsageError('use --tls-pin or --tls-tofu, not both');
  return settings;
}
