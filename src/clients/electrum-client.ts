// The Electrum client: one connection, version negotiation first, typed wrappers bound from the
// generated tree, results validated against the spec for the negotiated version.
import { bindElectrumClientApi, type ElectrumClientApi } from '../generated/electrum/client-api.js';
import { electrumProtocol } from '../generated/electrum/methods.js';
import type { ElectrumClientRequestName, ElectrumMethods, ElectrumServerNotifications } from '../generated/electrum/types.js';
import { Emitter } from '../runtime/emitter.js';
import { ClosedError, ConnectError, type MessageTooLargeError, ProtocolError, ServerError, ValidationError, VersionMismatchError, type StratumSdkError } from '../runtime/errors.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../runtime/framing.js';
import { JSON_RPC_ERRORS, parseMessage } from '../runtime/messages.js';
import { tcpConnector, type TlsSettings } from '../runtime/node/tcp.js';
import { DEFAULT_REQUEST_TIMEOUT, RpcSession, type RequestOptions } from '../runtime/session.js';
import type { Connector, Transport } from '../runtime/transport.js';
import { compareVersions, isVersion } from '../runtime/versions.js';

export interface ElectrumClientOptions {
  /** Sent as the first param of server.version. */
  readonly clientName?: string | undefined;
  /** The versions the client speaks: [min, max] or one version. Default ['1.4', '1.6']. */
  readonly protocolVersion?: string | readonly [string, string] | undefined;
  /** Default per-request timeout in milliseconds (30 s, ElectrumX's own request timeout). */
  readonly timeout?: number | undefined;
  /** Validate params before sending and results and notifications on arrival (default true). */
  readonly validate?: boolean | undefined;
  /** Send server.ping after this many idle milliseconds; false to disable. */
  readonly keepAlive?: number | false | undefined;
  /** Largest accepted message in bytes (default 8,100,000, Electrum's own limit). */
  readonly maxMessageSize?: number | undefined;
  /** TLS settings for tls:// and ssl:// URLs. */
  readonly tls?: TlsSettings | undefined;
  /** Bring your own transport (a SOCKS proxy, a React Native socket); the URL then only names the server. */
  readonly connector?: Connector | undefined;
}

/** Events besides notifications, which are keyed by their wire name. */
export interface ElectrumClientLifecycleEvents {
  /** The peer sent something that breaks the protocol or the spec; the connection carries on. */
  'protocol-error': [error: ProtocolError | ValidationError | ServerError | MessageTooLargeError];
  /** The connection closed; `error` says why unless the client closed it. */
  close: [error: StratumSdkError | undefined];
}

export type ElectrumClientEvents = ElectrumServerNotifications & ElectrumClientLifecycleEvents;

type RequestName = ElectrumClientRequestName & keyof ElectrumMethods;

// 4 minutes: ElectrumX drops sessions idle for 600 s, and the protocol docs suggest a ping at ~450 s.
export const DEFAULT_KEEP_ALIVE = 240_000;
export const DEFAULT_PROTOCOL_VERSION: readonly [string, string] = ['1.4', '1.6'];
const DEFAULT_PORTS: Record<string, number> = { tcp: 50001, tls: 50002, ssl: 50002 };

export interface ElectrumClient extends ElectrumClientApi {}

export class ElectrumClient {
  /** The server software, as it said in server.version. */
  readonly serverVersion: string;
  /** The negotiated protocol version, as the server wrote it ("1.4", "1.6.0"). */
  readonly protocolVersion: string;

  readonly #session: RpcSession;
  readonly #transport: Transport;
  readonly #events: Emitter<ElectrumClientEvents>;
  readonly #validate: boolean;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #lastSent = Date.now();

  private constructor(parts: {
    session: RpcSession;
    transport: Transport;
    events: Emitter<ElectrumClientEvents>;
    validate: boolean;
    serverVersion: string;
    protocolVersion: string;
    keepAlive: number | false;
  }) {
    this.#session = parts.session;
    this.#transport = parts.transport;
    this.#events = parts.events;
    this.#validate = parts.validate;
    this.serverVersion = parts.serverVersion;
    this.protocolVersion = parts.protocolVersion;
    Object.assign(this, bindElectrumClientApi((method, params) => this.#call(method, params, {})));
    if (parts.keepAlive !== false) this.#startKeepAlive(parts.keepAlive);
    this.#events.on('close', () => this.#stopKeepAlive());
  }

  /**
   * Connects to `tcp://host:port`, `tls://host:port` (alias `ssl://`), negotiates the protocol version
   * and resolves once the server has answered server.version within the client's range.
   */
  static async connect(url: string, options: ElectrumClientOptions = {}): Promise<ElectrumClient> {
    const validate = options.validate ?? true;
    const range = normalizeRange(options.protocolVersion ?? DEFAULT_PROTOCOL_VERSION);
    const events = new Emitter<ElectrumClientEvents>();
    let negotiated: string | undefined;
    let transport: Transport | undefined;
    // Built before connecting so that bad options fail before a socket is opened.
    const session = new RpcSession({
      dialect: '2.0',
      send: (text) => {
        if (!transport) throw new ClosedError('not connected');
        transport.send(text);
      },
      timeout: options.timeout ?? DEFAULT_REQUEST_TIMEOUT,
      onNotification: (method, params) => dispatchNotification(events, method, params, validate ? negotiated : undefined, validate),
      // Electrum servers send no requests; answer any with method-not-found rather than hang the peer.
      onRequest: (method) => {
        throw new ServerError(method, JSON_RPC_ERRORS.METHOD_NOT_FOUND, `unknown method "${method}"`);
      },
      onProtocolError: (error) => events.emit('protocol-error', error),
    });
    const connector = options.connector ?? connectorFor(url, options);
    transport = await connector({
      message: (text) => session.handle(parseMessage(text)),
      error: (error) => events.emit('protocol-error', error),
      close: (error) => {
        session.close(error);
        events.emit('close', error);
      },
    });

    try {
      const clientName = options.clientName ?? 'stratum-sdk';
      const sentVersion = range[0] === range[1] ? range[0] : [range[0], range[1]];
      const reply = await session.request('server.version', [clientName, sentVersion]);
      const check = electrumProtocol.validateResult('server.version', reply, { protocolVersion: range[1] });
      if (!check.valid || !Array.isArray(reply)) throw new ValidationError('server.version', 'result', check.valid ? ['not a list'] : check.errors);
      const [software, version] = reply as [string, string];
      if (!isVersion(version) || compareVersions(version, range[0]) < 0 || compareVersions(version, range[1]) > 0) {
        throw new VersionMismatchError(`the server chose protocol ${version}, outside the client's range ${range[0]}-${range[1]}`);
      }
      negotiated = version;
      return new ElectrumClient({
        session,
        transport,
        events,
        validate,
        serverVersion: software,
        protocolVersion: version,
        keepAlive: options.keepAlive ?? DEFAULT_KEEP_ALIVE,
      });
    } catch (e) {
      transport.close();
      session.close(e);
      throw e;
    }
  }

  /** Any client request by wire name, typed from the spec. */
  request<M extends RequestName>(method: M, params: ElectrumMethods[M]['params'], options: RequestOptions = {}): Promise<ElectrumMethods[M]['result']> {
    return this.#call(method, params, options) as Promise<ElectrumMethods[M]['result']>;
  }

  /** Listens to a notification (by wire name, with its typed params) or a lifecycle event. Returns the remover. */
  on<E extends keyof ElectrumClientEvents>(event: E, listener: (...args: ElectrumClientEvents[E]) => void): () => void {
    return this.#events.on(event, listener);
  }

  off<E extends keyof ElectrumClientEvents>(event: E, listener: (...args: ElectrumClientEvents[E]) => void): void {
    this.#events.off(event, listener);
  }

  /** Requests waiting for an answer. */
  get pendingRequests(): number {
    return this.#session.pendingCount;
  }

  get closed(): boolean {
    return this.#session.closed;
  }

  /** Closes the connection; every pending request rejects with a ClosedError. */
  close(): void {
    this.#stopKeepAlive();
    this.#session.close(new ClosedError('closed by the client'));
    this.#transport.close();
  }

  async #call(method: string, params: unknown[], options: RequestOptions): Promise<unknown> {
    if (this.#validate) {
      const check = electrumProtocol.validateParams(method, params, { protocolVersion: this.protocolVersion });
      if (!check.valid) throw new ValidationError(method, 'params', check.errors);
    }
    this.#lastSent = Date.now();
    const result = await this.#session.request(method, params, options);
    if (this.#validate) {
      const check = electrumProtocol.validateResult(method, result, { protocolVersion: this.protocolVersion, params });
      if (!check.valid) throw new ValidationError(method, 'result', check.errors);
    }
    return result;
  }

  #startKeepAlive(idleMs: number) {
    this.#keepAlive = setInterval(() => {
      if (Date.now() - this.#lastSent < idleMs || this.#session.closed) return;
      this.#lastSent = Date.now();
      // A failed ping needs no handling here: a dead connection reports itself through close.
      this.#session.request('server.ping', []).catch(() => undefined);
    }, Math.max(1000, Math.floor(idleMs / 4)));
    (this.#keepAlive as { unref?: () => void }).unref?.();
  }

  #stopKeepAlive() {
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }
}

function dispatchNotification(
  events: Emitter<ElectrumClientEvents>,
  method: string,
  params: unknown[] | Record<string, unknown>,
  protocolVersion: string | undefined,
  validate: boolean,
) {
  const info = electrumProtocol.get(method);
  if (!info?.hasNotification || info.notificationDirection === 'client-to-server') {
    events.emit('protocol-error', new ProtocolError('unexpected-notification', `a notification "${method}", which the spec has no server notification of`, JSON.stringify(params)));
    return;
  }
  if (validate) {
    const check = electrumProtocol.validateNotification(method, params, { protocolVersion });
    if (!check.valid) {
      events.emit('protocol-error', new ValidationError(method, 'notification', check.errors));
      return;
    }
  }
  if (!Array.isArray(params)) {
    // Only reached with validation off; listeners take positional params, so named ones cannot be passed on.
    events.emit('protocol-error', new ProtocolError('invalid-message', `a "${method}" notification with named params`, JSON.stringify(params)));
    return;
  }
  (events.emit as (event: string, ...args: unknown[]) => void)(method, ...params);
}

function normalizeRange(v: string | readonly [string, string]): readonly [string, string] {
  const range = typeof v === 'string' ? ([v, v] as const) : v;
  if (!isVersion(range[0]) || !isVersion(range[1]) || compareVersions(range[0], range[1]) > 0) {
    throw new RangeError(`protocolVersion must be a version or [min, max] with min <= max, got ${JSON.stringify(v)}`);
  }
  return range;
}

function connectorFor(url: string, options: ElectrumClientOptions): Connector {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectError(`not a URL: ${JSON.stringify(url)} (expected tcp://host:port or tls://host:port)`);
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : DEFAULT_PORTS[scheme];
  if (!host || port === undefined) throw new ConnectError(`${url}: a host and port are needed`);
  const framing = { maxMessageSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE };
  switch (scheme) {
    case 'tcp':
      return tcpConnector({ host, port, tls: false, framing });
    case 'tls':
    case 'ssl':
      return tcpConnector({ host, port, tls: options.tls ?? {}, framing });
    case 'ws':
    case 'wss':
      throw new ConnectError(`${url}: WebSocket transports are not in this release yet; use tcp:// or tls://, or pass a connector`);
    default:
      throw new ConnectError(`${url}: unknown scheme "${scheme}" (expected tcp, tls, ssl)`);
  }
}
