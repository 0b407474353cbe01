// Answering a peer's requests on a client's session (session.ts): a pool asks a miner for its version or
// shows it a message. Beside the session rather than in it, so a client whose peer never asks anything (an
// Electrum wallet) refuses with one encoded error and carries none of the rest.
import { ServerError } from './errors.js';
import { encodeError, encodeResult, INTERNAL_ERROR, type RequestMessage } from './messages.js';
import type { RpcSession } from './session.js';

/** What a peer's request handler returns; throwing a ServerError answers with its code and message. */
export type IncomingRequestHandler = (method: string, params: unknown[] | Record<string, unknown>) => unknown;

/** Answers `request` with what `handler` returns (awaited), or with the error it throws: a ServerError's own, any other as "internal error". */
export async function answer(session: RpcSession, request: RequestMessage, handler: IncomingRequestHandler): Promise<void> {
  let text: string;
  try {
    text = encodeResult(request.id, await handler(request.method, request.params), request.dialect);
  } catch (e) {
    const refusal =
      e instanceof ServerError
        ? { code: e.serverCode ?? INTERNAL_ERROR, message: e.serverMessage }
        : { code: INTERNAL_ERROR, message: 'internal error' };
    text = encodeError(request.id, refusal, request.dialect);
  }
  reply(session, text);
}

/** Refuses `request` with `code` and `message`, unanswered by any handler. */
export function refuse(session: RpcSession, request: RequestMessage, code: number, message: string): void {
  reply(session, encodeError(request.id, { code, message }, request.dialect));
}

function reply(session: RpcSession, text: string): void {
  try {
    session.send(text);
  } catch {
    // Closed, or going away (send throws then): its close handler rejects what is pending.
  }
}
