// Stratum pool addresses: `stratum+tcp://host:port`, `stratum+ssl://` and `stratum+tls://`, and the
// checks a client.reconnect target must pass before the client follows it.
import { openStream } from '../platform/platform.js';
import type { ProxyTarget } from '../platform/proxy.js';
import { ConnectError } from '../runtime/errors.js';
import type { FramerOptions } from '../runtime/framing.js';
import type { TlsSettings } from '../runtime/tls-settings.js';
import type { Connector } from '../runtime/transport.js';
import type { MiningClientOptions, ReconnectRequest, ReconnectTarget } from './mining-types.js';

/** Where a pool lives: the host and port, and whether the connection is TLS. */
export interface PoolEndpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

const SCHEMES: Record<string, boolean> = { 'stratum+tcp': false, 'stratum+ssl': true, 'stratum+tls': true };

/** Parses a pool URL; throws ConnectError on anything that is not a complete Stratum V1 address. */
export function parsePoolUrl(url: string): PoolEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectError(`not a URL: ${JSON.stringify(url)} (expected stratum+tcp://host:port or stratum+ssl://host:port)`);
  }
  const scheme = parsed.protocol.replace(/:$/, '').toLowerCase();
  const tls = SCHEMES[scheme];
  if (tls === undefined) {
    throw new ConnectError(`${url}: unknown scheme "${scheme}" (expected stratum+tcp, stratum+ssl or stratum+tls)`);
  }
  if (parsed.username || parsed.password) {
    // Silently dropping them would authorize nobody; saying so beats a pool that never credits shares.
    throw new ConnectError(`${url}: credentials in the URL are not used; pass the worker to authorize() or start()`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  // Stratum has no registered port (3333 is only a habit), so one must be given.
  if (!host || !parsed.port) throw new ConnectError(`${url}: a host and a port are needed`);
  return { host, port: Number(parsed.port), tls };
}

export interface EndpointConnectorOptions {
  readonly tls?: TlsSettings | undefined;
  readonly connectTimeout?: number | undefined;
  readonly framing: FramerOptions;
  readonly maxBufferedBytes?: number | undefined;
  readonly proxy?: ProxyTarget | undefined;
}

/**
 * A TCP or TLS connector for an endpoint, from the platform module (a browser or React Native has none: it throws
 * a ConnectError saying to pass a `connector`). TLS settings apply as given, except that an explicit SNI name stays with its host.
 */
export function endpointConnector(endpoint: PoolEndpoint, original: PoolEndpoint, options: EndpointConnectorOptions): Connector {
  const { host, port } = endpoint;
  let tls: TlsSettings | false = false;
  if (endpoint.tls) {
    const settings = options.tls ?? {};
    // A servername set for the first host would make a redirected one fail verification (or pass under the wrong
    // name). Pins and the trust store still apply: they only ever narrow what is accepted.
    tls = sameHost(host, original.host) ? settings : { ...settings, servername: undefined };
  }
  const scheme = endpoint.tls ? 'stratum+ssl' : 'stratum+tcp';
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return openStream({ url, host, port, tls, connectTimeout: options.connectTimeout, framing: options.framing, maxBufferedBytes: options.maxBufferedBytes, proxy: options.proxy });
}

/** Hosts compare without case and without a trailing dot; "Pool.Example." is "pool.example". */
export function sameHost(a: string, b: string): boolean {
  return a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');
}

/** A TCP port from the wire: an integer or (ckpool) a numeric string; anything else is undefined. */
export function portFrom(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * A client.reconnect target with null or missing fields filled from `current` and the wait cut to `maxWait`
 * seconds; undefined when the port cannot be connected to (the spec's port allows 0 and "99999").
 */
export function reconnectTarget(
  current: PoolEndpoint,
  host: string | null | undefined,
  port: unknown,
  wait: number | null | undefined,
  maxWait: number,
): ReconnectTarget | undefined {
  const p = port === null || port === undefined ? current.port : portFrom(port);
  if (p === undefined) return undefined;
  const waitSeconds = typeof wait === 'number' && wait > 0 ? Math.min(wait, maxWait) : 0;
  return { host: host ? host : current.host, port: p, waitSeconds };
}

/**
 * Why the client will not go to `target`, or undefined when it may. The current and the original host are
 * always allowed; another host only through `allowRedirect`, because plain Stratum is unauthenticated and a
 * forged or compromised client.reconnect would otherwise send the hash power anywhere.
 */
export function redirectRefusal(
  target: ReconnectTarget,
  current: PoolEndpoint,
  original: PoolEndpoint,
  options: Pick<MiningClientOptions, 'connector' | 'allowRedirect'>,
): string | undefined {
  const here = sameHost(target.host, current.host);
  if (options.connector && !(here && target.port === current.port)) {
    return 'the client was given a connector, which always reaches the same host and port';
  }
  if (here || sameHost(target.host, original.host)) return undefined;
  const allow = options.allowRedirect ?? false;
  let allowed: boolean;
  try {
    allowed = typeof allow === 'function' ? allow(target) === true : allow;
  } catch {
    allowed = false; // a policy that throws allows nothing
  }
  return allowed ? undefined : `a redirect to another host (${target.host}) needs the allowRedirect option`;
}

type ReconnectOptions = Pick<MiningClientOptions, 'connector' | 'allowRedirect' | 'followReconnect' | 'maxReconnectWait'>;

/** One client's rules for reconnects: its original pool and its options. */
export class ReconnectPolicy {
  readonly #original: PoolEndpoint;
  readonly #options: ReconnectOptions;
  readonly #maxWait: number;

  constructor(original: PoolEndpoint, options: ReconnectOptions, defaultMaxWait: number) {
    this.#original = original;
    this.#options = options;
    this.#maxWait = options.maxReconnectWait ?? defaultMaxWait;
    if (!(this.#maxWait >= 0 && Number.isFinite(this.#maxWait))) throw new RangeError(`maxReconnectWait must be a finite number of seconds >= 0, got ${this.#maxWait}`);
  }

  /** See reconnectTarget. */
  target(current: PoolEndpoint, host: string | null | undefined, port: unknown, wait: number | null | undefined): ReconnectTarget | undefined {
    return reconnectTarget(current, host, port, wait, this.#maxWait);
  }

  /** See redirectRefusal. */
  refusal(target: ReconnectTarget, current: PoolEndpoint): string | undefined {
    return redirectRefusal(target, current, this.#original, this.#options);
  }

  /** What to do about the pool's client.reconnect to `target`; `busy` when a reconnect is already under way. */
  decide(target: ReconnectTarget, current: PoolEndpoint, busy: boolean): Pick<ReconnectRequest, 'decision' | 'reason'> {
    const reason = this.refusal(target, current);
    if (reason) return { decision: 'refused', reason };
    if (!(this.#options.followReconnect ?? true)) return { decision: 'ignored', reason: undefined };
    if (busy) return { decision: 'ignored', reason: 'a reconnect is already under way' };
    return { decision: 'follow', reason: undefined };
  }
}
