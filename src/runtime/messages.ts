// JSON-RPC messages: one framed line in, one classified message out; and the encoders for both
// dialects. No I/O and no Node imports. Parsing never throws: whatever a peer sends becomes a
// message, and what fits nothing becomes `{ type: 'invalid' }` carrying a ProtocolError.
//
// Peers differ a lot (protocol-inventory A2, B1, B4, B6): Electrum servers speak JSON-RPC 2.0 or
// a "loose" 1.0; Stratum pools send no "jsonrpc" member, `"id": null` notifications, and errors as
// arrays, bare strings, `true` or objects. All of those are accepted here.
import { excerpt, nestsDeeperThan } from './bounded-json.js';
import { ProtocolError } from './errors.js';

/** '2.0' sends `"jsonrpc":"2.0"`; '1.0' is Stratum style: no "jsonrpc", `"id": null` notifications, `"error": null` on success. */
export type Dialect = '2.0' | '1.0';
export type MessageId = number | string;

export interface RpcErrorInfo {
  /** The peer's numeric code, or null when it sent none (a bare string, `true`, an object without an integer code). */
  code: number | null;
  message: string;
  /** JSON-RPC 2.0 `data`, or the traceback of a Stratum `[code, message, traceback]` when not null. */
  data?: unknown;
}

export type IncomingMessage =
  | { type: 'request'; id: MessageId; method: string; params: unknown[] | Record<string, unknown>; dialect: Dialect }
  | { type: 'notification'; method: string; params: unknown[] | Record<string, unknown>; dialect: Dialect }
  | { type: 'result'; id: MessageId; result: unknown; rejectReason?: string; dialect: Dialect }
  | { type: 'error'; id: MessageId | null; error: RpcErrorInfo; result?: unknown; rejectReason?: string; dialect: Dialect }
  | { type: 'batch'; items: IncomingMessage[] }
  /** `reply`: it had no "method", so its id is one of ours (a request of ours it answers, badly). */
  | { type: 'invalid'; error: ProtocolError; id?: MessageId | null; reply?: true };

/** A request from the peer, as parsed (a client's session and a server's alike take them). */
export type RequestMessage = Extract<IncomingMessage, { type: 'request' }>;

export interface ParseOptions {
  /** Largest batch accepted; default DEFAULT_MAX_BATCH_SIZE. */
  maxBatchSize?: number | undefined;
  /** Deepest nesting of arrays and objects accepted (the message itself is level 1); default DEFAULT_MAX_DEPTH. */
  maxDepth?: number | undefined;
}

/**
 * Well above Fulcrum's 345-request batch cap and the batches real clients send, yet it bounds the work
 * one line can cause; the line itself is already bounded by the framing layer's size limit.
 */
export const DEFAULT_MAX_BATCH_SIZE = 1000;

/**
 * The deepest standard message is about 7 levels (a verbose transaction's script addresses inside a
 * batch reply); 64 leaves room for extensions, while any recursive walk of an accepted message (ours, or
 * a caller's JSON.stringify or structuredClone, which give up after a few thousand levels) stays far
 * from the stack's end. A 9 KB line of brackets is enough to crash code that has no such limit.
 */
export const DEFAULT_MAX_DEPTH = 64;

// The codes JSON-RPC 2.0 reserves (protocol-inventory A5), each also a constant of its own: a bundle
// carries those it uses, where the object's five numbers would all go in (about 70 B gzipped).
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

/** The codes JSON-RPC 2.0 reserves (protocol-inventory A5). */
export const JSON_RPC_ERRORS = { PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL_ERROR } as const;

type JsonObject = Record<string, unknown>;
type Params = unknown[] | Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------
// Parsing

/** Classifies one framed line. Never throws. */
export function parseMessage(text: string, options?: ParseOptions): IncomingMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return { type: 'invalid', error: new ProtocolError('invalid-json', 'the message is not valid JSON', text.slice(0, 400).trim(), { cause }) };
  }
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (nestsDeeperThan(value, maxDepth)) return tooDeep(value, maxDepth);
  if (!Array.isArray(value)) return classify(value);

  const max = options?.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  if (value.length === 0) return invalid('the batch is empty', value);
  if (value.length > max) return invalid(`the batch has ${value.length} messages, more than the maximum of ${max}`, value);
  return {
    type: 'batch',
    items: value.map((item: unknown) => (Array.isArray(item) ? invalid('a batch member is itself an array', item) : classify(item))),
  };
}

/** One message that is not a batch. */
function classify(value: unknown): IncomingMessage {
  if (!isObject(value)) return invalid(`a message must be a JSON object, not ${kindOf(value)}`, value);

  const dialect: Dialect = member(value, 'jsonrpc') === '2.0' ? '2.0' : '1.0';
  const rawId = member(value, 'id');
  if (rawId !== undefined && rawId !== null && !isMessageId(rawId)) {
    return invalid(`"id" must be a finite number, a string or null, not ${kindOf(rawId)}`, value);
  }
  const id: MessageId | null = rawId ?? null;
  // The id, when the peer sent a usable one, so the caller can address an error reply.
  const known = (): { id?: MessageId | null } => (rawId === undefined ? {} : { id });

  const method = member(value, 'method');
  if (method !== undefined && method !== null) {
    if (typeof method !== 'string') return invalid(`"method" must be a string, not ${kindOf(method)}`, value, known());
    const params = paramsOf(member(value, 'params'));
    if (params === undefined) return invalid('"params" must be an array or an object', value, known());
    // aiorpcx, Fulcrum and Stratum alike: an id that is null or absent makes a notification.
    return id === null ? { type: 'notification', method, params, dialect } : { type: 'request', id, method, params, dialect };
  }

  if (rawId === undefined) return invalid('a message with neither "method" nor "id"', value);

  const rejectReason = member(value, 'reject-reason');
  const reason: { rejectReason?: string } = typeof rejectReason === 'string' ? { rejectReason } : {};
  const result = member(value, 'result');
  const error = member(value, 'error');

  if (error === undefined || error === null || error === false) {
    if (result === undefined) return invalid('a response with neither "result" nor an error', value, known());
    if (id === null) return invalid('a success response with a null id cannot be matched to a request', value, known());
    // `result` is kept as sent, null included: a null result is an answer, not a missing one.
    // No spread on this path: it runs for every reply.
    return typeof rejectReason === 'string' ? { type: 'result', id, result, rejectReason, dialect } : { type: 'result', id, result, dialect };
  }

  // ckpool and node-stratum-pool send a result beside the error; keep it when it says something.
  const kept: { result?: unknown } = result === undefined || result === null ? {} : { result };
  return { type: 'error', id, error: errorInfo(error), ...kept, ...reason, dialect };
}

function paramsOf(params: unknown): Params | undefined {
  if (params === undefined) return [];
  if (Array.isArray(params) || isObject(params)) return params;
  return undefined;
}

/** Every error encoding seen on real servers (protocol-inventory B4), as one shape. */
function errorInfo(error: unknown): RpcErrorInfo {
  if (error === true) return { code: null, message: 'error: true' }; // node-stratum-pool get_transactions
  if (typeof error === 'string') return { code: null, message: error }; // ckpool
  if (typeof error === 'number') return Number.isInteger(error) ? { code: error, message: '' } : { code: null, message: String(error) };
  if (Array.isArray(error)) {
    // Stratum: [code, message] or [code, message, traceback | null].
    if (error.length !== 2 && error.length !== 3) return { code: null, message: excerpt(error) };
    const [code, message, traceback] = error as [unknown, unknown, unknown];
    const info: RpcErrorInfo = { code: stratumCode(code), message: typeof message === 'string' ? message : excerpt(message) };
    if (traceback !== undefined && traceback !== null) info.data = traceback;
    return info;
  }
  if (isObject(error)) {
    // JSON-RPC 2.0 {code, message, data?}; a missing or odd member is tolerated.
    const code = member(error, 'code');
    const message = member(error, 'message');
    const info: RpcErrorInfo = {
      code: typeof code === 'number' && Number.isInteger(code) ? code : null,
      message: typeof message === 'string' ? message : excerpt(error),
    };
    if (Object.hasOwn(error, 'data')) info.data = error['data'];
    return info;
  }
  return { code: null, message: String(error) }; // not reachable from JSON
}

function stratumCode(code: unknown): number | null {
  if (typeof code === 'number') return Number.isInteger(code) ? code : null;
  if (typeof code === 'string' && /^-?\d{1,15}$/.test(code)) return Number(code);
  return null;
}

function invalid(message: string, value: unknown, known: { id?: MessageId | null } = {}): IncomingMessage {
  return { type: 'invalid', error: new ProtocolError('invalid-message', message, excerpt(value)), ...known };
}

/** Too deep to pass on; its id is still read (a top-level member), so a server can address the refusal. */
function tooDeep(value: unknown, maxDepth: number): IncomingMessage {
  const id = isObject(value) ? member(value, 'id') : undefined;
  const known = id === null || isMessageId(id) ? { id } : {};
  const reply = isObject(value) && member(value, 'method') === undefined && isMessageId(id) ? { reply: true as const } : {};
  return { type: 'invalid', error: new ProtocolError('too-deep', `the message is nested more than ${maxDepth} levels deep`, excerpt(value)), ...known, ...reply };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMessageId(value: unknown): value is MessageId {
  // JSON.parse turns 1e999 into Infinity, so "a number" is not enough.
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** An own member only: nothing from Object.prototype. */
function member(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// ---------------------------------------------------------------------------------------------------
// Encoding. Plain JSON.stringify, no trailing newline: the framing layer adds it.

// Method names as JSON text, kept: requests reuse a few dozen names, and the template below is about
// twice as fast as stringifying a fresh object for every request.
const methodJson = new Map<string, string>();
const MAX_METHOD_JSON = 512;

function jsonMethod(method: string): string {
  let text = methodJson.get(method);
  if (text === undefined) {
    text = JSON.stringify(method);
    if (methodJson.size < MAX_METHOD_JSON) methodJson.set(method, text);
  }
  return text;
}

/** The same text as JSON.stringify({ jsonrpc: '2.0', id, method, params }) (or without "jsonrpc" for '1.0'). */
export function encodeRequest(id: MessageId, method: string, params: readonly unknown[], dialect: Dialect): string {
  // A session's ids are safe integers, whose JSON is their decimal text.
  const idJson = typeof id === 'number' && Number.isSafeInteger(id) ? `${id}` : JSON.stringify(id);
  const body = `"id":${idJson},"method":${jsonMethod(method)},"params":${JSON.stringify(params)}}`;
  return dialect === '2.0' ? `{"jsonrpc":"2.0",${body}` : `{${body}`;
}

export function encodeNotification(method: string, params: readonly unknown[], dialect: Dialect): string {
  return dialect === '2.0' ? JSON.stringify({ jsonrpc: '2.0', method, params }) : JSON.stringify({ id: null, method, params });
}

/** An undefined result is sent as null, so the reply keeps its "result" member. */
export function encodeResult(id: MessageId | null, result: unknown, dialect: Dialect): string {
  const value = result === undefined ? null : result;
  return dialect === '2.0' ? JSON.stringify({ jsonrpc: '2.0', id, result: value }) : JSON.stringify({ id, result: value, error: null });
}

/** '2.0': `"error": {code, message, data?}`; '1.0' (Stratum): `"error": [code, message, data ?? null]`, `"result": null`. */
export function encodeError(id: MessageId | null, error: { code: number; message: string; data?: unknown }, dialect: Dialect): string {
  if (dialect === '1.0') return JSON.stringify({ id, result: null, error: [error.code, error.message, error.data ?? null] });
  const body = error.data === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, data: error.data };
  return JSON.stringify({ jsonrpc: '2.0', id, error: body });
}

/** Joins encoded messages into one batch. An empty batch is invalid JSON-RPC, so it is refused. */
export function encodeBatch(encoded: readonly string[]): string {
  if (encoded.length === 0) throw new RangeError('encodeBatch: a batch needs at least one message');
  return `[${encoded.join(',')}]`;
}
