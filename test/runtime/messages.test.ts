// The message layer: every shape real Electrum servers and Stratum pools send is classified exactly,
// bad input becomes `invalid` (never an exception), and both dialects encode and parse back.
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/runtime/errors.js';
import {
  DEFAULT_MAX_BATCH_SIZE,
  encodeBatch,
  encodeError,
  encodeNotification,
  encodeRequest,
  encodeResult,
  JSON_RPC_ERRORS,
  parseMessage,
  type Dialect,
  type IncomingMessage,
} from '../../src/runtime/messages.js';

/** Asserts an `invalid` message and returns its error for further checks. */
function expectInvalid(message: IncomingMessage, kind: 'invalid-json' | 'invalid-message'): ProtocolError {
  expect(message.type).toBe('invalid');
  if (message.type !== 'invalid') throw new Error('unreachable');
  expect(message.error).toBeInstanceOf(ProtocolError);
  expect(message.error.code).toBe('PROTOCOL');
  expect(message.error.kind).toBe(kind);
  expect(message.error.excerpt).toBeDefined();
  expect((message.error.excerpt ?? '').length).toBeLessThanOrEqual(201);
  return message.error;
}

function invalidId(message: IncomingMessage): unknown {
  if (message.type !== 'invalid') throw new Error(`expected invalid, got ${message.type}`);
  return Object.hasOwn(message, 'id') ? message.id : 'absent';
}

describe('requests and notifications', () => {
  it('classifies a JSON-RPC 2.0 request', () => {
    expect(parseMessage('{"jsonrpc":"2.0","id":1,"method":"server.version","params":["sdk","1.4"]}')).toStrictEqual({
      type: 'request',
      id: 1,
      method: 'server.version',
      params: ['sdk', '1.4'],
      dialect: '2.0',
    });
  });

  it('classifies a Stratum request (no jsonrpc member) as dialect 1.0, including server-to-client ones', () => {
    expect(parseMessage('{"id": 1, "method": "mining.subscribe", "params": ["cpuminer/2.5.1"]}')).toStrictEqual({
      type: 'request',
      id: 1,
      method: 'mining.subscribe',
      params: ['cpuminer/2.5.1'],
      dialect: '1.0',
    });
    expect(parseMessage('{"id":42,"method":"mining.ping","params":[]}')).toStrictEqual({
      type: 'request',
      id: 42,
      method: 'mining.ping',
      params: [],
      dialect: '1.0',
    });
  });

  it('keeps string ids, id 0 and "jsonrpc":"1.0" (Phoenix)', () => {
    expect(parseMessage('{"id":"a-uuid","method":"client.get_version","params":[]}')).toStrictEqual({
      type: 'request',
      id: 'a-uuid',
      method: 'client.get_version',
      params: [],
      dialect: '1.0',
    });
    expect(parseMessage('{"jsonrpc":"1.0","id":0,"method":"server.ping"}')).toStrictEqual({
      type: 'request',
      id: 0,
      method: 'server.ping',
      params: [],
      dialect: '1.0',
    });
  });

  it('accepts named params and turns absent params into []', () => {
    expect(parseMessage('{"jsonrpc":"2.0","id":7,"method":"blockchain.block.header","params":{"height":5}}')).toStrictEqual({
      type: 'request',
      id: 7,
      method: 'blockchain.block.header',
      params: { height: 5 },
      dialect: '2.0',
    });
    expect(parseMessage('{"jsonrpc":"2.0","id":8,"method":"server.banner"}')).toStrictEqual({
      type: 'request',
      id: 8,
      method: 'server.banner',
      params: [],
      dialect: '2.0',
    });
  });

  it('classifies Stratum notifications with "id": null', () => {
    expect(parseMessage('{"id": null, "method": "mining.set_difficulty", "params": [2.5]}')).toStrictEqual({
      type: 'notification',
      method: 'mining.set_difficulty',
      params: [2.5],
      dialect: '1.0',
    });
  });

  it('classifies JSON-RPC 2.0 notifications without id', () => {
    expect(parseMessage('{"jsonrpc":"2.0","method":"blockchain.headers.subscribe","params":[{"height":101,"hex":"00"}]}')).toStrictEqual({
      type: 'notification',
      method: 'blockchain.headers.subscribe',
      params: [{ height: 101, hex: '00' }],
      dialect: '2.0',
    });
  });

  it("classifies ElectrumX's bogus relayfee/estimatefee messages (no id, no jsonrpc) as notifications", () => {
    expect(parseMessage('{"method":"blockchain.relayfee","params":[]}')).toStrictEqual({
      type: 'notification',
      method: 'blockchain.relayfee',
      params: [],
      dialect: '1.0',
    });
    expect(parseMessage('{"method":"blockchain.estimatefee"}')).toStrictEqual({
      type: 'notification',
      method: 'blockchain.estimatefee',
      params: [],
      dialect: '1.0',
    });
  });

  it.each(['null', '"x"', '5', 'true'])('refuses params %s, keeping the id for a reply', (params) => {
    const m = parseMessage(`{"jsonrpc":"2.0","id":3,"method":"server.ping","params":${params}}`);
    expect(expectInvalid(m, 'invalid-message').message).toMatch(/params/);
    expect(invalidId(m)).toBe(3);
  });

  it('refuses a method that is not a string', () => {
    const m = parseMessage('{"id":4,"method":12,"params":[]}');
    expect(expectInvalid(m, 'invalid-message').message).toMatch(/method/);
    expect(invalidId(m)).toBe(4);
  });

  it('treats "method": null as no method', () => {
    expect(parseMessage('{"id":5,"method":null,"result":1,"error":null}')).toStrictEqual({ type: 'result', id: 5, result: 1, dialect: '1.0' });
  });
});

describe('success responses', () => {
  it('reads ElectrumX key order (jsonrpc, result, id)', () => {
    expect(parseMessage('{"jsonrpc":"2.0","result":["ElectrumX 1.20.0","1.6.0"],"id":0}')).toStrictEqual({
      type: 'result',
      id: 0,
      result: ['ElectrumX 1.20.0', '1.6.0'],
      dialect: '2.0',
    });
  });

  it('reads Fulcrum key order (id, jsonrpc, result)', () => {
    expect(parseMessage('{"id":1,"jsonrpc":"2.0","result":["Fulcrum 2.1.1","1.4"]}')).toStrictEqual({
      type: 'result',
      id: 1,
      result: ['Fulcrum 2.1.1', '1.4'],
      dialect: '2.0',
    });
  });

  it('keeps a null result as null (never the envelope)', () => {
    expect(parseMessage('{"jsonrpc":"2.0","result":null,"id":3}')).toStrictEqual({ type: 'result', id: 3, result: null, dialect: '2.0' });
    expect(parseMessage('{"id":3,"result":null,"error":null}')).toStrictEqual({ type: 'result', id: 3, result: null, dialect: '1.0' });
  });

  it('keeps falsy results (false, 0, "") and treats "error": false as success', () => {
    expect(parseMessage('{"id":2,"result":false,"error":null}')).toStrictEqual({ type: 'result', id: 2, result: false, dialect: '1.0' });
    expect(parseMessage('{"id":2,"result":0,"error":false}')).toStrictEqual({ type: 'result', id: 2, result: 0, dialect: '1.0' });
    expect(parseMessage('{"id":2,"result":""}')).toStrictEqual({ type: 'result', id: 2, result: '', dialect: '1.0' });
  });

  it('reads a Stratum success with "error": null', () => {
    expect(parseMessage('{"id": 2, "result": true, "error": null}')).toStrictEqual({ type: 'result', id: 2, result: true, dialect: '1.0' });
  });

  it('reads a ckpool share rejection: result false, error null, "reject-reason"', () => {
    expect(parseMessage('{"id":4,"result":false,"error":null,"reject-reason":"Above target"}')).toStrictEqual({
      type: 'result',
      id: 4,
      result: false,
      rejectReason: 'Above target',
      dialect: '1.0',
    });
  });

  it('ignores a "reject-reason" that is not a string', () => {
    expect(parseMessage('{"id":4,"result":false,"error":null,"reject-reason":7}')).toStrictEqual({
      type: 'result',
      id: 4,
      result: false,
      dialect: '1.0',
    });
  });

  it('refuses a response with neither result nor error', () => {
    const m = parseMessage('{"jsonrpc":"2.0","id":9}');
    expectInvalid(m, 'invalid-message');
    expect(invalidId(m)).toBe(9);
    expectInvalid(parseMessage('{"id":9,"error":null}'), 'invalid-message');
  });

  it('refuses a success with a null id (it cannot be matched)', () => {
    const m = parseMessage('{"id":null,"result":[],"error":null}');
    expectInvalid(m, 'invalid-message');
    expect(invalidId(m)).toBe(null);
  });

  it('refuses a result without an id', () => {
    const m = parseMessage('{"result":1,"error":null}');
    expectInvalid(m, 'invalid-message');
    expect(invalidId(m)).toBe('absent');
  });
});

describe('error responses: every encoding in the inventory', () => {
  const cases: [string, string, IncomingMessage][] = [
    [
      'Stratum [code, message, null]',
      '{"id": 10, "result": null, "error": [21, "Job not found", null]}',
      { type: 'error', id: 10, error: { code: 21, message: 'Job not found' }, dialect: '1.0' },
    ],
    [
      'Stratum [code, message] (2 elements)',
      '{"id": 4, "result": null, "error": [20, "incorrect size of extranonce2"]}',
      { type: 'error', id: 4, error: { code: 20, message: 'incorrect size of extranonce2' }, dialect: '1.0' },
    ],
    [
      'node-stratum-pool low difficulty',
      '{"id":4,"result":null,"error":[23,"low difficulty share of 0.0004"]}',
      { type: 'error', id: 4, error: { code: 23, message: 'low difficulty share of 0.0004' }, dialect: '1.0' },
    ],
    [
      'Stratum traceback kept as data',
      '{"id":4,"result":null,"error":[20,"Other/Unknown",{"trace":"at x"}]}',
      { type: 'error', id: 4, error: { code: 20, message: 'Other/Unknown', data: { trace: 'at x' } }, dialect: '1.0' },
    ],
    [
      'Stratum numeric-string code',
      '{"id":4,"result":null,"error":["24","unauthorized worker",null]}',
      { type: 'error', id: 4, error: { code: 24, message: 'unauthorized worker' }, dialect: '1.0' },
    ],
    [
      'Stratum array with a non-numeric code',
      '{"id":4,"result":null,"error":["E","bad"]}',
      { type: 'error', id: 4, error: { code: null, message: 'bad' }, dialect: '1.0' },
    ],
    [
      'array of the wrong length',
      '{"id":4,"result":null,"error":[1]}',
      { type: 'error', id: 4, error: { code: null, message: '[1]' }, dialect: '1.0' },
    ],
    [
      'ckpool bare string',
      '{"id":4,"result":null,"error":"Invalid JobID"}',
      { type: 'error', id: 4, error: { code: null, message: 'Invalid JobID' }, dialect: '1.0' },
    ],
    [
      'ckpool result false beside a string error, with reject-reason',
      '{"id":4,"result":false,"error":"Stale","reject-reason":"Stale"}',
      { type: 'error', id: 4, error: { code: null, message: 'Stale' }, result: false, rejectReason: 'Stale', dialect: '1.0' },
    ],
    [
      'ckpool send_json_err: no result, id ""',
      '{"id":"","error":"No nonce"}',
      { type: 'error', id: '', error: { code: null, message: 'No nonce' }, dialect: '1.0' },
    ],
    [
      'node-stratum-pool get_transactions: error true, id null, result []',
      '{"id":null,"result":[],"error":true}',
      { type: 'error', id: null, error: { code: null, message: 'error: true' }, result: [], dialect: '1.0' },
    ],
    [
      'a bare number',
      '{"id":6,"result":null,"error":-1}',
      { type: 'error', id: 6, error: { code: -1, message: '' }, dialect: '1.0' },
    ],
    [
      'JSON-RPC 2.0 object (ElectrumX)',
      '{"jsonrpc":"2.0","error":{"code":1,"message":"the tx package was rejected by network rules.\\n\\n..."},"id":3}',
      { type: 'error', id: 3, error: { code: 1, message: 'the tx package was rejected by network rules.\n\n...' }, dialect: '2.0' },
    ],
    [
      'Fulcrum key order (error, id, jsonrpc)',
      '{"error":{"code":-32601,"message":"Unsupported request: x"},"id":2,"jsonrpc":"2.0"}',
      { type: 'error', id: 2, error: { code: -32601, message: 'Unsupported request: x' }, dialect: '2.0' },
    ],
    [
      'JSON-RPC object from a pool',
      '{"id":4,"result":null,"error":{"code":23,"message":"Invalid share"}}',
      { type: 'error', id: 4, error: { code: 23, message: 'Invalid share' }, dialect: '1.0' },
    ],
    [
      'SRI {code, message, data}',
      '{"id":4,"result":null,"error":{"code":25,"message":"not subscribed","data":{"hint":"subscribe first"}}}',
      { type: 'error', id: 4, error: { code: 25, message: 'not subscribed', data: { hint: 'subscribe first' } }, dialect: '1.0' },
    ],
    [
      'object without code',
      '{"jsonrpc":"2.0","id":5,"error":{"message":"oops"}}',
      { type: 'error', id: 5, error: { code: null, message: 'oops' }, dialect: '2.0' },
    ],
    [
      'object with a non-integer code',
      '{"jsonrpc":"2.0","id":5,"error":{"code":"23","message":"oops"}}',
      { type: 'error', id: 5, error: { code: null, message: 'oops' }, dialect: '2.0' },
    ],
    [
      'object without message',
      '{"jsonrpc":"2.0","id":5,"error":{"code":7}}',
      { type: 'error', id: 5, error: { code: 7, message: '{"code":7}' }, dialect: '2.0' },
    ],
    [
      'parse error reply with id null',
      '{"jsonrpc":"2.0","error":{"code":-32700,"message":"invalid JSON"},"id":null}',
      { type: 'error', id: null, error: { code: -32700, message: 'invalid JSON' }, dialect: '2.0' },
    ],
  ];

  it.each(cases)('%s', (_name, text, expected) => {
    expect(parseMessage(text)).toStrictEqual(expected);
  });
});

describe('ids', () => {
  it.each(['{}', 'true', '[1]', '1e999'])('refuses id %s in a request', (id) => {
    const m = parseMessage(`{"id":${id},"method":"server.ping","params":[]}`);
    expect(expectInvalid(m, 'invalid-message').message).toMatch(/id/);
    expect(invalidId(m)).toBe('absent');
  });

  it.each(['{}', 'false', '[]', '-1e999'])('refuses id %s in a response', (id) => {
    expectInvalid(parseMessage(`{"id":${id},"result":1,"error":null}`), 'invalid-message');
    expectInvalid(parseMessage(`{"id":${id},"result":null,"error":[21,"Job not found",null]}`), 'invalid-message');
  });

  it('accepts a fractional number id', () => {
    expect(parseMessage('{"id":1.5,"result":1}')).toStrictEqual({ type: 'result', id: 1.5, result: 1, dialect: '1.0' });
  });
});

describe('bad input', () => {
  it.each(['{"id":1,', '', 'nope', '{"id":1}}', "{'id':1}"])('%j is invalid-json, not an exception', (text) => {
    const m = parseMessage(text);
    expect(m.type).toBe('invalid');
    if (m.type !== 'invalid') return;
    expect(m.error).toBeInstanceOf(ProtocolError);
    expect(m.error.kind).toBe('invalid-json');
    expect(m.error.excerpt).toBe(text.trim());
    expect(invalidId(m)).toBe('absent');
  });

  it.each(['42', '"str"', 'null', 'true'])('%s is invalid-message', (text) => {
    expect(expectInvalid(parseMessage(text), 'invalid-message').excerpt).toBe(text);
  });

  it('refuses an object with neither method nor id', () => {
    expectInvalid(parseMessage('{"jsonrpc":"2.0"}'), 'invalid-message');
  });

  it('cuts the excerpt of a long line', () => {
    const err = expectInvalid(parseMessage(`{"id":1,"params":"${'x'.repeat(5000)}"`), 'invalid-json');
    expect(err.excerpt).toHaveLength(201);
    expect(err.excerpt?.endsWith('…')).toBe(true);
  });

  it('ignores members inherited from Object.prototype', () => {
    expect(parseMessage('{"__proto__":{"method":"x"},"id":1,"result":2}')).toStrictEqual({ type: 'result', id: 1, result: 2, dialect: '1.0' });
  });
});

describe('padding and whitespace', () => {
  it('reads ElectrumX replies padded with 13,000 spaces before the closing brace', () => {
    const text = `{"jsonrpc": "2.0", "result": [[15.0, 37952], [5.0, 37536]], "id": 7${' '.repeat(13000)}}`;
    expect(parseMessage(text)).toStrictEqual({
      type: 'result',
      id: 7,
      result: [
        [15, 37952],
        [5, 37536],
      ],
      dialect: '2.0',
    });
  });

  it('reads a padded batch and a line with surrounding whitespace', () => {
    expect(parseMessage(`[{"jsonrpc":"2.0","result":1,"id":1}${' '.repeat(13000)}]`)).toStrictEqual({
      type: 'batch',
      items: [{ type: 'result', id: 1, result: 1, dialect: '2.0' }],
    });
    expect(parseMessage('  {"id":1,"result":null,"error":null}\r')).toStrictEqual({ type: 'result', id: 1, result: null, dialect: '1.0' });
  });
});

describe('batches', () => {
  it('keeps replies in the order they arrived (servers answer in any order)', () => {
    const text = '[{"jsonrpc":"2.0","result":"a","id":1001},{"jsonrpc":"2.0","result":"c","id":1003},{"jsonrpc":"2.0","result":"b","id":1002},{"jsonrpc":"2.0","error":{"code":1,"message":"bad"},"id":1004}]';
    expect(parseMessage(text)).toStrictEqual({
      type: 'batch',
      items: [
        { type: 'result', id: 1001, result: 'a', dialect: '2.0' },
        { type: 'result', id: 1003, result: 'c', dialect: '2.0' },
        { type: 'result', id: 1002, result: 'b', dialect: '2.0' },
        { type: 'error', id: 1004, error: { code: 1, message: 'bad' }, dialect: '2.0' },
      ],
    });
  });

  it('classifies each member; nested arrays and non-objects become invalid members', () => {
    const m = parseMessage('[{"method":"blockchain.relayfee","params":[]},[{"id":1,"result":1}],5,{"id":2,"method":"server.ping"}]');
    expect(m.type).toBe('batch');
    if (m.type !== 'batch') return;
    expect(m.items).toHaveLength(4);
    expect(m.items[0]).toStrictEqual({ type: 'notification', method: 'blockchain.relayfee', params: [], dialect: '1.0' });
    expect(expectInvalid(m.items[1] as IncomingMessage, 'invalid-message').message).toMatch(/array/);
    expectInvalid(m.items[2] as IncomingMessage, 'invalid-message');
    expect(m.items[3]).toStrictEqual({ type: 'request', id: 2, method: 'server.ping', params: [], dialect: '1.0' });
  });

  it('refuses an empty batch', () => {
    expect(expectInvalid(parseMessage('[]'), 'invalid-message').message).toMatch(/empty/);
  });

  it('refuses a batch over maxBatchSize (default 1000)', () => {
    const batch = (n: number) => `[${Array.from({ length: n }, (_, i) => `{"id":${i},"result":null}`).join(',')}]`;
    expect(DEFAULT_MAX_BATCH_SIZE).toBe(1000);
    const ok = parseMessage(batch(1000));
    expect(ok.type === 'batch' && ok.items.length).toBe(1000);
    expectInvalid(parseMessage(batch(1001)), 'invalid-message');
    expectInvalid(parseMessage(batch(3), { maxBatchSize: 2 }), 'invalid-message');
    expect(parseMessage(batch(2), { maxBatchSize: 2 }).type).toBe('batch');
  });
});

describe('encoding', () => {
  it('encodes requests', () => {
    expect(encodeRequest(1, 'server.version', ['sdk', '1.4'], '2.0')).toBe('{"jsonrpc":"2.0","id":1,"method":"server.version","params":["sdk","1.4"]}');
    expect(encodeRequest('s1', 'mining.subscribe', ['sdk/1'], '1.0')).toBe('{"id":"s1","method":"mining.subscribe","params":["sdk/1"]}');
  });

  it('writes the same text as JSON.stringify for every kind of id', () => {
    const ids = [0, 1, -1, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53, 1.5, -0, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY, '', 'a"b', '\n', '7'];
    for (const id of ids) {
      for (const dialect of ['2.0', '1.0'] as const) {
        const wanted = JSON.stringify(dialect === '2.0' ? { jsonrpc: '2.0', id, method: 'm', params: [1, 'x'] } : { id, method: 'm', params: [1, 'x'] });
        expect(encodeRequest(id, 'm', [1, 'x'], dialect), String(id)).toBe(wanted);
      }
    }
  });

  it('encodes notifications: no id in 2.0, "id": null in 1.0', () => {
    expect(encodeNotification('server.ping', [], '2.0')).toBe('{"jsonrpc":"2.0","method":"server.ping","params":[]}');
    expect(encodeNotification('mining.set_difficulty', [8], '1.0')).toBe('{"id":null,"method":"mining.set_difficulty","params":[8]}');
  });

  it('encodes results: "error": null in 1.0; undefined is sent as null', () => {
    expect(encodeResult(3, ['a'], '2.0')).toBe('{"jsonrpc":"2.0","id":3,"result":["a"]}');
    expect(encodeResult(3, true, '1.0')).toBe('{"id":3,"result":true,"error":null}');
    expect(encodeResult(3, null, '2.0')).toBe('{"jsonrpc":"2.0","id":3,"result":null}');
    expect(encodeResult(3, undefined, '1.0')).toBe('{"id":3,"result":null,"error":null}');
    expect(encodeResult(null, 0, '1.0')).toBe('{"id":null,"result":0,"error":null}');
  });

  it('encodes errors: an object in 2.0, a Stratum array with "result": null in 1.0', () => {
    expect(encodeError(4, { code: -32601, message: 'unknown method "x"' }, '2.0')).toBe(
      '{"jsonrpc":"2.0","id":4,"error":{"code":-32601,"message":"unknown method \\"x\\""}}',
    );
    expect(encodeError(4, { code: 1, message: 'bad', data: { why: 1 } }, '2.0')).toBe('{"jsonrpc":"2.0","id":4,"error":{"code":1,"message":"bad","data":{"why":1}}}');
    expect(encodeError(4, { code: 21, message: 'Job not found' }, '1.0')).toBe('{"id":4,"result":null,"error":[21,"Job not found",null]}');
    expect(encodeError(null, { code: 20, message: 'x', data: 'tb' }, '1.0')).toBe('{"id":null,"result":null,"error":[20,"x","tb"]}');
  });

  it('encodes batches and refuses an empty one', () => {
    expect(encodeBatch([encodeRequest(1, 'a', [], '2.0'), encodeRequest(2, 'b', [], '2.0')])).toBe(
      '[{"jsonrpc":"2.0","id":1,"method":"a","params":[]},{"jsonrpc":"2.0","id":2,"method":"b","params":[]}]',
    );
    expect(() => encodeBatch([])).toThrow(RangeError);
  });

  it('exposes the JSON-RPC 2.0 error codes', () => {
    expect(JSON_RPC_ERRORS).toStrictEqual({
      PARSE_ERROR: -32700,
      INVALID_REQUEST: -32600,
      METHOD_NOT_FOUND: -32601,
      INVALID_PARAMS: -32602,
      INTERNAL_ERROR: -32603,
    });
  });
});

describe('round trips', () => {
  it.each<Dialect>(['2.0', '1.0'])('parses back what it encodes in dialect %s', (dialect) => {
    expect(parseMessage(encodeRequest(5, 'blockchain.scripthash.subscribe', ['ab'], dialect))).toStrictEqual({
      type: 'request',
      id: 5,
      method: 'blockchain.scripthash.subscribe',
      params: ['ab'],
      dialect,
    });
    expect(parseMessage(encodeRequest('x', 'mining.authorize', ['w', 'p'], dialect))).toStrictEqual({
      type: 'request',
      id: 'x',
      method: 'mining.authorize',
      params: ['w', 'p'],
      dialect,
    });
    expect(parseMessage(encodeNotification('mining.notify', ['job', true], dialect))).toStrictEqual({
      type: 'notification',
      method: 'mining.notify',
      params: ['job', true],
      dialect,
    });
    expect(parseMessage(encodeResult(5, { a: [1] }, dialect))).toStrictEqual({ type: 'result', id: 5, result: { a: [1] }, dialect });
    expect(parseMessage(encodeResult(5, null, dialect))).toStrictEqual({ type: 'result', id: 5, result: null, dialect });
    expect(parseMessage(encodeError(6, { code: 23, message: 'low difficulty' }, dialect))).toStrictEqual({
      type: 'error',
      id: 6,
      error: { code: 23, message: 'low difficulty' },
      dialect,
    });
    expect(parseMessage(encodeError(null, { code: -32700, message: 'invalid JSON', data: 'at 3' }, dialect))).toStrictEqual({
      type: 'error',
      id: null,
      error: { code: -32700, message: 'invalid JSON', data: 'at 3' },
      dialect,
    });
    expect(parseMessage(encodeBatch([encodeResult(1, 'a', dialect), encodeError(2, { code: 1, message: 'b' }, dialect)]))).toStrictEqual({
      type: 'batch',
      items: [
        { type: 'result', id: 1, result: 'a', dialect },
        { type: 'error', id: 2, error: { code: 1, message: 'b' }, dialect },
      ],
    });
  });

  it('never ends an encoded message with a newline', () => {
    for (const text of [
      encodeRequest(1, 'a', [], '1.0'),
      encodeNotification('a', [], '2.0'),
      encodeResult(1, 'x\n', '1.0'),
      encodeError(1, { code: 1, message: 'm' }, '2.0'),
    ]) {
      expect(text).not.toMatch(/\n$/);
      expect(text.includes('\n')).toBe(false);
    }
  });
});
