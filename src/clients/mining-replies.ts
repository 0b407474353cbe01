// Every reply to the mining client, as the session reads it: before its request settles, and before a
// notification read after it in the same chunk is dispatched, so a mining.subscribe result is in the
// state before the mining.notify that follows it. One per connection (it notes which requests were
// answered there: a pool may leave a repeat unanswered), shared by every request on it: no closure per
// request. Which replies change the session is the spec's word (MethodInfo.sessionState).
import { ServerError, ValidationError } from '../runtime/errors.js';
import type { ProtocolRegistry } from '../runtime/registry.js';
import type { ReplyCheck, ResultReply } from '../runtime/session.js';
// A share's refusal carries its pool-neutral reason (ShareRejectedError), whatever its encoding; which
// request's refusals are shares is the spec's word (spec/share-rejections.json).
import { SHARE_REJECTION_METHOD as SUBMIT } from '../generated/mining/share-rejections.js';
import { ShareRejectedError } from './share-rejections.js';

/** What the client does with replies: keeps its state from spec-valid results, forgets refused workers. */
export interface ReplyObserver {
  result(method: string, params: readonly unknown[], result: unknown): void;
  refused(worker: string): void;
}

export class MiningReplies implements ReplyCheck {
  /**
   * Requests answered on this connection that a pool may leave unanswered when repeated (the spec's
   * `optionalReply: repeated`: ckpool never answers a second mining.subscribe).
   */
  readonly #answered = new Set<string>();
  readonly #validate: boolean;
  readonly #observer: ReplyObserver;
  readonly #protocol: ProtocolRegistry<string>;

  constructor(protocol: ProtocolRegistry<string>, validate: boolean, observer: ReplyObserver) {
    this.#protocol = protocol;
    this.#validate = validate;
    this.#observer = observer;
  }

  /** Whether `method` was answered on this connection (for requests whose repeats may go unanswered). */
  answered(method: string): boolean {
    return this.#answered.has(method);
  }

  /** Rejections sent as successes become ServerErrors; results are validated; the state sees valid ones. */
  result(method: string, params: readonly unknown[], result: unknown, reply: ResultReply): void {
    const rejection = rejectionOf(method, result, reply);
    if (rejection) throw rejection;
    const info = this.#protocol.get(method);
    const stateful = info?.sessionState !== undefined;
    if (!stateful && !this.#validate) return;
    const check = this.#protocol.validateResult(method, result, { params });
    if (!check.valid) {
      if (this.#validate) throw new ValidationError(method, 'result', check.errors);
      // The state only ever holds spec-valid values, whatever `validate` says.
      return;
    }
    if (info?.optionalReply?.when === 'repeated') this.#answered.add(method);
    if (!stateful) return;
    this.#observer.result(method, params, result);
  }

  /** A refused share gets its reason; a refused authorize takes the worker off the list; else the session's ServerError stands. */
  error(method: string, params: readonly unknown[], error: ServerError): ServerError | undefined {
    if (method === 'mining.authorize') this.#observer.refused(String(params[0]));
    return method === SUBMIT ? ShareRejectedError.from(error) : undefined;
  }
}

/**
 * The error a success reply really is, or undefined when it is what it says: pools send some failures as
 * results, and every rejection must reject with a ServerError.
 */
export function rejectionOf(method: string, result: unknown, reply: ResultReply): ServerError | undefined {
  // ckpool: `"result": false, "error": null, "reject-reason": "Stale"` is a rejection with a reason, like the
  // array, string and object encodings; the reason becomes the message (no code was sent).
  if (result === false && reply.rejectReason !== undefined) {
    return method === SUBMIT ? new ShareRejectedError(method, null, reply.rejectReason) : new ServerError(method, null, reply.rejectReason);
  }
  // ckpool reports a failed subscribe as a string in `result` ("Initialising", "proxy full").
  if (method === 'mining.subscribe' && typeof result === 'string') return new ServerError(method, null, result);
  return undefined;
}
