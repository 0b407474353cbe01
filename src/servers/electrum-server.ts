// The typed Electrum server: handlers typed by the generated ElectrumServerHandlers, params validated
// for the version each session negotiated, server.version negotiated here unless a handler takes it
// over, and typed notifications to one session or to every subscriber of a key.
import { electrumMethods, electrumProtocol } from '../generated/electrum/methods.js';
import type { ElectrumServerHandlers, ElectrumServerHandlersIn } from '../generated/electrum/server-api.js';
import type {
  ElectrumMethods,
  ElectrumVersionsIn,
  ElectrumServerNotifications,
  ElectrumServerRequestName,
  ServerPingParams,
  ServerPingResult,
  ServerVersionParams,
  ServerVersionResult,
} from '../generated/electrum/types.js';
import { ServerError, VersionMismatchError } from '../runtime/errors.js';
import type { IsLiteralRange, ProtocolRegistry } from '../runtime/registry.js';
import type { RequestHandler } from '../runtime/server/dispatch.js';
import type { ServerLimitOptions } from '../runtime/server/limits.js';
import { RpcServer } from '../runtime/server/server.js';
import type { ServerSession, SessionInfo } from '../runtime/server/session.js';
import { isVersion } from '../runtime/versions.js';
import { bindHandlers } from './handler-table.js';
import { startListeners, type ListenConfig } from './listeners.js';
import { negotiateVersion, versionRange } from './version-negotiation.js';

/** Requests an Electrum server sends to its clients: none in the protocol. */
export type ElectrumServerRequests = Pick<ElectrumMethods, ElectrumServerRequestName>;
/** One client connection: `notify` is typed by the spec's notifications, `context` is yours. */
export type ElectrumSession<Ctx = undefined> = ServerSession<Ctx, ElectrumServerNotifications, ElectrumServerRequests>;
export type ElectrumServer<Ctx = undefined> = RpcServer<Ctx, ElectrumServerNotifications, ElectrumServerRequests>;
/** The handlers an Electrum server takes: each gets its validated params and the session. */
export type ElectrumHandlers<Ctx = undefined> = ElectrumServerHandlers<ElectrumSession<Ctx>>;
/**
 * The handlers of a server that serves the named versions S: each must answer with the result shapes of
 * those versions, and a method none of them has takes no handler.
 */
export type ElectrumHandlersIn<Ctx, S> = ElectrumServerHandlersIn<ElectrumSession<Ctx>, S>;
/**
 * The handlers a server given `protocolVersion: R` takes: typed for the versions R spans when R is
 * literal, every version's shapes otherwise (and without the option).
 */
export type ElectrumHandlersFor<Ctx, R> = IsLiteralRange<R> extends true ? ElectrumHandlersIn<Ctx, ElectrumVersionsIn<R>> : ElectrumHandlers<Ctx>;

export interface ElectrumServerOptions<Ctx, R extends string | readonly [string, string] = string | readonly [string, string]> {
  /** Makes each session's `context` (your per-connection state). */
  readonly context?: ((info: SessionInfo) => Ctx) | undefined;
  /** By wire name; given a literal `protocolVersion`, each must answer with the shapes of those versions. */
  readonly handlers: ElectrumHandlersFor<Ctx, R>;
  /** Where to listen: any of tcp, tls, ws, wss. Without it, connections come only through server.accept(). */
  readonly listen?: ListenConfig | undefined;
  /**
   * The protocol versions served, [min, max] or one; default ['1.4', '1.6']. Given as literals, they also
   * type the handlers: each answers with the result shapes of those versions only.
   */
  readonly protocolVersion?: R | undefined;
  /** The software name answered in server.version; default "stratum-sdk". */
  readonly serverSoftware?: string | undefined;
  readonly limits?: ServerLimitOptions | undefined;
  /** Check every result and notification sent against the spec (development aid; off by default). */
  readonly validateOutgoing?: boolean | undefined;
  /**
   * The method registry to serve by: one generated from your own spec (`stratum-sdk generate`, which also
   * types the handlers for it) instead of the built-in one. Requests are validated and gated by it.
   */
  readonly protocol?: ProtocolRegistry<string> | undefined;
}

export const DEFAULT_SERVER_PROTOCOL_VERSION: readonly [string, string] = ['1.4', '1.6'];
export const DEFAULT_SERVER_SOFTWARE = 'stratum-sdk';
// Far above what padding needs, and it keeps one ping from making a reply of any size.
export const MAX_PONG_LENGTH = 65_536;

/**
 * Starts an Electrum server. Resolves once every listener in `listen` is bound (read the ports back
 * with `server.address('tcp')` or `server.url('tcp')`).
 *
 * server.version is answered here: the version is negotiated within `protocolVersion`, a client asking
 * for one exact version gets that spelling back, a second server.version is refused (code 1) and a
 * client with no common version gets code 1 and is disconnected. Until then requests are checked at
 * the server's minimum version. A `server.version` handler takes over: its `[software, version]`
 * answer becomes the session's version. server.ping answers null (an object from 1.7) unless handled.
 */
export async function createElectrumServer<Ctx = undefined, const R extends string | readonly [string, string] = string | readonly [string, string]>(
  options: ElectrumServerOptions<Ctx, R>,
): Promise<ElectrumServer<Ctx>> {
  const range = versionRange(options.protocolVersion ?? DEFAULT_SERVER_PROTOCOL_VERSION);
  const software = options.serverSoftware ?? DEFAULT_SERVER_SOFTWARE;
  const registry = options.protocol ?? electrumProtocol;
  if (registry.protocol !== 'electrum') throw new TypeError(`protocol: an Electrum server needs an electrum registry, not a ${registry.protocol} one`);
  const table = bindHandlers<ElectrumSession<Ctx>>(registry.names, options.handlers);
  table['server.version'] = versionHandler(range, software, table['server.version']);
  table['server.ping'] ??= pingHandler(range[0]);

  const server = new RpcServer<Ctx, ElectrumServerNotifications, ElectrumServerRequests>({
    registry,
    handlers: table,
    // The negotiated version decides how everything after server.version is checked.
    barriers: ['server.version'],
    assumedVersion: range[0],
    limits: options.limits,
    dialect: '2.0',
    v1Errors: 'object',
    // As ElectrumX: a client without "jsonrpc" (@electrum-cash/network) is answered in 2.0, not with "error": null.
    dialectDetection: 'aiorpcx',
    context: options.context,
    validateOutgoing: options.validateOutgoing,
  });
  await startListeners(server, options.listen ?? {});
  return server;
}

type Handler<Ctx> = RequestHandler<ElectrumSession<Ctx>>;

function versionHandler<Ctx>(range: readonly [string, string], software: string, override: Handler<Ctx> | undefined): Handler<Ctx> {
  const defaultVersion = electrumMethods['server.version'].params[1]?.default;
  return async (raw, session) => {
    const params = raw as ServerVersionParams;
    if (override) {
      const result = (await override(params, session)) as ServerVersionResult;
      if (Array.isArray(result) && isVersion(result[1])) session.protocolVersion = result[1];
      session.clientName ??= params[0];
      return result;
    }
    // From 1.4 only the first server.version counts (ElectrumX's answer to a second one).
    if (session.protocolVersion !== undefined) throw new ServerError('server.version', 1, 'server.version already sent');
    const [clientName, requested = defaultVersion] = params;
    session.clientName = clientName;
    const outcome = negotiateVersion(requested, range);
    if (!outcome.ok) {
      // The error reply still goes out: close() lets in-flight replies finish first.
      session.close(new VersionMismatchError(outcome.message));
      throw new ServerError('server.version', 1, outcome.message);
    }
    session.protocolVersion = outcome.version;
    const answer: ServerVersionResult = [software, outcome.version];
    return answer;
  };
}

function pingHandler<Ctx>(assumedVersion: string): Handler<Ctx> {
  return (raw, session) => {
    const [pongLength = 0] = raw as ServerPingParams;
    const shapes = electrumMethods['server.ping'].selectResultVariants({ protocolVersion: session.protocolVersion ?? assumedVersion });
    if (!shapes.includes('pong')) return null;
    if (pongLength > MAX_PONG_LENGTH) throw new ServerError('server.ping', 1, `pong_len too large (at most ${MAX_PONG_LENGTH})`);
    const result: ServerPingResult = { data: '0'.repeat(pongLength) };
    return result;
  };
}
