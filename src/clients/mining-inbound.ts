// What a pool sends of its own accord: notifications (checked against the spec, applied to the session
// state, then emitted by wire name) and requests (client.get_version and mining.ping answered, a
// notification sent with an id acknowledged, anything else refused with -32601).
import { miningProtocol } from '../generated/mining/methods.js';
import type { ClientReconnectNotification } from '../generated/mining/types.js';
import { excerpt } from '../runtime/bounded-json.js';
import type { Emitter } from '../runtime/emitter.js';
import { ProtocolError, ServerError, ValidationError } from '../runtime/errors.js';
import { JSON_RPC_ERRORS } from '../runtime/messages.js';
import type { MiningState } from './mining-state.js';
import type { MiningClientEvents } from './mining-types.js';

type Params = unknown[] | Record<string, unknown>;

export class MiningInbound {
  readonly #state: MiningState;
  readonly #events: Emitter<MiningClientEvents>;
  readonly #agent: string;
  readonly #validate: boolean;
  readonly #onReconnect: (params: ClientReconnectNotification) => void;

  constructor(state: MiningState, events: Emitter<MiningClientEvents>, agent: string, validate: boolean, onReconnect: (params: ClientReconnectNotification) => void) {
    this.#state = state;
    this.#events = events;
    this.#agent = agent;
    this.#validate = validate;
    this.#onReconnect = onReconnect;
  }

  notification(method: string, params: Params): void {
    const info = miningProtocol.get(method);
    if (!info?.hasNotification || info.notificationDirection !== 'server-to-client') {
      this.#protocolError(new ProtocolError('unexpected-notification', `a notification ${excerpt(method, 80)}, which the spec has no server notification of`, excerpt(params)));
      return;
    }
    const check = miningProtocol.validateNotification(method, params);
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
    const after = check.valid ? this.#state.notification(method, params) : undefined;
    (this.#events.emit as (event: string, ...args: unknown[]) => void)(method, ...params);
    after?.();
    if (method === 'client.reconnect' && check.valid) this.#onReconnect(params as ClientReconnectNotification);
  }

  /** A request from the pool: the value answers it, a thrown ServerError refuses it. */
  request(method: string, params: Params): unknown {
    if (method === 'client.get_version') return this.#agent;
    if (method === 'mining.ping') return 'pong';
    const info = miningProtocol.get(method);
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
