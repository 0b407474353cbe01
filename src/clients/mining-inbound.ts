// What a pool sends of its own accord: notifications (checked against the spec, applied to the session
// state, then emitted by wire name) and requests (the pool's questions answered, a notification sent with an
// id acknowledged, anything else refused with -32601). What is handled is given in the shape of the generated
// tree of what a pool sends (miningServerTree), so nothing here names a method by hand.
import { miningServerTree, type MiningServerMessageHandlers } from '../generated/mining/client-api.js';
import type { ClientReconnectNotification } from '../generated/mining/types.js';
import { excerpt } from '../runtime/bounded-json.js';
import type { Emitter } from '../runtime/emitter.js';
import { ProtocolError, ServerError, ValidationError } from '../runtime/errors.js';
import { JSON_RPC_ERRORS } from '../runtime/messages.js';
import type { ProtocolRegistry } from '../runtime/registry.js';
import { handlersByWireName, type InboundHandler } from './handler-tree.js';
import type { AfterNotification, MiningState } from './mining-state.js';
import type { MiningClientEvents } from './mining-types.js';

type Params = unknown[] | Record<string, unknown>;

export class MiningInbound {
  readonly #events: Emitter<MiningClientEvents>;
  readonly #validate: boolean;
  /** By wire name: the state's notifications, the client's own, and its answers to the pool's requests. */
  readonly #handlers: Map<string, InboundHandler>;
  readonly #protocol: ProtocolRegistry<string>;

  constructor(
    protocol: ProtocolRegistry<string>,
    state: MiningState,
    events: Emitter<MiningClientEvents>,
    agent: string,
    validate: boolean,
    onReconnect: (params: ClientReconnectNotification) => void,
  ) {
    this.#protocol = protocol;
    this.#events = events;
    this.#validate = validate;
    const own: MiningServerMessageHandlers<AfterNotification> = {
      // The pool asks who we are, or whether we are there.
      client: {
        getVersion: () => agent,
        // Followed (or not) once listeners have heard of it.
        reconnect: (params) => () => onReconnect(params),
      },
      mining: { ping: () => 'pong' },
    };
    this.#handlers = handlersByWireName(miningServerTree, own, handlersByWireName(miningServerTree, state.handlers));
  }

  notification(method: string, params: Params): void {
    const info = this.#protocol.get(method);
    if (!info?.hasNotification || info.notificationDirection !== 'server-to-client') {
      this.#protocolError(new ProtocolError('unexpected-notification', `a notification ${excerpt(method, 80)}, which the spec has no server notification of`, excerpt(params)));
      return;
    }
    const check = this.#protocol.validateNotification(method, params);
    if (!check.valid && this.#validate) {
      this.#protocolError(new ValidationError(method, 'notification', check.errors));
      return;
    }
    if (!Array.isArray(params)) {
      // Only reached with validation off; listeners take positional params.
      this.#protocolError(new ProtocolError('invalid-message', `a ${excerpt(method, 80)} notification with named params`, excerpt(params)));
      return;
    }
    // Invalid values (validation off) reach the wire-name listeners but never the state.
    const after = check.valid ? (this.#handlers.get(method)?.(params) as AfterNotification) : undefined;
    (this.#events.emit as (event: string, ...args: unknown[]) => void)(method, ...params);
    after?.();
  }

  /** A request from the pool: the value answers it, a thrown ServerError refuses it. */
  request(method: string, params: Params): unknown {
    const info = this.#protocol.get(method);
    const handler = this.#handlers.get(method);
    if (info?.kind === 'request' && info.direction !== 'client-to-server' && handler) return handler(Array.isArray(params) ? params : []);
    if (info?.hasNotification && info.notificationDirection === 'server-to-client') {
      // A notification sent with an id (client.show_message, client.reconnect): handled as one and
      // acknowledged with true, as BFGMiner does, so the pool is not left waiting.
      this.notification(method, params);
      return true;
    }
    throw new ServerError(method, JSON_RPC_ERRORS.METHOD_NOT_FOUND, `unknown method ${excerpt(method, 80)}`);
  }

  #protocolError(error: MiningClientEvents['protocol-error'][0]): void {
    this.#events.emit('protocol-error', error);
  }
}
