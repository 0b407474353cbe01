// The wrong kind of server: an Electrum URL pointed at a mining pool, or a stratum URL at an Electrum server.
// When the first exchange fails the way the other protocol's servers fail it (an unknown-method error, or no
// answer at all), one short probe in the other protocol decides, and the error then names what is there and
// the URL to use instead.
import { ElectrumClient } from '../clients/electrum-client.js';
import { MiningClient } from '../clients/mining-client.js';
import { ServerError, TimeoutError } from '../runtime/errors.js';
import type { TlsSettings } from '../runtime/tls-settings.js';
import { UsageError } from './io.js';
import type { CheckedUrl } from './urls.js';

const PROBE_TIMEOUT = 3_000;

/** Whether an error from the first request is how a server of the other protocol would answer it. */
export function looksLikeWrongProtocol(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  if (!(error instanceof ServerError)) return false;
  return error.serverCode === -32601 || error.serverCode === -3 || /unknown method|method not found|not supported|unsupported/i.test(error.serverMessage);
}

/**
 * After `error` from speaking `url.protocol` to it, checks whether the other protocol answers at the same
 * address. Returns a UsageError naming the right URL when it does, or undefined.
 */
export async function wrongServer(url: CheckedUrl, error: unknown, tls: TlsSettings | undefined, proxy?: string): Promise<UsageError | undefined> {
  if (!looksLikeWrongProtocol(error)) return undefined;
  return otherProtocolAnswers(url, tls, proxy);
}

/**
 * Whether the other protocol answers at the URL's address: a UsageError naming the URL to use, or undefined.
 * The probe goes through the command's proxy: a server meant to be reached only through Tor is never reached directly.
 */
export async function otherProtocolAnswers(url: CheckedUrl, tls: TlsSettings | undefined, proxy?: string): Promise<UsageError | undefined> {
  const hostPort = `${url.host.includes(':') ? `[${url.host}]` : url.host}:${url.port}`;
  if (url.protocol === 'electrum') {
    const pool = `${url.secure ? 'stratum+ssl' : 'stratum+tcp'}://${hostPort}`;
    if (await answersStratum(pool, tls, proxy)) return new UsageError(`${url.url}: this looks like a Stratum mining pool, not an Electrum server: try ${pool}`);
    return undefined;
  }
  const server = `${url.secure ? 'tls' : 'tcp'}://${hostPort}`;
  const software = await answersElectrum(server, tls, proxy);
  if (software !== undefined) return new UsageError(`${url.url}: this looks like an Electrum server (${software}), not a Stratum mining pool: try ${server}`);
  return undefined;
}

async function answersStratum(url: string, tls: TlsSettings | undefined, proxy: string | undefined): Promise<boolean> {
  let client: MiningClient | undefined;
  try {
    client = await MiningClient.connect(url, { timeout: PROBE_TIMEOUT, connectTimeout: PROBE_TIMEOUT, tls, proxy, agent: 'stratum-sdk-cli probe' });
    const answer = await client.request('mining.subscribe', ['stratum-sdk-cli probe'], { timeout: PROBE_TIMEOUT });
    return Array.isArray(answer);
  } catch {
    return false;
  } finally {
    client?.close();
  }
}

async function answersElectrum(url: string, tls: TlsSettings | undefined, proxy: string | undefined): Promise<string | undefined> {
  let client: ElectrumClient | undefined;
  try {
    client = await ElectrumClient.connect(url, { timeout: PROBE_TIMEOUT, connectTimeout: PROBE_TIMEOUT, tls, proxy, reconnect: false, keepAlive: false, clientName: 'stratum-sdk-cli probe' });
    return client.serverVersion;
  } catch {
    return undefined;
  } finally {
    client?.close();
  }
}
