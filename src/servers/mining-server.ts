// The typed Stratum V1 server: handlers typed by the generated MiningServerHandlers, JSON-RPC 1.0
// replies for miners ("error": null, errors as [code, message, null]), typed notifications
// (mining.notify, mining.set_difficulty, ...) and typed requests to the miner (client.get_version).
// Jobs, extranonces, difficulty and workers are the pool logic's: keep them in the session context.
import { miningProtocol } from '../generated/mining/methods.js';
import type { MiningServerHandlers } from '../generated/mining/server-api.js';
import type { MiningMethods, MiningServerNotifications, MiningServerRequestName, MiningSubscribeParams } from '../generated/mining/types.js';
import type { Dialect } from '../runtime/messages.js';
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
}

/**
 * Starts a Stratum V1 server. Resolves once every listener in `listen` is bound. A mining.subscribe
 * handler's user agent (its first param) is kept as `session.clientName`.
 */
export async function createMiningServer<Ctx = undefined>(options: MiningServerOptions<Ctx>): Promise<MiningServer<Ctx>> {
  const table = bindHandlers<MiningSession<Ctx>>(miningProtocol.names, options.handlers);
  const subscribe = table['mining.subscribe'];
  if (subscribe) {
    table['mining.subscribe'] = (params, session) => {
      const [userAgent] = params as MiningSubscribeParams;
      if (userAgent !== undefined) session.clientName = userAgent;
      return subscribe(params, session);
    };
  }
  const server = new RpcServer<Ctx, MiningServerNotifications, MiningServerRequests>({
    registry: miningProtocol,
    handlers: table,
    limits: options.limits,
    dialect: options.dialect ?? '1.0',
    v1Errors: 'array',
    context: options.context,
    requestTimeout: options.requestTimeout,
    validateOutgoing: options.validateOutgoing,
  });
  await startListeners(server, options.listen ?? {}, server.limits.maxMessageSize);
  return server;
}
