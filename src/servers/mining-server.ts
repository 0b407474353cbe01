// The typed Stratum V1 server: handlers typed by the generated MiningServerHandlers, JSON-RPC 1.0
// replies for miners ("error": null, errors as [code, message, null]), typed notifications
// (mining.notify, mining.set_difficulty, ...) and typed requests to the miner (client.get_version).
// Jobs, extranonces, difficulty and workers are the pool logic's: keep them in the session context.
import { miningProtocol } from '../generated/mining/methods.js';
import type { MiningServerHandlers } from '../generated/mining/server-api.js';
import type { MiningMethods, MiningServerNotifications, MiningServerRequestName, MiningSubscribeParams } from '../generated/mining/types.js';
import type { Dialect } from '../runtime/messages.js';
import type { ProtocolRegistry } from '../runtime/registry.js';
import type { ServerLimitOptions } from '../runtime/server/limits.js';
import { RpcServer } from '../runtime/server/server.js';
import type { ServerSession, SessionInfo } from '../runtime/server/session.js';
import { bindHandlers } from './handler-table.js';
import { startListeners, type ListenSpec, type TlsListenSpec } from './listeners.js';

/** Requests a pool sends to its miners: client.get_version, mining.ping. */
export type MiningServerRequests = Pick<MiningMethods, MiningServerRequestName>;
/** One miner connection: typed `notify` and `request`, and `context` for the pool's per-miner state. */
export type MiningSession<Ctx = undefined> = ServerSession<Ctx, MiningServerNotifications, MiningServerRequests>;
export type MiningServer<Ctx = undefined> = RpcServer<Ctx, MiningServerNotifications, MiningServerRequests>;
/** The handlers a mining server takes: each gets its validated params and the session. */
export type MiningHandlers<Ctx = undefined> = MiningServerHandlers<MiningSession<Ctx>>;

export interface MiningListenConfig {
  readonly tcp?: ListenSpec | undefined;
  readonly tls?: TlsListenSpec | undefined;
}

export interface MiningServerOptions<Ctx> {
  /** Makes each session's `context`: the pool logic's per-connection state (extranonce1, difficulty, workers). */
  readonly context?: ((info: SessionInfo) => Ctx) | undefined;
  readonly handlers: MiningHandlers<Ctx>;
  /** Where to listen: tcp and/or tls. Without it, connections come only through server.accept(). */
  readonly listen?: MiningListenConfig | undefined;
  /** DEFAULT_SERVER_LIMITS, except maxConnectionsPerAddress (see MINING_SERVER_LIMITS). */
  readonly limits?: ServerLimitOptions | undefined;
  /**
   * Dialect of the pool's own messages until the miner has spoken (then the miner's is used); default
   * '1.0', what Stratum miners speak. Replies always follow the request's dialect.
   */
  readonly dialect?: Dialect | undefined;
  /** Default timeout of requests sent to miners (client.get_version), in ms; 30 s. */
  readonly requestTimeout?: number | undefined;
  /** Check every result and notification sent against the spec (development aid; off by default). */
  readonly validateOutgoing?: boolean | undefined;
  /**
   * The method registry to serve by: one generated from your own spec (`stratum-sdk generate`, which also
   * types the handlers for it) instead of the built-in one. Requests are validated by it.
   */
  readonly protocol?: ProtocolRegistry<string> | undefined;
}

/**
 * Where a mining server's default limits differ from DEFAULT_SERVER_LIMITS. No per-address cap (only
 * maxConnections bounds one address): a mining farm's machines share one public address behind NAT,
 * and Fulcrum's 12, right for wallets, would refuse a farm's 13th miner. A pool that serves the open
 * internet sets one to fit its largest farm.
 */
export const MINING_SERVER_LIMITS: ServerLimitOptions = Object.freeze({ maxConnectionsPerAddress: Infinity });

/**
 * Starts a Stratum V1 server. Resolves once every listener in `listen` is bound. A mining.subscribe
 * handler's user agent (its first param) is kept as `session.clientName`.
 */
export async function createMiningServer<Ctx = undefined>(options: MiningServerOptions<Ctx>): Promise<MiningServer<Ctx>> {
  const registry = options.protocol ?? miningProtocol;
  if (registry.protocol !== 'mining') throw new TypeError(`protocol: a mining server needs a mining registry, not an ${registry.protocol} one`);
  const table = bindHandlers<MiningSession<Ctx>>(registry.names, options.handlers);
  const subscribe = table['mining.subscribe'];
  if (subscribe) {
    table['mining.subscribe'] = (params, session) => {
      const [userAgent] = params as MiningSubscribeParams;
      if (userAgent !== undefined) session.clientName = userAgent;
      return subscribe(params, session);
    };
  }
  const server = new RpcServer<Ctx, MiningServerNotifications, MiningServerRequests>({
    registry,
    handlers: table,
    limits: { ...MINING_SERVER_LIMITS, ...definedOnly(options.limits ?? {}) },
    dialect: options.dialect ?? '1.0',
    v1Errors: 'array',
    context: options.context,
    requestTimeout: options.requestTimeout,
    validateOutgoing: options.validateOutgoing,
  });
  await startListeners(server, options.listen ?? {});
  return server;
}

/** `{ maxConnectionsPerAddress: undefined }` means "the default", as in resolveLimits. */
function definedOnly(limits: ServerLimitOptions): ServerLimitOptions {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}
