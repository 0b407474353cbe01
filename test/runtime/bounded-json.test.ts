// Untrusted JSON within bounds: a message nested too deep is refused where it is decoded (with its id
// kept, so a server can answer it), and excerpts of any value are short, and made by a recursion the length bounds.
import { describe, expect, it } from 'vitest';
import { excerpt, nestsDeeperThan } from '../../src/runtime/bounded-json.js';
import { ProtocolError, ServerError } from '../../src/runtime/errors.js';
import { DEFAULT_MAX_DEPTH, parseMessage } from '../../src/runtime/messages.js';
import { formatErrors } from '../../src/runtime/validation.js';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('nestsDeeperThan', () => {
  it('counts a bare container as depth 1 and stops at the limit', () => {
    expect(nestsDeeperThan(1, 0)).toBe(false);
    expect(nestsDeeperThan([], 1)).toBe(false);
    expect(nestsDeeperThan([], 0)).toBe(true);
    expect(nestsDeeperThan(JSON.parse(nested(64)), 64)).toBe(false);
    expect(nestsDeeperThan(JSON.parse(nested(65)), 64)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: [1] }] }, 4)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: [1] }] }, 3)).toBe(true);
  });

  it('takes a million levels without overflowing the stack', () => {
    expect(nestsDeeperThan(JSON.parse(nested(1_000_000)), DEFAULT_MAX_DEPTH)).toBe(true);
  });
});

describe('parseMessage and depth', () => {
  it('refuses the 9 KB line of brackets that used to crash every endpoint', () => {
    const message = parseMessage(nested(6000));
    expect(message.type).toBe('invalid');
    if (message.type !== 'invalid') return;
    expect(message.error).toBeInstanceOf(ProtocolError);
    expect(message.error.kind).toBe('too-deep');
    expect(message.error.excerpt!.length).toBeLessThanOrEqual(201);
  });

  it('keeps the id of a request whose params are too deep, so the refusal can be addressed', () => {
    const text = `{"jsonrpc":"2.0","id":7,"method":"server.ping","params":${nested(100)}}`;
    expect(parseMessage(text)).toMatchObject({ type: 'invalid', id: 7, error: { kind: 'too-deep' } });
    expect(parseMessage(`{"id":null,"method":"x","params":${nested(100)}}`)).toMatchObject({ type: 'invalid', id: null });
    expect(parseMessage(`{"id":{"x":1},"params":${nested(100)}}`)).not.toHaveProperty('id');
  });

  it('accepts the default depth and a configured one', () => {
    const atLimit = `{"id":1,"result":${nested(DEFAULT_MAX_DEPTH - 1)}}`;
    expect(parseMessage(atLimit).type).toBe('result');
    expect(parseMessage(`{"id":1,"result":${nested(DEFAULT_MAX_DEPTH)}}`).type).toBe('invalid');
    expect(parseMessage('{"id":1,"result":[[1]]}', { maxDepth: 2 }).type).toBe('invalid');
    expect(parseMessage('{"id":1,"result":[1]}', { maxDepth: 2 }).type).toBe('result');
  });

  it('refuses deep nesting inside a batch as a whole', () => {
    expect(parseMessage(`[{"id":1,"result":1},{"id":2,"result":${nested(100)}}]`)).toMatchObject({ type: 'invalid', error: { kind: 'too-deep' } });
  });

  it('never makes an excerpt or error message longer than a line, whatever the peer sent', () => {
    const huge = 'x'.repeat(1_000_000);
    const cases = [
      `{"id":1,"error":[1,{"m":"${huge}"},null]}`,
      `{"id":1,"error":{"code":"1","message":["${huge}"]}}`,
      `{"id":1,"error":[1,2,3,4,"${huge}"]}`,
      `{"method":5,"params":["${huge}"]}`,
      `["${huge}"]`,
    ];
    for (const text of cases) {
      const message = parseMessage(text);
      if (message.type === 'invalid') expect(message.error.excerpt!.length).toBeLessThanOrEqual(201);
      else if (message.type === 'error') expect(message.error.message.length).toBeLessThanOrEqual(201);
      else if (message.type === 'batch') expect(message.items[0]).toMatchObject({ type: 'invalid' });
      else throw new Error(`unexpected ${message.type}`);
    }
  });
});

describe('excerpt', () => {
  it('writes JSON text for small values', () => {
    const value = { a: [1, 'two', null, true, { b: -1.5 }], c: {} };
    expect(excerpt(value)).toBe(JSON.stringify(value));
    expect(excerpt([])).toBe('[]');
    expect(excerpt('é"\n')).toBe(JSON.stringify('é"\n'));
    expect(excerpt([Infinity, undefined])).toBe('[null,null]');
  });

  it('cuts at the length, marked, on any size or depth', () => {
    const deep = JSON.parse(nested(1_000_000)) as unknown;
    expect(excerpt(deep, 50)).toBe(`${'['.repeat(50)}…`);
    const wide = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    expect(excerpt(wide, 30)).toBe(`${JSON.stringify(wide).slice(0, 30)}…`);
    expect(excerpt('y'.repeat(10_000_000), 10)).toBe(`"${'y'.repeat(9)}…`);
  });

  it('stops descending at its depth limit however long an excerpt it is asked for', () => {
    const deep = JSON.parse(nested(1_000_000)) as unknown;
    expect(excerpt(deep, 10_000_000)).toBe(`${'['.repeat(500)}…${']'.repeat(500)}`);
  });

  it('survives what JSON.stringify throws on', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle['self'] = cycle;
    expect(excerpt(cycle)).toBe('{"a":1,"self":"[cycle]"}');
    expect(excerpt({ n: 10n, f: () => 1 })).toBe('{"n":10,"f":"[function]"}');
    expect(excerpt(Object.create(null) as object)).toBe('{}');
  });
});

describe('error messages from peer values', () => {
  it('keep a server message whole in serverMessage and short in message', () => {
    const e = new ServerError('m', 1, 'z'.repeat(100_000));
    expect(e.serverMessage).toHaveLength(100_000);
    expect(e.message.length).toBeLessThan(600);
  });

  it('list at most 20 distinct validation errors, counting the rest, in linear time', () => {
    const errors = Array.from({ length: 200_000 }, (_, i) => ({ instancePath: `/${i}/height`, keyword: 'type', message: 'must be integer', params: {} }));
    // Quadratic de-duplication of these lines took minutes; a linear pass is a few milliseconds.
    const lines = formatErrors(errors, 'result');
    expect(lines).toHaveLength(21);
    expect(lines.at(-1)).toBe('... and 199980 more errors');
  });

  it('shorten property names a peer chose', () => {
    const name = 'k'.repeat(100_000);
    const [line] = formatErrors([{ instancePath: `/${name}`, keyword: 'additionalProperties', params: { additionalProperty: name } }], 'result');
    expect(line!.length).toBeLessThan(300);
  });
});
