// How a pool answered one request, told apart by encoding: Stratum's error array [code, message, data]
// (or node-stratum-pool's [code, message]), a JSON-RPC error object, a bare error string (ckpool's format
// errors), `"result": false` with or without ckpool's "reject-reason", a result, or nothing at all.
import { documented } from '../deviations.js';
import { fail, pass, skip, type Verdict } from '../report.js';
import { isObject, type Line, type WaitOutcome } from './line-probe.js';

export type Encoding = 'error array' | 'two-item error array' | 'error object' | 'error string' | 'result false' | 'result false with reject-reason' | 'other error';

export type Reply =
  | { readonly kind: 'result'; readonly result: unknown; readonly line: Line }
  | { readonly kind: 'refused'; readonly encoding: Encoding; readonly code: number | null; readonly message: string; readonly line: Line }
  | { readonly kind: 'malformed'; readonly why: string; readonly line: Line }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'closed' };

export function readReply(outcome: WaitOutcome): Reply {
  if (outcome.kind !== 'line') return outcome;
  const { line } = outcome;
  const json = line.json;
  if (!isObject(json)) return { kind: 'malformed', why: json === undefined ? 'not JSON' : 'not a JSON object', line };
  const error = json['error'];
  const result = json['result'];
  if (error === undefined || error === null || error === false) {
    const reason = json['reject-reason'];
    if (result === false && typeof reason === 'string') return { kind: 'refused', encoding: 'result false with reject-reason', code: null, message: reason, line };
    if (result === false) return { kind: 'refused', encoding: 'result false', code: null, message: '', line };
    if (!('result' in json)) return { kind: 'malformed', why: 'neither a result nor an error', line };
    return { kind: 'result', result, line };
  }
  if (Array.isArray(error) && (error.length === 2 || error.length === 3)) {
    const [code, message] = error as unknown[];
    return { kind: 'refused', encoding: error.length === 3 ? 'error array' : 'two-item error array', code: integer(code), message: typeof message === 'string' ? message : JSON.stringify(message), line };
  }
  if (isObject(error)) {
    const message = error['message'];
    return { kind: 'refused', encoding: 'error object', code: integer(error['code']), message: typeof message === 'string' ? message : '', line };
  }
  if (typeof error === 'string') return { kind: 'refused', encoding: 'error string', code: null, message: error, line };
  return { kind: 'refused', encoding: 'other error', code: null, message: JSON.stringify(error), line };
}

function integer(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** A refusal for people: `error array [21, "Job not found"]`. */
export function describeRefusal(reply: Extract<Reply, { kind: 'refused' }>): string {
  const message = reply.message.length > 80 ? `${reply.message.slice(0, 79)}…` : reply.message;
  switch (reply.encoding) {
    case 'result false':
      return '"result": false without a reason';
    case 'result false with reject-reason':
      return `"result": false, "reject-reason": ${JSON.stringify(message)}`;
    case 'error string':
      return `error string ${JSON.stringify(message)}`;
    default:
      return `${reply.encoding}, code ${reply.code === null ? 'none' : reply.code}${message ? ` ${JSON.stringify(message)}` : ''}`;
  }
}

export function noAnswer(reply: Extract<Reply, { kind: 'timeout' | 'closed' }>, timeout: number): string {
  return reply.kind === 'timeout' ? `no answer within ${timeout} ms` : 'the pool closed the connection';
}

/** Stratum's share error codes (mining.submit's `errors` in the spec). */
export const SUBMIT_CODES = { OTHER: 20, JOB_NOT_FOUND: 21, DUPLICATE: 22, LOW_DIFFICULTY: 23, UNAUTHORIZED: 24, NOT_SUBSCRIBED: 25 } as const;

export interface RefusalExpectation {
  /** What the share is wrong about, for the reasons: "an unknown job". */
  readonly what: string;
  /** The codes the spec gives for this refusal; empty when any refusal will do. */
  readonly codes: readonly number[];
  /** Whether the share met the difficulty: if not, a low-difficulty refusal says nothing about `what`. */
  readonly solved: boolean;
  readonly timeout: number;
  /** Extra words for a refusal with an unexpected code that is still right (a stale job after a block). */
  readonly alsoRight?: { readonly code: number; readonly why: string } | undefined;
}

/** The verdict on a share the pool must refuse. */
export async function judgeRefusal(reply: Reply, expected: RefusalExpectation): Promise<Verdict> {
  if (reply.kind === 'timeout' || reply.kind === 'closed') return fail(`${expected.what}: ${noAnswer(reply, expected.timeout)}`);
  if (reply.kind === 'malformed') return fail(`${expected.what}: the answer is ${reply.why}`, reply.line.text);
  if (reply.kind === 'result') {
    if (reply.result === true) return fail(`accepted ${expected.what}`, reply.line.text);
    return fail(`${expected.what}: the result is not a boolean`, reply.line.text);
  }
  const shown = `${expected.what} refused: ${describeRefusal(reply)}`;
  if (reply.encoding === 'result false with reject-reason') return documented('submit-reject-encodings', shown, reply.line.text);
  if (reply.encoding === 'error string') return documented('submit-reject-encodings', shown, reply.line.text);
  if (reply.encoding === 'other error') return fail(`${shown}: not an error encoding Stratum uses`, reply.line.text);
  if (reply.code === null || expected.codes.length === 0 || expected.codes.includes(reply.code)) return pass(shown, reply.line.text);
  if (expected.alsoRight && reply.code === expected.alsoRight.code) return pass(`${shown} (${expected.alsoRight.why})`, reply.line.text);
  if (reply.code === SUBMIT_CODES.LOW_DIFFICULTY && !expected.solved) {
    return skip(`${shown}: the share could not be solved at this difficulty, so it shows only that the pool checks the difficulty`, reply.line.text);
  }
  return fail(`${shown}; the spec's code for ${expected.what} is ${expected.codes.join(' or ')}`, reply.line.text);
}
