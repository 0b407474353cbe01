// Replies that pools send as successes but mean as failures. Turned into error replies before the session
// settles them, so that nothing resolves with an error value and every rejection is a ServerError.
import type { ReplyMessage, TrackedRequest } from './mining-link.js';

/** The error reply `message` really is, or undefined when it is what it says. */
export function rejectionOf(message: ReplyMessage, request: TrackedRequest | undefined): ReplyMessage | undefined {
  if (message.type !== 'result') return undefined;
  // ckpool: `"result": false, "error": null, "reject-reason": "Stale"` is a rejection with a reason, like the
  // array, string and object encodings; the reason becomes the message (no code was sent).
  if (message.result === false && message.rejectReason !== undefined) {
    return { ...message, type: 'error', error: { code: null, message: message.rejectReason } };
  }
  // ckpool reports a failed subscribe as a string in `result` ("Initialising", "proxy full").
  if (request?.method === 'mining.subscribe' && typeof message.result === 'string') {
    return { type: 'error', id: message.id, error: { code: null, message: message.result }, dialect: message.dialect };
  }
  return undefined;
}
