// Which JSON-RPC dialect a server answers a client in. Two ways to read it:
//
// 'per-message' (Stratum pools): each request is answered in its own dialect; no "jsonrpc" member
// means Stratum's JSON-RPC 1.0 (`"error": null` on success, errors as arrays), what miners parse.
//
// 'aiorpcx' (ElectrumX): the first message fixes one of aiorpcX's three protocols for the whole
// session (aiorpcx/jsonrpc.py, JSONRPCAutoDetect.detect_protocol, called once from
// JSONRPCConnection.receive_message):
//   - v2: `"jsonrpc": "2.0"`. Replies are 2.0; a later request or notification without it is refused
//     -32600 `"jsonrpc" is not "2.0"` (what ElectrumX answers, observed-on-the-wire).
//   - v1: `"jsonrpc": "1.0"`, or a message carrying both "result" and "error". Replies are
//     `{result, error: null, id}` and `{result: null, error: {code, message}, id}`; notifications carry
//     `"id": null`; batches are refused, and params that are not an array.
//   - loose: anything else, e.g. a request without "jsonrpc" (@electrum-cash/network, Fulcrum's
//     leniency). Accepts both; replies are 2.0 ("to give the other side the best chance to detect
//     JSONRPCv2"), so no `"error": null`, which some of these clients take for an error.
// A first message that is not JSON decides nothing: the next one does (aiorpcX raises before it
// replaces its auto-detecting protocol). Until then the session speaks 2.0 (JSONRPCAutoDetect is a
// JSONRPCv2).
import { JSON_RPC_ERRORS, type Dialect, type IncomingMessage } from '../messages.js';
import type { RpcErrorBody } from './dispatch.js';

export type DialectDetection = 'per-message' | 'aiorpcx';

/** aiorpcX's JSONRPCv2, JSONRPCv1 and JSONRPCLoose. */
export type AiorpcxProtocol = 'v2' | 'v1' | 'loose';

/**
 * aiorpcX's detect_protocol over one framed message: undefined when it is not JSON. A batch speaks the
 * protocol of all its members when they agree, else v2 if any member is v2, else v1 if any is, else loose.
 * Only the top level of each member is read.
 */
export function detectAiorpcxProtocol(text: string): AiorpcxProtocol | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return protocolOf(value);
  const parts = new Set(value.map(protocolOf));
  if (parts.size === 1) return [...parts][0]!;
  if (parts.has('v2')) return 'v2';
  if (parts.has('v1')) return 'v1';
  return 'loose';
}

function protocolOf(payload: unknown): AiorpcxProtocol {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return 'loose';
  const version = Object.hasOwn(payload, 'jsonrpc') ? (payload as Record<string, unknown>)['jsonrpc'] : undefined;
  if (version === '2.0') return 'v2';
  if (version === '1.0') return 'v1';
  return Object.hasOwn(payload, 'result') && Object.hasOwn(payload, 'error') ? 'v1' : 'loose';
}

/** The dialect replies, notifications and server requests are written in: 1.0 for v1 only. */
export function aiorpcxDialect(protocol: AiorpcxProtocol | undefined): Dialect {
  return protocol === 'v1' ? '1.0' : '2.0';
}

/**
 * Why a session of `protocol` refuses an incoming request or notification (answered with this error,
 * addressed to its id, or null for a notification), or undefined when it takes it. A batch in v1 is
 * refused whole; in v2 each member is checked on its own.
 */
export function aiorpcxRefusal(protocol: AiorpcxProtocol | undefined, message: IncomingMessage): RpcErrorBody | undefined {
  if (protocol === 'v2') {
    if ((message.type === 'request' || message.type === 'notification') && message.dialect !== '2.0') {
      return { code: JSON_RPC_ERRORS.INVALID_REQUEST, message: '"jsonrpc" is not "2.0"' };
    }
  } else if (protocol === 'v1') {
    // JSONRPCv1.allow_batches is False: message_to_item refuses the list before looking inside.
    if (message.type === 'batch') return { code: JSON_RPC_ERRORS.INVALID_REQUEST, message: 'request object must be a dictionary' };
    if ((message.type === 'request' || message.type === 'notification') && !Array.isArray(message.params)) {
      return { code: JSON_RPC_ERRORS.INVALID_PARAMS, message: 'invalid request arguments: JSON-RPC 1.0 takes params as an array' };
    }
  }
  return undefined;
}
