// Encoding a server's replies in the dialect the request came in.
import { encodeError, encodeResult, type Dialect, type MessageId } from '../messages.js';
import type { Outcome, RpcErrorBody } from './dispatch.js';

/**
 * How a JSON-RPC 1.0 reply carries an error. 'array': Stratum's `[code, message, traceback]`, what
 * miners parse. 'object': `{code, message}` beside `"result": null`, as aiorpcx and Fulcrum answer
 * Electrum clients that send no "jsonrpc" member.
 */
export type V1ErrorFormat = 'array' | 'object';

export function encodeReply(id: MessageId | null, outcome: Outcome, dialect: Dialect, v1Errors: V1ErrorFormat): string {
  if ('result' in outcome) return encodeResult(id, outcome.result, dialect);
  return encodeErrorReply(id, outcome.error, dialect, v1Errors);
}

export function encodeErrorReply(id: MessageId | null, error: RpcErrorBody, dialect: Dialect, v1Errors: V1ErrorFormat): string {
  if (dialect === '1.0' && v1Errors === 'object') {
    const body = error.data === undefined ? { code: error.code, message: error.message } : { ...error };
    return JSON.stringify({ id, result: null, error: body });
  }
  return encodeError(id, error, dialect);
}
