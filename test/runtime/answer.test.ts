// Answering the peer's requests on a session: a handler's value, its ServerError, anything else it throws as
// "internal error", a refusal without a handler, in both dialects; nothing sent once the session is closed.
import { describe, expect, it } from 'vitest';
import { answer, refuse } from '../../src/runtime/answer.js';
import { ServerError } from '../../src/runtime/errors.js';
import { parseMessage, type Dialect, type RequestMessage } from '../../src/runtime/messages.js';
import { RpcSession } from '../../src/runtime/session.js';

function setup(dialect: Dialect = '2.0', send?: (text: string) => void) {
  const sent: unknown[] = [];
  const requests: RequestMessage[] = [];
  const session = new RpcSession({
    dialect,
    send: send ?? ((text) => sent.push(JSON.parse(text))),
    timeout: 1000,
    onNotification: () => undefined,
    onRequest: (request) => requests.push(request),
    onProtocolError: () => undefined,
  });
  const ask = (line: object) => {
    session.handle(parseMessage(JSON.stringify(line)));
    return requests.at(-1) as RequestMessage;
  };
  return { session, sent, ask };
}

describe('answer', () => {
  it("sends the handler's value, awaited, as the result in the request's own dialect", async () => {
    const { session, sent, ask } = setup();
    await answer(session, ask({ jsonrpc: '2.0', id: 7, method: 'client.get_version', params: [] }), async () => 'miner/1.0');
    await answer(session, ask({ id: 'x', method: 'client.get_version', params: [] }), () => undefined);
    expect(sent).toEqual([
      { jsonrpc: '2.0', id: 7, result: 'miner/1.0' },
      { id: 'x', result: null, error: null },
    ]);
  });

  it("sends a thrown ServerError's code and message, and anything else as internal error", async () => {
    const { session, sent, ask } = setup();
    const request = ask({ jsonrpc: '2.0', id: 1, method: 'm', params: { a: 1 } });
    await answer(session, request, (method, params) => {
      throw new ServerError(method, -32601, `unknown method ${method} ${JSON.stringify(params)}`);
    });
    await answer(session, request, () => {
      throw new TypeError('a bug, with details the peer must not see');
    });
    await answer(session, ask({ id: 2, method: 'm', params: [] }), () => 10n);
    expect(sent).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'unknown method m {"a":1}' } },
      { jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'internal error' } },
      // A value JSON cannot carry is the handler's failure, not the session's.
      { id: 2, result: null, error: [-32603, 'internal error', null] },
    ]);
  });

  it('sends nothing once the session is closed, and never throws when the send fails', async () => {
    const { session, sent, ask } = setup();
    const request = ask({ jsonrpc: '2.0', id: 1, method: 'm', params: [] });
    session.close();
    await answer(session, request, () => 'late');
    refuse(session, request, -32601, 'unknown method m');
    expect(sent).toEqual([]);

    const failing = setup('2.0', () => {
      throw new Error('the socket is gone');
    }).session;
    await expect(answer(failing, request, () => 1)).resolves.toBeUndefined();
    expect(() => refuse(failing, request, -32601, 'unknown method m')).not.toThrow();
  });
});

describe('refuse', () => {
  it('answers with the code and message given, in either dialect', () => {
    for (const dialect of ['2.0', '1.0'] as const) {
      const { session, sent, ask } = setup(dialect);
      const line = dialect === '2.0' ? { jsonrpc: '2.0', id: 3, method: 'x', params: [] } : { id: 3, method: 'x', params: [] };
      refuse(session, ask(line), -32601, 'unknown method "x"');
      expect(sent).toEqual([
        dialect === '2.0' ? { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'unknown method "x"' } } : { id: 3, result: null, error: [-32601, 'unknown method "x"', null] },
      ]);
    }
  });
});
