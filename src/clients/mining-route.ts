// Where the mining client's connections go: the pool it was given, the one it is on, and the one its next
// connection is for when a reconnect (the pool's client.reconnect, followed, or reconnect()) points elsewhere;
// and whether such a target may be taken (ReconnectPolicy: plain Stratum is unauthenticated, so a redirect to
// another host is refused unless the caller allows it).
import { excerpt } from '../runtime/bounded-json.js';
import { ConnectError } from '../runtime/errors.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../runtime/framing.js';
import type { Connector } from '../runtime/transport.js';
import { proxyOption } from '../platform/proxy-option.js';
import type { ProxyTarget } from '../platform/proxy.js';
import { endpointConnector, ReconnectPolicy, type PoolEndpoint } from './mining-endpoint.js';
import { DEFAULT_MAX_RECONNECT_WAIT, type MiningClientOptions, type ReconnectRequest, type ReconnectTarget } from './mining-types.js';

export class MiningRoute {
  readonly #options: MiningClientOptions;
  readonly #original: PoolEndpoint;
  readonly #policy: ReconnectPolicy;
  readonly #proxy: ProxyTarget | undefined;
  /** The pool of the current (or last) connection. */
  #current: PoolEndpoint;
  /** Where the next connection goes when not where the current one went. */
  #next: PoolEndpoint | undefined;
  /** The pool of the connection being made. */
  #dialing: PoolEndpoint;

  /** Refuses bad reconnect and proxy options (a proxy beside a connector, which would bypass it) at once. */
  constructor(endpoint: PoolEndpoint, options: MiningClientOptions) {
    this.#options = options;
    this.#original = this.#current = this.#dialing = endpoint;
    this.#policy = new ReconnectPolicy(endpoint, options, DEFAULT_MAX_RECONNECT_WAIT);
    this.#proxy = proxyOption(options);
  }

  get current(): PoolEndpoint {
    return this.#current;
  }

  get dialing(): PoolEndpoint {
    return this.#dialing;
  }

  /** The connector for the next connection: the caller's own, or TCP/TLS to where the client is going. */
  connector(): Connector {
    const endpoint = (this.#dialing = this.#next ?? this.#current);
    return (
      this.#options.connector ??
      endpointConnector(endpoint, this.#original, {
        tls: this.#options.tls,
        connectTimeout: this.#options.connectTimeout,
        framing: { maxMessageSize: this.#options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE },
        maxBufferedBytes: this.#options.maxBufferedBytes,
        proxy: this.#proxy,
      })
    );
  }

  /** A connection to `endpoint` is open and renewed: it is the current one now. */
  arrived(endpoint: PoolEndpoint): void {
    this.#current = endpoint;
    this.#next = undefined;
  }

  /** The next connection goes to `target` (with the current one's TLS). */
  goTo(target: ReconnectTarget): void {
    this.#next = { host: target.host, port: target.port, tls: this.#current.tls };
  }

  /** The caller's reconnect(): its target, defaults filled in from the current pool; a ConnectError if refused. */
  asked(target: Partial<ReconnectTarget>): ReconnectTarget {
    const resolved = this.#policy.target(this.#current, target.host, target.port, target.waitSeconds);
    if (!resolved) throw new ConnectError(`reconnect refused: ${excerpt(target.port, 40)} is not a port`);
    const refusal = this.#policy.refusal(resolved, this.#current);
    if (refusal) throw new ConnectError(`reconnect to ${resolved.host}:${resolved.port} refused: ${refusal}`);
    return resolved;
  }

  /**
   * The pool's client.reconnect: its target and what to do about it (`busy` when a reconnect is already under
   * way), or undefined where its port cannot be connected to.
   */
  requested(host: string | null | undefined, port: unknown, wait: number | null | undefined, busy: boolean): ReconnectRequest | undefined {
    const target = this.#policy.target(this.#current, host, port, wait);
    return target && { ...target, ...this.#policy.decide(target, this.#current, busy) };
  }
}
