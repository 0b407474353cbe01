// The traffic checker on its own: fed messages by hand, both protocols, both directions, and its limits.
import { describe, expect, it } from 'vitest';
import { TrafficChecker, type TrafficMessage } from '../../src/conformance/traffic/checker.js';
import type { TrafficFinding } from '../../src/conformance/traffic/findings.js';

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
    expect(live[0]?.reference).toContain('mining.ping.json');
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
