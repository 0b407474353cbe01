// The traffic checker on its own: fed messages by hand, both protocols, both directions, and its limits.
import { describe, expect, it, vi } from 'vitest';
import { TrafficChecker, type TrafficMessage } from '../../src/conformance/traffic/checker.js';
import type { TrafficFinding } from '../../src/conformance/traffic/findings.js';
import { checkTranscriptText } from '../../src/conformance/traffic/transcript-check.js';

function run(messages: [conn: string, dir: 'c2s' | 's2c', message: unknown][], options: ConstructorParameters<typeof TrafficChecker>[0] = {}) {
  const live: TrafficFinding[] = [];
  const checker = new TrafficChecker({ ...options, onFinding: (f) => live.push(f) });
  for (const [conn, dir, m] of messages) checker.feed({ conn, dir, line: typeof m === 'string' ? m : JSON.stringify(m) } satisfies TrafficMessage);
  return { live, summary: checker.summary() };
}

const version = (id = 0, v = '1.4'): [string, 'c2s' | 's2c', unknown][] => [
  ['a', 'c2s', { jsonrpc: '2.0', id, method: 'server.version', params: ['t', v] }],
  ['a', 's2c', { jsonrpc: '2.0', id, result: ['srv', v] }],
];

describe('TrafficChecker', () => {
  it('checks results against the params sent and the negotiated version, and notifications from the server', () => {
    const { live, summary } = run([
      ...version(0, '1.4'),
      ['a', 'c2s', { jsonrpc: '2.0', id: 1, method: 'blockchain.transaction.get', params: ['aa'.repeat(32), true] }],
      ['a', 's2c', { jsonrpc: '2.0', id: 1, result: '0100' }], // verbose asked: an object is due
      ['a', 'c2s', { jsonrpc: '2.0', id: 2, method: 'blockchain.transaction.get', params: ['aa'.repeat(32)] }],
      ['a', 's2c', { jsonrpc: '2.0', id: 2, result: '0100' }],
      ['a', 's2c', { jsonrpc: '2.0', method: 'blockchain.headers.subscribe', params: [{ height: 'tall', hex: '00' }] }],
      ['a', 's2c', { jsonrpc: '2.0', method: 'mining.notify', params: [] }],
      ['a', 's2c', { jsonrpc: '2.0', id: 3, error: 'oops' }],
    ]);
    expect(live.map((f) => [f.method, f.path.split(' ')[0], f.side])).toEqual([
      ['blockchain.transaction.get', 'result', 'server'],
      ['blockchain.headers.subscribe', 'params[0]', 'server'],
      ['mining.notify', 'method', 'server'],
      [undefined, 'id', 'server'],
    ]);
    expect(summary.connections[0]).toMatchObject({ version: '1.4', messages: 9, violations: 4 });
  });

  it('matches batch replies by id in any order', () => {
    const { live } = run([
      ...version(),
      ['a', 'c2s', [{ jsonrpc: '2.0', id: 5, method: 'server.banner', params: [] }, { jsonrpc: '2.0', id: 6, method: 'blockchain.block.header', params: [1] }]],
      ['a', 's2c', [{ jsonrpc: '2.0', id: 6, result: '00'.repeat(80) }, { jsonrpc: '2.0', id: 5, result: 7 }]],
    ]);
    expect(live).toEqual([expect.objectContaining({ method: 'server.banner', path: 'result' })]);
  });

  it('Stratum: server requests answered by the client, ids reused while pending as a documented deviation, and error encodings', () => {
    const { live, summary } = run([
      ['m', 'c2s', { id: 1, method: 'mining.subscribe', params: ['x/1'] }],
      ['m', 's2c', { id: 1, method: 'client.get_version', params: [] }], // the pool's own request, same id
      ['m', 's2c', { id: 1, result: [[['mining.notify', 'ae']], '00000001', 4], error: null }],
      ['m', 'c2s', { id: 1, result: 'x/1', error: null }],
      ['m', 'c2s', { id: 4, method: 'mining.submit', params: ['w', '1', '00000000', '6b49d200', '0eea1000'] }],
      ['m', 'c2s', { id: 4, method: 'mining.submit', params: ['w', '2', '00000000', '6b49d200', '0eea1001'] }],
      ['m', 's2c', { id: 4, result: null, error: [23, 'Low difficulty share', null] }],
      ['m', 's2c', { id: 4, result: false, error: 'Worker mismatch' }],
      ['m', 's2c', { id: null, method: 'mining.set_difficulty', params: ['high'] }],
    ]);
    expect(summary.connections[0]?.protocol).toBe('stratum');
    expect(live.map((f) => [f.kind, f.method, f.path])).toEqual([
      ['deviation', 'mining.submit', 'id'],
      ['deviation', 'mining.submit', 'error'],
      ['violation', 'mining.set_difficulty', 'params[0] (difficulty)'],
    ]);
    expect(live[0]).toMatchObject({ deviation: 'submit-fixed-id', reference: expect.stringContaining('cpuminer 2.5.0 sends every mining.submit') });
    expect(live[1]).toMatchObject({ deviation: 'submit-reject-encodings' });
  });

  it('Electrum: the notifications ElectrumX sends before the version are a deviation for the methods the spec names, only before the version', () => {
    // As ElectrumX sends them: no id, no "jsonrpc" (the one after the version has it, so the dialect check stays out of this).
    const early = (method: string, jsonrpc = {}): [string, 'c2s' | 's2c', unknown] => ['a', 's2c', { ...jsonrpc, method, params: [] }];
    const { live } = run([early('blockchain.relayfee'), early('blockchain.estimatefee'), early('server.banner'), ...version(), early('blockchain.relayfee', { jsonrpc: '2.0' })]);
    expect(live.map((f) => [f.kind, f.method, f.deviation])).toEqual([
      ['deviation', 'blockchain.relayfee', 'electrumx-fee-notifications'],
      ['deviation', 'blockchain.estimatefee', 'electrumx-fee-notifications'],
      ['violation', 'server.banner', undefined], // a method the spec's deviation does not name
      ['violation', 'blockchain.relayfee', undefined], // after the version: no longer documented
    ]);
    expect(live[0]?.message).toBe('a blockchain.relayfee notification before the version was negotiated');
  });

  it('the methods a deviation is found for are read from the spec table: edit the table and they follow', async () => {
    vi.resetModules();
    vi.doMock('../../src/generated/deviations.js', async (importOriginal) => {
      const real = await importOriginal<typeof import('../../src/generated/deviations.js')>();
      const edited = { ...real.SPEC_DEVIATIONS['electrumx-fee-notifications'], methods: ['server.banner'] };
      return { ...real, SPEC_DEVIATIONS: { ...real.SPEC_DEVIATIONS, 'electrumx-fee-notifications': edited } };
    });
    try {
      const { TrafficChecker: Edited } = await import('../../src/conformance/traffic/checker.js');
      const checker = new Edited();
      for (const method of ['blockchain.relayfee', 'server.banner']) checker.feed({ conn: 'a', dir: 's2c', line: JSON.stringify({ method, params: [] }) });
      expect(checker.summary().findings.map((f) => [f.kind, f.method, f.deviation])).toEqual([
        ['violation', 'blockchain.relayfee', undefined],
        ['deviation', 'server.banner', 'electrumx-fee-notifications'],
      ]);
    } finally {
      vi.doUnmock('../../src/generated/deviations.js');
      vi.resetModules();
    }
  });

  it('a method named like an object property ("toString", "constructor") is looked up as a name, not on a prototype', () => {
    const { live } = run([
      ['m', 'c2s', { id: 1, method: 'mining.subscribe', params: [] }],
      ['m', 'c2s', { id: 7, method: 'toString', params: [] }],
      ['m', 'c2s', { id: 7, method: 'toString', params: [] }], // a reused id: REUSED_IDS is asked for "toString"
      ['m', 'c2s', { id: 8, method: 'constructor', params: [] }],
      ['m', 's2c', { id: 8, result: null, error: 'x' }], // a loose error: LOOSE_ERRORS is asked for "constructor"
      ['e', 's2c', { method: 'constructor', params: [] }],
    ]);
    expect(live.filter((f) => f.path === 'id' || f.path === 'error').map((f) => [f.kind, f.method, f.path])).toEqual([
      ['violation', 'toString', 'id'],
      ['violation', 'constructor', 'error'],
    ]);
  });

  it('bounds what it keeps: pending requests, connections, findings and method names', () => {
    const many: [string, 'c2s' | 's2c', unknown][] = [];
    for (let i = 0; i < 50; i++) many.push(['a', 'c2s', { jsonrpc: '2.0', id: i, method: `made.up.${i}`, params: [] }]);
    for (let i = 0; i < 20; i++) many.push([`c${i}`, 'c2s', { jsonrpc: '2.0', id: 1, method: 'server.version', params: ['x', '1.4'] }]);
    many.push(['a', 's2c', { jsonrpc: '2.0', id: 0, result: null }]); // forgotten: past maxPending
    const { summary } = run(many, { maxPending: 10, maxConnections: 5, maxFindings: 7 });
    expect(summary.findings).toHaveLength(7);
    expect(summary.findingsDropped).toBe(summary.violations + summary.deviations - 7);
    expect(summary.notes).toEqual(
      expect.arrayContaining([expect.stringContaining('more than 10 requests awaited their reply'), expect.stringContaining('more than 5 connections at once')]),
    );
    expect(summary.connections.length).toBeLessThanOrEqual(5 + 5);
    const tooLong = run([['a', 'c2s', 'x'.repeat(100)]], { maxMessageSize: 50 });
    expect(tooLong.live[0]?.message).toMatch(/100 characters long, more than the limit of 50/);
    expect(tooLong.live[0]?.excerpt.length).toBeLessThanOrEqual(201);
  });
});

describe('TrafficChecker: the JSON-RPC dialect of an Electrum session', () => {
  it('a session begun in 2.0 stays in 2.0 both ways; one begun without "jsonrpc" is not held to it', () => {
    const { live } = run([
      ['a', 'c2s', { jsonrpc: '2.0', id: 0, method: 'server.version', params: ['t', '1.4'] }],
      ['a', 's2c', { id: 0, result: ['srv', '1.4'], error: null }],
      ['a', 'c2s', { id: 1, method: 'server.banner', params: [] }],
      ['a', 's2c', { jsonrpc: '2.0', id: 1, result: 'hi' }],
      ['b', 'c2s', { id: 0, method: 'server.version', params: ['electrum-cash', '1.4'] }],
      ['b', 's2c', { jsonrpc: '2.0', id: 0, result: ['srv', '1.4'] }],
    ]);
    expect(live.map((f) => [f.conn, f.side, f.method, f.path])).toEqual([
      ['a', 'server', 'server.version', 'jsonrpc'],
      ['a', 'client', 'server.banner', 'jsonrpc'],
    ]);
  });
});

describe('TrafficChecker: the JSON-RPC dialect the servers detect (aiorpcX: v2, v1, loose by the first message)', () => {
  it('an @electrum-cash/network-style session (no "jsonrpc" at all, 2.0 answers) checks clean, also as a transcript', () => {
    const session: [string, 'c2s' | 's2c', unknown][] = [
      ['l', 'c2s', { id: 0, method: 'server.version', params: ['@electrum-cash/network', ['1.4', '1.5']] }],
      ['l', 's2c', { jsonrpc: '2.0', id: 0, result: ['srv', '1.5'] }],
      ['l', 'c2s', { id: 1, method: 'blockchain.headers.subscribe', params: [] }],
      ['l', 's2c', { jsonrpc: '2.0', id: 1, result: { height: 1, hex: '00'.repeat(80) } }],
      ['l', 'c2s', { jsonrpc: '2.0', id: 2, method: 'server.ping', params: [] }], // loose takes both
      ['l', 's2c', { jsonrpc: '2.0', id: 2, result: null }],
      ['l', 's2c', { jsonrpc: '2.0', method: 'blockchain.headers.subscribe', params: [{ height: 2, hex: '00'.repeat(80) }] }],
    ];
    const { live, summary } = run(session);
    expect(live).toEqual([]);
    expect(summary.ok).toBe(true);
    const text = session.map(([conn, dir, m], i) => JSON.stringify({ t: i, conn, dir, line: JSON.stringify(m) })).join('\n');
    const checked = checkTranscriptText(text);
    expect(checked.summary.findings).toEqual([]);
    expect(checked.ok).toBe(true);
  });

  it('a v2 session that later drops "jsonrpc" is reported; a v1 session is judged by 1.0 rules', () => {
    const { live } = run([
      ['a', 'c2s', { jsonrpc: '2.0', id: 0, method: 'server.version', params: ['t', '1.4'] }],
      ['a', 's2c', { jsonrpc: '2.0', id: 0, result: ['srv', '1.4'] }],
      ['a', 'c2s', { id: 1, method: 'server.banner', params: [] }],
      ['a', 's2c', { jsonrpc: '2.0', id: 1, result: 'hi' }],
      ['b', 'c2s', { jsonrpc: '1.0', id: 0, method: 'server.version', params: ['t', '1.4'] }],
      ['b', 's2c', { id: 0, result: ['srv', '1.4'], error: null }], // 1.0 answers: fine
      ['b', 'c2s', { jsonrpc: '1.0', id: 1, method: 'server.banner', params: {} }], // params by name: not in 1.0
      ['b', 's2c', { jsonrpc: '2.0', id: 1, result: 'hi' }], // a 2.0 answer to a 1.0 session
      ['b', 'c2s', [{ jsonrpc: '1.0', id: 2, method: 'server.ping', params: [] }]], // no batches in 1.0
    ]);
    expect(live.map((f) => [f.conn, f.side, f.method, f.path])).toEqual([
      ['a', 'client', 'server.banner', 'jsonrpc'],
      ['b', 'client', 'server.banner', 'params'],
      ['b', 'server', 'server.banner', 'jsonrpc'],
      ['b', 'client', undefined, 'message'],
    ]);
  });

  it('a first message that is not JSON decides nothing: the next one fixes the dialect', () => {
    const { live } = run([
      ['a', 'c2s', 'not json'],
      ['a', 'c2s', { jsonrpc: '2.0', id: 0, method: 'server.version', params: ['t', '1.4'] }],
      ['a', 's2c', { jsonrpc: '2.0', id: 0, result: ['srv', '1.4'] }],
      ['a', 'c2s', { id: 1, method: 'server.banner', params: [] }],
    ]);
    expect(live.map((f) => [f.method, f.path])).toEqual([
      [undefined, 'message'],
      ['server.banner', 'jsonrpc'],
    ]);
  });
});

describe('TrafficChecker: requests left unanswered', () => {
  it('reports each request still pending when its connection ends or the transcript ends, with its method and id, not as a violation', () => {
    const live: TrafficFinding[] = [];
    const checker = new TrafficChecker({ onFinding: (f) => live.push(f) });
    checker.feed({ conn: 'a', dir: 'c2s', line: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'server.version', params: ['t', '1.4'] }) });
    checker.feed({ conn: 'a', dir: 's2c', line: JSON.stringify({ jsonrpc: '2.0', id: 0, result: ['srv', '1.4'] }) });
    checker.feed({ conn: 'a', dir: 'c2s', line: JSON.stringify({ jsonrpc: '2.0', id: 'x', method: 'server.banner', params: [] }), lineNumber: 7 });
    checker.end('a');
    expect(live).toEqual([
      expect.objectContaining({ kind: 'unanswered', conn: 'a', dir: 'c2s', side: 'server', method: 'server.banner', path: 'id', line: 7, message: expect.stringContaining('id "x"') }),
    ]);
    const summary = checker.summary();
    expect(summary).toMatchObject({ unanswered: 1, violations: 0, ok: true });
    expect(summary.methods['server.banner']).toMatchObject({ unanswered: 1 });
    expect(summary.connections[0]).toMatchObject({ unanswered: 1 });

    const transcript = [
      { t: 1, conn: 'm', dir: 'c2s', line: JSON.stringify({ id: 1, method: 'mining.subscribe', params: [] }) },
      { t: 2, conn: 'm', dir: 'c2s', line: JSON.stringify({ id: 2, method: 'mining.extranonce.subscribe', params: [] }) },
      { t: 3, conn: 'm', dir: 's2c', line: JSON.stringify({ id: 1, result: [[], '00000001', 4], error: null }) },
    ];
    const checked = checkTranscriptText(transcript.map((l) => JSON.stringify(l)).join('\n'));
    expect(checked.summary.findings).toEqual([expect.objectContaining({ kind: 'unanswered', method: 'mining.extranonce.subscribe', line: 2, message: expect.stringMatching(/id 2 .*optionalReply/) })]);
    expect(checked.ok).toBe(true);
  });

  it('reports no more than the pending limit kept', () => {
    const live: TrafficFinding[] = [];
    const checker = new TrafficChecker({ maxPending: 5, onFinding: (f) => live.push(f) });
    for (let i = 0; i < 20; i++) checker.feed({ conn: 'a', dir: 'c2s', line: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'server.ping', params: [] }) });
    checker.finish();
    expect(live.filter((f) => f.kind === 'unanswered').map((f) => f.message.match(/id (\d+)/)?.[1])).toEqual(['15', '16', '17', '18', '19']);
    expect(checker.summary().unanswered).toBe(5);
  });
});
