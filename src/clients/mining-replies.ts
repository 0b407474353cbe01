// Every reply to the mining client, as the session reads it: before its request settles, and before a
// notification read after it in the same chunk is dispatched, so a mining.subscribe result is in the
// state before the mining.notify that follows it. One per connection (it notes whether a subscribe was
// answered there), shared by every request on it: no closure per request.
import { miningProtocol } from '../generated/mining/methods.js';
import { ServerError, ValidationError } from '../runtime/errors.js';
import type { ReplyCheck, ResultReply } from '../runtime/session.js';

// Requests whose replies change the session state.
const STATEFUL: ReadonlySet<string> = new Set(['mining.subscribe', 'mining.authorize', 'mining.configure', 'mining.extranonce.subscribe']);

/** What the client does with replies: keeps its state from spec-valid results, forgets refused workers. */
export interface ReplyObserver {
  result(method: string, params: readonly unknown[], result: unknown): void;
  refused(worker: string): void;
}

export class MiningReplies implements ReplyCheck {
  /** A mining.subscribe was answered on this connection (pools like ckpool never answer a second one). */
  subscribed = false;
  readonly #validate: boolean;
  readonly #observer: ReplyObserver;

  constructor(validate: boolean, observer: ReplyObserver) {
    this.#validate = validate;
    this.#observer = observer;
  }

  /** Rejections sent as successes become ServerErrors; results are validated; the state sees valid ones. */
  result(method: string, params: readonly unknown[], result: unknown, reply: ResultReply): void {
    const rejection = rejectionOf(method, result, reply);
    if (rejection) throw rejection;
    const stateful = STATEFUL.has(method);
    if (!stateful && !this.#validate) return;
    const check = miningProtocol.validateResult(method, result, { params });
    if (!check.valid) {
      if (this.#validate) throw new ValidationError(method, 'result', check.errors);
      // The state only ever holds spec-valid values, whatever `validate` says.
      return;
    }
    if (!stateful) return;
    if (method === 'mining.subscribe') this.subscribed = true;
    this.#observer.result(method, params, result);
  }

  /** The session's own ServerError stands; a refused authorize takes the worker off the list. */
  error(method: string, params: readonly unknown[]): undefined {
    if (method === 'mining.authorize') this.#observer.refused(String(params[0]));
    return undefined;
  }
}

/**
 * The error a success reply really is, or undefined when it is what it says: pools send some failures as
 * results, and every rejection must reject with a ServerError.
 */
export function rejectionOf(method: string, result: unknown, reply: ResultReply): ServerError | undefined {
  // ckpool: `"result": false, "error": null, "reject-reason": "Stale"` is a rejection with a reason, like the
  // array, string and object encodings; the reason becomes the message (no code was sent).
  if (result === false && reply.rejectReason !== undefined) return new ServerError(method, null, reply.rejectReason);
  // ckpool reports a failed subscribe as a string in `result` ("Initialising", "proxy full").
  if (method === 'mining.subscribe' && typeof result === 'string') return new ServerError(method, null, result);
  return undefined;
}
