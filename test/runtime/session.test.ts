// The JSON-RPC session without sockets: a result check that sees method and params, a reply check that
// also sees error replies and the raw reply, timeouts that fire for the oldest unanswered request however
// the others were answered, aborts, closing, and no timer left behind once everything is answered; a batch
// settled as a whole, each member in its place whatever the order and way it settled.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AbortedError, ClosedError, ProtocolError, ServerError, TimeoutError, ValidationError } from '../../src/runtime/errors.js';
import { parseMessage } from '../../src/runtime/messages.js';
import { PendingTable } from '../../src/runtime/pending.js';
import { PendingRing } from '../../src/runtime/pending-ring.js';
import { requestBatch } from '../../src/runtime/session-batch.js';
import { RpcSession, type ErrorReply, type ReplyCheck, type ResultCheck, type ResultReply } from '../../src/runtime/session.js';

interface Sent {
  id: number;
  method: string;
  params: unknown[];
}

function session(timeout = 1000, table?: () => PendingTable) {
  const sent: Sent[] = [];
  const errors: (ProtocolError | ServerError)[] = [];
  const s = new RpcSession({
    dialect: '2.0',
    send: (text) => sent.push(JSON.parse(text) as Sent),
    timeout,
    onNotification: () => undefined,
    onRequest: () => undefined,
    onProtocolError: (e) => errors.push(e),
  });
  if (table) s.pendingTable = table();
  const reply = (id: number, result: unknown) => s.handle(parseMessage(JSON.stringify({ jsonrpc: '2.0', id, result })));
  return { s, sent, errors, reply };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the result check', () => {
  it('sees the method, the params sent and the result before the promise settles', async () => {
    const { s, sent, reply } = session();
    const seen: unknown[][] = [];
    const check: ResultCheck = (method, params, result) => seen.push([method, params, result]);
    const params = ['ab', 1];
    const a = s.request('m.one', params, {}, check);
    const b = s.request('m.two', [], {}, check);
    reply(sent[1]!.id, 'second');
    reply(sent[0]!.id, { first: true });
    await expect(a).resolves.toEqual({ first: true });
    await expect(b).resolves.toBe('second');
    expect(seen).toEqual([
      ['m.two', [], 'second'],
      ['m.one', params, { first: true }],
    ]);
    expect(seen[1]![1]).toBe(params);
  });

  it('rejects with what the check throws: an SDK error as it is, anything else as a protocol error', async () => {
    const { s, sent, reply } = session();
    const refused = new ValidationError('m', 'result', ['result: must be string']);
    const a = s.request('m', [], {}, () => {
      throw refused;
    });
    const b = s.request('m', [], {}, () => {
      throw new Error('odd');
    });
    reply(sent[0]!.id, 1);
    reply(sent[1]!.id, 2);
    await expect(a).rejects.toBe(refused);
    const error = await b.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).message).toMatch(/m: the result was refused: Error: odd/);
  });

  it('is not run for an error reply', async () => {
    const { s, sent } = session();
    const check = vi.fn();
    const p = s.request('m', [], {}, check);
    s.handle(parseMessage(JSON.stringify({ jsonrpc: '2.0', id: sent[0]!.id, error: { code: 1, message: 'no' } })));
    await expect(p).rejects.toBeInstanceOf(ServerError);
    expect(check).not.toHaveBeenCalled();
  });
});

describe('the reply check', () => {
  /** A Stratum-style session (JSON-RPC 1.0) whose peer's lines are fed as one read. */
  function stratum() {
    const sent: Sent[] = [];
    const order: string[] = [];
    const s = new RpcSession({
      dialect: '1.0',
      send: (text) => sent.push(JSON.parse(text) as Sent),
      timeout: 1000,
      onNotification: (method) => order.push(`notification ${method}`),
      onRequest: () => undefined,
      onProtocolError: () => undefined,
    });
    return { s, sent, order, read: (...messages: unknown[]) => s.handle(parseMessage(JSON.stringify(messages))) };
  }

  it('sees results and error replies with their request and the raw reply, before anything read after them', async () => {
    const { s, sent, order, read } = stratum();
    const results: [string, readonly unknown[], unknown, ResultReply][] = [];
    const errors: [string, readonly unknown[], ServerError, ErrorReply][] = [];
    const check: ReplyCheck = {
      result: (method, params, result, reply) => {
        order.push(`result ${method}`);
        results.push([method, params, result, reply]);
      },
      error: (method, params, error, reply) => {
        order.push(`error ${method}`);
        errors.push([method, params, error, reply]);
        return undefined;
      },
    };
    const submit = s.request('mining.submit', ['w', 'job'], {}, check);
    const authorize = s.request('mining.authorize', ['w', 'x'], {}, check);
    // ckpool's rejection as a result with a reason, a Stratum error array, and a job: one read, in this order.
    read(
      { id: sent[0]!.id, result: false, error: null, 'reject-reason': 'Stale' },
      { id: sent[1]!.id, result: null, error: [24, 'Unauthorized worker', null] },
      { id: null, method: 'mining.notify', params: [] },
    );
    expect(order).toEqual(['result mining.submit', 'error mining.authorize', 'notification mining.notify']);
    expect(results[0]?.slice(0, 3)).toEqual(['mining.submit', ['w', 'job'], false]);
    expect(results[0]?.[3].rejectReason).toBe('Stale');
    expect(errors[0]?.[1]).toEqual(['w', 'x']);
    expect(errors[0]?.[3].error).toEqual({ code: 24, message: 'Unauthorized worker' });
    // Returning nothing keeps the session's own outcome.
    await expect(submit).resolves.toBe(false);
    await expect(authorize).rejects.toBe(errors[0]?.[2]);
    expect(errors[0]?.[2]).toMatchObject({ method: 'mining.authorize', serverCode: 24, serverMessage: 'Unauthorized worker' });
  });

  it('turns a result into a rejection, and replaces an error with its own', async () => {
    const { s, sent, read } = stratum();
    const replaced = new ValidationError('mining.authorize', 'result', ['refused for a reason of our own']);
    const check: ReplyCheck = {
      result: (method, _params, result, reply) => {
        if (result === false && reply.rejectReason !== undefined) throw new ServerError(method, null, reply.rejectReason);
      },
      error: (method) => (method === 'mining.authorize' ? replaced : undefined),
    };
    const submit = s.request('mining.submit', [], {}, check);
    const authorize = s.request('mining.authorize', [], {}, check);
    const thrown = s.request('mining.configure', [], {}, {
      result: () => undefined,
      error: () => {
        throw new Error('odd');
      },
    });
    read(
      { id: sent[0]!.id, result: false, error: null, 'reject-reason': 'Duplicate share' },
      { id: sent[1]!.id, result: null, error: 'no' },
      { id: sent[2]!.id, result: null, error: true },
    );
    await expect(submit).rejects.toMatchObject({ code: 'SERVER', serverCode: null, serverMessage: 'Duplicate share' });
    await expect(authorize).rejects.toBe(replaced);
    await expect(thrown).rejects.toBeInstanceOf(ProtocolError);
  });

  it('also checks each member of a batch', async () => {
    const { s, sent } = stratum();
    const seen: string[] = [];
    const check: ReplyCheck = { result: (method) => void seen.push(`result ${method}`), error: (method) => void seen.push(`error ${method}`) };
    const settled = requestBatch(s, 
      [
        ['a', []],
        ['b', []],
      ],
      {},
      check,
    );
    const batch = sent as unknown as Sent[][];
    s.handle(parseMessage(JSON.stringify([{ id: batch[0]![1]!.id, result: null, error: [1, 'x', null] }, { id: batch[0]![0]!.id, result: 1, error: null }])));
    const [a, b] = await settled;
    expect(a).toEqual({ ok: true, value: 1 });
    expect(b).toMatchObject({ ok: false, error: expect.any(ServerError) });
    expect(seen).toEqual(['error b', 'result a']);
  });
});

describe('deadlines', () => {
  it('time out the requests left unanswered, whatever order the others were answered in', async () => {
    vi.useFakeTimers();
    const { s, sent, reply } = session(1000);
    const promises = Array.from({ length: 10 }, (_, i) => s.request(`m${i}`, []));
    const outcomes = promises.map((p) => p.then((v) => ['ok', v], (e: unknown) => ['err', e]));
    // Answer all but #0, #4 and #9, newest first, then the middle ones.
    for (const i of [8, 7, 6, 5, 3, 2, 1]) reply(sent[i]!.id, i);
    expect(s.pendingCount).toBe(3);
    await vi.advanceTimersByTimeAsync(999);
    expect(s.pendingCount).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    const settled = await Promise.all(outcomes);
    for (const i of [0, 4, 9]) {
      expect(settled[i]![0]).toBe('err');
      expect(settled[i]![1]).toBeInstanceOf(TimeoutError);
      expect((settled[i]![1] as TimeoutError).message).toMatch(new RegExp(`m${i}`));
    }
    for (const i of [1, 2, 3, 5, 6, 7, 8]) expect(settled[i]).toEqual(['ok', i]);
    expect(s.pendingCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leave no timer once every request is answered, in order or not', async () => {
    vi.useFakeTimers();
    const { s, sent, reply } = session(1000);
    for (const order of [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]]) {
      const start = sent.length;
      const promises = [0, 1, 2, 3].map((i) => s.request('m', [i]));
      expect(vi.getTimerCount()).toBe(1);
      for (const i of order) {
        reply(sent[start + i]!.id, i);
        expect(vi.getTimerCount(), `order ${order.join(',')} after ${i}`).toBe(s.pendingCount > 0 ? 1 : 0);
      }
      await expect(Promise.all(promises)).resolves.toEqual([0, 1, 2, 3]);
    }
  });

  it('gives a request with its own timeout its own deadline', async () => {
    vi.useFakeTimers();
    const { s, sent, reply } = session(1000);
    const long = s.request('long', []);
    const short = s.request('short', [], { timeout: 100 });
    const shortOutcome = short.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await shortOutcome).toBeInstanceOf(TimeoutError);
    reply(sent[0]!.id, 'fine');
    await expect(long).resolves.toBe('fine');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('aborts and closing', () => {
  it('rejects on abort, before or after sending, and stops listening once settled', async () => {
    const { s, sent, reply } = session();
    const before = new AbortController();
    before.abort('no');
    await expect(s.request('m', [], { signal: before.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(sent).toHaveLength(0);
    const during = new AbortController();
    const p = s.request('m', [], { signal: during.signal });
    during.abort('stop');
    await expect(p).rejects.toBeInstanceOf(AbortedError);
    const answered = new AbortController();
    const q = s.request('m', [], { signal: answered.signal });
    reply(sent[1]!.id, 5);
    await expect(q).resolves.toBe(5);
    answered.abort(); // too late: nothing happens
    expect(s.pendingCount).toBe(0);
  });

  it('rejects everything pending on close, and every later request at once', async () => {
    vi.useFakeTimers();
    const { s } = session();
    const promises = [s.request('a', []), s.request('b', [], { timeout: 5 })];
    s.close(new ClosedError('gone'));
    for (const p of promises) await expect(p).rejects.toBeInstanceOf(ClosedError);
    await expect(s.request('c', [])).rejects.toBeInstanceOf(ClosedError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reports a reply to an answered request as a duplicate', async () => {
    const { s, sent, reply, errors } = session();
    const p = s.request('m', []);
    reply(sent[0]!.id, 1);
    await p;
    reply(sent[0]!.id, 1);
    reply(999, 1);
    expect(errors.map((e) => (e as ProtocolError).kind)).toEqual(['duplicate-id', 'unknown-id']);
  });
});

describe('a reply too deep to read', () => {
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('fails the request it answers at once with the protocol error, instead of leaving it to time out', async () => {
    const { s, sent, errors } = session(60_000);
    const pending = s.request('m', []);
    s.handle(parseMessage(`{"jsonrpc":"2.0","id":${sent[0]!.id},"result":${deep(100)}}`));
    await expect(pending).rejects.toMatchObject({ code: 'PROTOCOL', kind: 'too-deep' });
    expect(errors.map((e) => (e as ProtocolError).kind)).toEqual(['too-deep']);
    expect(s.pendingCount).toBe(0);
  });

  it('leaves our request alone when a too-deep request of the peer carries the same id', async () => {
    const { s, sent, reply } = session(60_000);
    const pending = s.request('m', []);
    s.handle(parseMessage(`{"jsonrpc":"2.0","id":${sent[0]!.id},"method":"x","params":${deep(100)}}`));
    expect(s.pendingCount).toBe(1);
    reply(sent[0]!.id, 'fine');
    await expect(pending).resolves.toBe('fine');
  });
});

// The pending tables: the Map every session starts with, and the ring (src/runtime/pending-ring.ts), indexed
// by the id's low bits, 64 slots at first, a request outliving a ring's worth of later ones moved aside
// into its Map. These walk the ring's edges, and hold the Map to the same outcomes.
describe.each([
  ['the Map table', () => new PendingTable()],
  ['the ring', () => new PendingRing()],
])('%s', (_, table) => {
  it('keeps a request that outlives many later ones, answers it, and never lets a reply to a reused slot settle its new request', async () => {
    vi.useFakeTimers();
    const { s, sent, reply, errors } = session(1000, table);
    const slow = s.request('slow', ['s']);
    const slowAborted = new AbortController();
    const aborted = s.request('aborted', [], { signal: slowAborted.signal });
    // One at a time: the ring never fills, so the two above are moved aside when later ids reach their slots.
    for (let i = 0; i < 300; i++) {
      const p = s.request('m', [i]);
      reply(sent.at(-1)!.id, i);
      await expect(p).resolves.toBe(i);
    }
    // A late reply for an id answered long ago shares its slot with a pending request of a later id.
    const current = s.request('current', []);
    const currentId = sent.at(-1)!.id;
    reply(currentId - 64, 'stale');
    reply(currentId - 128, 'stale');
    expect(s.pendingCount).toBe(3);
    slowAborted.abort('stop');
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    reply(sent[0]!.id, 'slow answer');
    await expect(slow).resolves.toBe('slow answer');
    reply(currentId, 'now');
    await expect(current).resolves.toBe('now');
    expect(errors.map((e) => (e as ProtocolError).kind)).toEqual(['duplicate-id', 'duplicate-id']);
    expect(s.pendingCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('times out and closes requests moved aside like any other', async () => {
    vi.useFakeTimers();
    const { s, sent, reply } = session(1000, table);
    const early = s.request('early', []).catch((e: unknown) => e);
    const closing = s.request('closing', [], { timeout: Infinity }).catch((e: unknown) => e);
    for (let i = 0; i < 200; i++) {
      const p = s.request('m', [i]);
      reply(sent.at(-1)!.id, i);
      await p;
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(await early).toBeInstanceOf(TimeoutError);
    expect(s.pendingCount).toBe(1);
    s.close(new ClosedError('gone'));
    expect(await closing).toBeInstanceOf(ClosedError);
    expect(s.pendingCount).toBe(0);
  });

  it('holds thousands in flight, answered in any order, each with its own result', async () => {
    const { s, sent, reply } = session(60_000, table);
    const n = 5000;
    const promises = Array.from({ length: n }, (_, i) => s.request('m', [i]));
    expect(s.pendingCount).toBe(n);
    // Newest first, then the rest interleaved from both ends: every slot is freed out of order.
    const order = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? n - 1 - i / 2 : (i - 1) / 2));
    for (const i of order.slice(0, n)) reply(sent[i]!.id, { n: i });
    const results = await Promise.all(promises);
    results.forEach((r, i) => expect(r).toEqual({ n: i }));
    expect(s.pendingCount).toBe(0);
    s.close();
  });

  it('settles nothing and crashes on nothing for ids it never sent', async () => {
    const { s, sent, errors } = session(60_000, table);
    const promises = Array.from({ length: 70 }, (_, i) => s.request('m', [i]));
    const outcomes = promises.map((p) => p.then(() => 'settled', () => 'settled'));
    const last = sent.at(-1)!.id;
    const hostile: unknown[] = [String(sent[0]!.id), sent[0]!.id + 0.5, -sent[0]!.id, 0, last + 64, last + 2 ** 32, 2 ** 53 + 2, 1e300, -0];
    for (const id of hostile) s.handle(parseMessage(JSON.stringify({ jsonrpc: '2.0', id, result: 'wrong' })));
    for (const id of hostile) s.handle(parseMessage(JSON.stringify({ jsonrpc: '2.0', id, error: { code: 1, message: 'wrong' } })));
    s.handle(parseMessage('{"jsonrpc":"2.0","id":[1],"result":"wrong"}'));
    expect(s.pendingCount).toBe(70);
    expect(errors.length).toBe(hostile.length * 2 + 1);
    for (const e of errors.slice(0, hostile.length)) expect((e as ProtocolError).kind).toBe('unknown-id');
    // Still pending: none settled by the replies above.
    const race = await Promise.race([Promise.race(outcomes), Promise.resolve('none')]);
    expect(race).toBe('none');
    s.close();
  });
});

describe('the ring', () => {
  it('does not grow for one request outliving thousands of later ones: that one moves aside', async () => {
    const ring = new PendingRing();
    const { s, sent, reply } = session(60_000, () => ring);
    const initial = ring.capacity;
    const slow = s.request('slow', []);
    for (let i = 0; i < 5000; i++) {
      const p = s.request('m', [i]);
      reply(sent.at(-1)!.id, i);
      await p;
    }
    expect(ring.capacity).toBe(initial);
    reply(sent[0]!.id, 'late');
    await expect(slow).resolves.toBe('late');
    // A run in flight does make it grow.
    const many = Array.from({ length: 200 }, (_, i) => s.request('m', [i]));
    expect(ring.capacity).toBeGreaterThan(initial);
    for (const m of sent.slice(-200)) reply(m.id, m.params[0]);
    await expect(Promise.all(many)).resolves.toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(ring.size).toBe(0);
    s.close();
  });

  it('gives its room back once a burst is answered, in any order, and grows the next burst back in one step', async () => {
    const ring = new PendingRing();
    const { s, sent, reply } = session(60_000, () => ring);
    const small = ring.capacity;
    expect(small).toBe(64);
    for (const order of ['in order', 'newest first'] as const) {
      const first = sent.length;
      const burst = Array.from({ length: 10_000 }, (_, i) => s.request('m', [i]));
      expect(ring.capacity).toBeGreaterThanOrEqual(16_384);
      const peak = ring.capacity;
      const ids = sent.slice(first).map((m) => m.id);
      if (order === 'newest first') ids.reverse();
      for (const [k, id] of ids.entries()) {
        reply(id, id);
        // Back to its first size with eight left in flight (SHRINK_AT), not before.
        if (k === ids.length - 10) expect(ring.capacity).toBe(peak);
        if (k === ids.length - 9) expect(ring.capacity).toBe(small);
      }
      const results = await Promise.all(burst);
      results.forEach((r, i) => expect(r).toBe(sent[first + i]!.id));
      expect(ring.capacity).toBe(small);
      expect(s.pendingCount).toBe(0);
    }
    // The next burst: straight to the last one's size at its first growth.
    const next = Array.from({ length: 65 }, (_, i) => s.request('m', [i]));
    expect(ring.capacity).toBe(16_384);
    for (const m of sent.slice(-65)) reply(m.id, m.params[0]);
    await expect(Promise.all(next)).resolves.toEqual(Array.from({ length: 65 }, (_, i) => i));
    expect(ring.capacity).toBe(small);
    s.close();
  });

  it('keeps the requests left across a shrink, moves aside those that meet, and lets a stale reply settle nothing', async () => {
    vi.useFakeTimers();
    const ring = new PendingRing();
    const { s, sent, reply, errors } = session(1000, () => ring);
    const stop = new AbortController();
    const outcomes: [number, unknown][] = [];
    const burst = Array.from({ length: 300 }, (_, i) => {
      // Four left in flight, in one slot of the small ring (ids 64 apart): three must move aside.
      const options = i === 64 ? { signal: stop.signal } : i === 128 ? { timeout: 500 } : i === 0 || i === 192 ? { timeout: Infinity } : {};
      const p = s.request('m', [i], options);
      p.then(
        (r) => outcomes.push([i, r]),
        (e: unknown) => outcomes.push([i, e]),
      );
      return p;
    });
    const kept = [0, 64, 128, 192];
    expect(ring.capacity).toBe(512);
    for (const [i, m] of sent.entries()) if (!kept.includes(i)) reply(m.id, i);
    await Promise.all(burst.filter((_, i) => !kept.includes(i)));
    expect(ring.capacity).toBe(64);
    expect(s.pendingCount).toBe(4);
    // New requests reuse the small ring's slots, stale replies for answered ids of those slots settle nothing.
    const later = Array.from({ length: 40 }, (_, i) => s.request('later', [i]));
    const stale = [sent[1]!.id, sent[65]!.id, sent[299]!.id, sent[299]!.id - 64];
    for (const id of stale) reply(id, 'stale');
    expect(errors.map((e) => (e as ProtocolError).kind)).toEqual(stale.map(() => 'duplicate-id'));
    expect(s.pendingCount).toBe(44);
    stop.abort('stop');
    await vi.advanceTimersByTimeAsync(500);
    reply(sent[192]!.id, 'answered');
    for (const m of sent.slice(-40)) reply(m.id, m.params[0]);
    await expect(Promise.all(later)).resolves.toEqual(Array.from({ length: 40 }, (_, i) => i));
    s.close(new ClosedError('gone'));
    await Promise.allSettled(burst);
    const left = new Map(outcomes.filter(([i]) => kept.includes(i)));
    expect(left.get(64)).toBeInstanceOf(AbortedError);
    expect(left.get(128)).toBeInstanceOf(TimeoutError);
    expect(left.get(192)).toBe('answered');
    expect(left.get(0)).toBeInstanceOf(ClosedError);
    expect(outcomes.filter(([i]) => !kept.includes(i)).every(([i, r]) => r === i)).toBe(true);
    expect(s.pendingCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects what is left oldest first on close, in the ring and moved aside alike', async () => {
    const ring = new PendingRing();
    const { s, sent, reply } = session(60_000, () => ring);
    const order: number[] = [];
    const burst = Array.from({ length: 300 }, (_, i) => s.request('m', [i]));
    burst.forEach((p, i) => p.catch(() => order.push(i)));
    const kept = [5, 69, 133, 200, 250, 290];
    for (const [i, m] of sent.entries()) if (!kept.includes(i)) reply(m.id, i);
    expect(ring.capacity).toBe(64);
    // Ids after the kept ones, reaching their slots: the ring and the Map both hold requests.
    const later = Array.from({ length: 70 }, (_, i) => s.request('later', [i]));
    later.forEach((p, i) => p.catch(() => order.push(300 + i)));
    s.close();
    await Promise.allSettled([...burst, ...later]);
    expect(order).toEqual([...kept, ...Array.from({ length: 70 }, (_, i) => 300 + i)]);
  });

  it('refuses a first size that is not a power of two', () => {
    expect(() => new PendingRing(100)).toThrow(RangeError);
    expect(new PendingRing(1024).capacity).toBe(1024);
  });
});

describe('changing the pending table', () => {
  it('is refused while requests are pending, and keeps them', async () => {
    const { s, sent, reply } = session(1000, () => new PendingRing());
    const p = s.request('m', []);
    expect(() => (s.pendingTable = new PendingTable())).toThrow(RangeError);
    reply(sent[0]!.id, 'kept');
    await expect(p).resolves.toBe('kept');
    s.pendingTable = new PendingTable();
    const q = s.request('m', []);
    reply(sent[1]!.id, 'then');
    await expect(q).resolves.toBe('then');
  });
});

describe.each([
  ['the Map', () => new PendingTable()],
  ['the ring', () => new PendingRing(4)],
])('a batch, settled as a whole, in %s', (_, table) => {
  const calls = (n: number) => Array.from({ length: n }, (_, i) => [`m${i}`, [i]] as const);
  const batchOf = (sent: Sent[]) => sent as unknown as Sent[][];

  it('resolves once its last member is answered, each outcome in the place of its call, whatever order they came in', async () => {
    const { s, sent, reply } = session(1000, table);
    const settled = requestBatch(s, calls(40), {});
    // A request sent between the batch and its answers takes an id after the batch's, and is answered first.
    const single = s.request('single', []);
    let done = false;
    void settled.then(() => (done = true));
    reply((sent as unknown as Sent[])[1]!.id, 'single');
    await expect(single).resolves.toBe('single');
    const batch = batchOf(sent)[0]!;
    expect(batch.map((c) => c.method)).toEqual(calls(40).map((c) => c[0]));
    const order = [...batch.keys()].sort((a, b) => ((a * 7919) % 40) - ((b * 7919) % 40));
    for (const i of order.slice(0, -1)) reply(batch[i]!.id, `r${i}`);
    await Promise.resolve();
    expect(done).toBe(false);
    expect(s.pendingCount).toBe(1);
    reply(batch[order.at(-1)!]!.id, `r${order.at(-1)!}`);
    expect(await settled).toEqual(batch.map((_, i) => ({ ok: true, value: `r${i}` })));
    expect(s.pendingCount).toBe(0);
  });

  it('settles a member that fails (an error reply, a refused result, a timeout) in its place, the others as answered', async () => {
    vi.useFakeTimers();
    const { s, sent, reply } = session(1000, table);
    const check: ResultCheck = (_m, _p, result) => {
      if (result === 'bad') throw new ValidationError('m', 'result', ['bad']);
    };
    const settled = requestBatch(s, calls(4), {}, check);
    const batch = batchOf(sent)[0]!;
    s.handle(parseMessage(JSON.stringify({ jsonrpc: '2.0', id: batch[2]!.id, error: { code: 1, message: 'no' } })));
    reply(batch[0]!.id, 'bad');
    reply(batch[3]!.id, 'fine');
    expect(s.pendingCount).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    const [refused, timedOut, error, fine] = await settled;
    expect(refused).toMatchObject({ ok: false, error: expect.any(ValidationError) });
    expect(timedOut).toMatchObject({ ok: false, error: expect.any(TimeoutError) });
    expect((timedOut as { error: Error }).error.message).toMatch(/m1/);
    expect(error).toMatchObject({ ok: false, error: { code: 'SERVER', serverMessage: 'no' } });
    expect(fine).toEqual({ ok: true, value: 'fine' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('settles its unanswered members on abort and on close, and every member at once when closed or aborted before', async () => {
    const { s, sent, reply } = session(1000, table);
    const controller = new AbortController();
    const aborted = requestBatch(s, calls(3), { signal: controller.signal });
    reply(batchOf(sent)[0]![1]!.id, 'one');
    controller.abort();
    const outcomes = await aborted;
    expect(outcomes.map((o) => (o.ok ? o.value : o.error.constructor))).toEqual([AbortedError, 'one', AbortedError]);
    const before = requestBatch(s, calls(2), { signal: controller.signal });
    expect((await before).map((o) => !o.ok && o.error instanceof AbortedError)).toEqual([true, true]);

    const closing = requestBatch(s, calls(3), {});
    reply(batchOf(sent).at(-1)![0]!.id, 'zero');
    s.close();
    expect((await closing).map((o) => (o.ok ? o.value : o.error.constructor))).toEqual(['zero', ClosedError, ClosedError]);
    expect((await requestBatch(s, calls(2), {})).map((o) => !o.ok && o.error instanceof ClosedError)).toEqual([true, true]);
    expect(s.pendingCount).toBe(0);
  });

  it('settles every member with a ClosedError when the batch cannot be sent, and resolves an empty batch at once', async () => {
    const s = new RpcSession({
      dialect: '2.0',
      send: () => {
        throw new Error('the socket is gone');
      },
      timeout: 1000,
      onNotification: () => undefined,
      onRequest: () => undefined,
      onProtocolError: () => undefined,
    });
    s.pendingTable = table();
    const outcomes = await requestBatch(s, calls(3), {});
    expect(outcomes.map((o) => !o.ok && o.error instanceof ClosedError)).toEqual([true, true, true]);
    expect(s.pendingCount).toBe(0);
    await expect(requestBatch(s, [], {})).resolves.toEqual([]);
  });
});
