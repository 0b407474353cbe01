// The connection core as both Electrum clients use it (the default one and the lite one): the URL's connector
// (or the caller's), the backoff and keep-alive from the checked options, and the rules every Electrum client
// shares: version errors end reconnecting, the server's own requests are answered method-not-found, a ping
// keeps an idle connection, and the lifecycle goes to the client's events. Each client brings its handshake,
// renewal and notification handling.
import { Connection, type Link, type Negotiated } from '../runtime/connection.js';
import type { Emitter } from '../runtime/emitter.js';
import type { StratumSdkError } from '../runtime/errors.js';
import { refuse } from '../runtime/answer.js';
import { excerpt } from '../runtime/bounded-json.js';
import { METHOD_NOT_FOUND } from '../runtime/messages.js';
import { proxyOption } from '../platform/proxy-option.js';
import { electrumConnector } from './electrum-connect.js';
import type { CheckedElectrumOptions } from './electrum-options.js';
import type { ElectrumClientEvents, ElectrumClientOptions, ElectrumConnectionInfo } from './electrum-types.js';

type ElectrumLink = Link<ElectrumConnectionInfo>;

/** What a client adds to the shared rules (called unbound: arrow functions). */
export interface ElectrumClientRules {
  handshake(link: ElectrumLink): Promise<Negotiated<ElectrumConnectionInfo>>;
  /** After a reconnect: sends the renewals (their answers are taken as they arrive). */
  renew(link: ElectrumLink): void;
  notification(method: string, params: unknown[] | Record<string, unknown>, link: ElectrumLink): void;
  /** Before the `close` event: end what waits on the client. */
  closing?(error: StratumSdkError | undefined): void;
}

// Errors after which reconnecting would only repeat the refusal: the server is not the one we want.
const FATAL = new Set(['VERSION_MISMATCH', 'WRONG_CHAIN', 'TLS']);

export function electrumConnection(
  url: string,
  options: Omit<ElectrumClientOptions, 'protocolVersion'>,
  { timeout, keepAlive, backoff }: Pick<CheckedElectrumOptions, 'timeout' | 'keepAlive' | 'backoff'>,
  events: Emitter<ElectrumClientEvents<string>>,
  client: ElectrumClientRules,
): Connection<ElectrumConnectionInfo, ElectrumConnectionInfo> {
  // A proxy given with a connector, which would bypass it, is refused here; the URL is read once.
  const proxy = proxyOption(options);
  return new Connection<ElectrumConnectionInfo, ElectrumConnectionInfo>({
    connector: options.connector ?? electrumConnector(url, { ...options, proxy }),
    backoff,
    keepAlive,
    whileReconnecting: 'wait',
    rules: {
      dialect: '2.0',
      timeout,
      parse: { maxDepth: options.maxMessageDepth },
      handshake: client.handshake,
      renew: (link) => {
        client.renew(link);
        return link.info as ElectrumConnectionInfo;
      },
      fatal: (error) => FATAL.has(error.code),
      notification: client.notification,
      // Electrum servers send no requests; answer any with method-not-found rather than hang the peer.
      request: (request, link) => refuse(link.session, request, METHOD_NOT_FOUND, `unknown method ${excerpt(request.method, 80)}`),
      protocolError: (error) => events.emit('protocol-error', error),
      // A failed ping needs no handling here: a dead connection reports itself through close.
      ping: (link) => void link.session.request('server.ping', []).catch(() => undefined),
    },
    events: {
      connect: (info) => events.emit('connect', info),
      disconnect: (error) => events.emit('disconnect', error),
      reconnecting: (attempt) => events.emit('reconnecting', attempt),
      reconnect: (info) => events.emit('reconnect', info),
      close: (error) => {
        client.closing?.(error);
        events.emit('close', error);
      },
    },
  });
}
