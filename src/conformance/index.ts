// Checks whether an Electrum server follows the spec: version negotiation, the protocol basics, and
// every method its negotiated version offers, each answer validated. Returns a report; never throws
// for what the server does wrong, only when it cannot be reached at all.
import { DEFAULT_PROTOCOL_VERSION, ElectrumClient } from '../clients/electrum-client.js';
import { ConnectError, StratumSdkError, TlsError, ValidationError } from '../runtime/errors.js';
import type { TlsSettings } from '../runtime/tls-settings.js';
import { compareVersions } from '../runtime/versions.js';
import { checkBasics, CLIENT_NAME } from './basics.js';
import { checkMethods, methodsToCheck } from './methods.js';
import { buildReport, CheckRunner, fail, pass, type ConformanceReport, type ProgressEvent } from './report.js';

export * from './report.js';
export { DEFAULT_POOL_STEP_TIMEOUT, runPoolConformance, type PoolConformanceOptions } from './pool/probe.js';
export { DEFAULT_SOLVE_BUDGET } from './pool/shares.js';

export interface ConformanceOptions {
  /** The versions to negotiate, [min, max] or one (default the client's 1.4-1.6). */
  readonly protocolVersion?: string | readonly [string, string] | undefined;
  readonly tls?: TlsSettings | undefined;
  /** A SOCKS5 proxy URL every connection goes through (socks5h://127.0.0.1:9050 for Tor). */
  readonly proxy?: string | undefined;
  /** Per-request timeout in milliseconds (default 10 s: a conforming server answers each check at once). */
  readonly timeout?: number | undefined;
  /** Also check implementation-specific and experimental methods. */
  readonly all?: boolean | undefined;
}

export const DEFAULT_CONFORMANCE_TIMEOUT = 10_000;

export async function runConformance(url: string, options: ConformanceOptions = {}, onProgress?: (event: ProgressEvent) => void): Promise<ConformanceReport> {
  const runner = new CheckRunner(onProgress);
  const run = runner.run;
  runner.expect(1);
  const timeout = options.timeout ?? DEFAULT_CONFORMANCE_TIMEOUT;
  const range = options.protocolVersion ?? DEFAULT_PROTOCOL_VERSION;
  const [min, max] = typeof range === 'string' ? [range, range] : range;

  let client: ElectrumClient | undefined;
  let refused: unknown;
  try {
    client = await ElectrumClient.connect(url, {
      clientName: CLIENT_NAME,
      protocolVersion: range,
      timeout,
      connectTimeout: timeout,
      tls: options.tls,
      proxy: options.proxy,
      // Conformance is validation: it cannot be turned off here.
      validate: true,
      keepAlive: false,
      reconnect: false,
    });
  } catch (e) {
    // Not reaching the server at all is not a verdict on it: the caller gets the error.
    if (e instanceof ConnectError || e instanceof TlsError) throw e;
    refused = e;
  }
  await run('server.version', 'server.version', async () => {
    if (!client) return fail(describeFailure(refused));
    const v = client.protocolVersion;
    if (compareVersions(v, min) < 0 || compareVersions(v, max) > 0) return fail(`negotiated ${v}, outside the range asked for (${min}-${max})`);
    return pass(`negotiated ${v} within ${min}-${max} (${client.serverVersion})`);
  });
  if (!client) return buildReport({ target: url, kind: 'electrum' }, runner.results());
  const connected = client;
  const protocolVersion = connected.protocolVersion;
  const methods = { protocolVersion, all: options.all ?? false };
  // 8 basics (each on its own connection) and every method (pipelined on the client), all at once.
  runner.expect(8 + methodsToCheck(methods).length);
  try {
    await Promise.all([checkBasics(url, { tls: options.tls, proxy: options.proxy, timeout, protocolVersion }, run), checkMethods(connected, methods, run)]);
  } finally {
    connected.close();
  }
  return buildReport({ target: url, kind: 'electrum', software: connected.serverVersion, protocolVersion }, runner.results());
}

function describeFailure(e: unknown): string {
  if (e instanceof ValidationError) return `invalid ${e.part}: ${e.errors.join('; ')}`;
  if (e instanceof StratumSdkError) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
