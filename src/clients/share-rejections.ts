// Why a pool refused a share, in words no pool owns: the wording of known pools first (it is more precise
// than the code: node-stratum-pool sends [20, "ntime out of range"]), then the standard code, else
// 'other'. The tables come from spec/share-rejections.json, where each wording has its source.
import {
  SHARE_REJECTION_CODES,
  SHARE_REJECTION_FALLBACK,
  SHARE_REJECTION_MESSAGES,
  SHARE_REJECTION_PREFIXES,
  type ShareRejectionReason,
} from '../generated/mining/share-rejections.js';
import { ServerError } from '../runtime/errors.js';

export { SHARE_REJECTION_REASONS, type ShareRejectionReason } from '../generated/mining/share-rejections.js';

/**
 * Only the start of a message is compared: every known wording is under 40 characters, and a pool's
 * message can be as long as a message may be (megabytes), which no lookup needs to lower-case whole.
 */
export const MAX_COMPARED_MESSAGE_LENGTH = 256;

/** The pool-neutral reason of a refusal, from the pool's code (null when it sent none) and message. */
export function shareRejectionReason(code: number | null, message: string): ShareRejectionReason {
  const start = message.length > MAX_COMPARED_MESSAGE_LENGTH ? message.slice(0, MAX_COMPARED_MESSAGE_LENGTH) : message;
  const text = start.trim().toLowerCase();
  if (message.length <= MAX_COMPARED_MESSAGE_LENGTH) {
    const exact = SHARE_REJECTION_MESSAGES.get(text);
    if (exact !== undefined) return exact;
  }
  for (const [prefix, reason] of SHARE_REJECTION_PREFIXES) if (text.startsWith(prefix)) return reason;
  return (code === null ? undefined : SHARE_REJECTION_CODES.get(code)) ?? SHARE_REJECTION_FALLBACK;
}

/**
 * A share the pool refused: a ServerError (the pool's own `serverCode` and `serverMessage` are kept) with
 * the pool-neutral `reason` beside them, whatever the encoding (`[code, message, traceback]`, a bare string,
 * an object, or ckpool's `"result": false` with a `"reject-reason"`).
 */
export class ShareRejectedError extends ServerError {
  override name = 'ShareRejectedError';
  declare readonly reason: ShareRejectionReason;
  constructor(method: string, serverCode: number | null, serverMessage: string, data?: unknown) {
    super(method, serverCode, serverMessage, data);
    this.reason = shareRejectionReason(serverCode, serverMessage);
  }

  /** The same refusal, with its reason. */
  static from(error: ServerError): ShareRejectedError {
    return new ShareRejectedError(error.method, error.serverCode, error.serverMessage, error.data);
  }
}
