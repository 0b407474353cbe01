// A seeded chaos peer for each client: ElectrumClient over TCP and over WebSocket, MiningClient over TCP.
// The fake server answers out of order, with unknown and duplicate ids, garbage lines, wrong result shapes
// and error replies, sends notifications of every shape (and requests of its own), splits its writes at
// random byte positions, sometimes stalls (never answers) and sometimes closes in the middle of a line.
//
// Each request has params of its own, so its key (method and params) names it on both sides: the peer
// records what it did to each, and the test checks each outcome against that. Properties: every request
// settles; one that resolves carries exactly the answer the peer meant for it, valid per the spec, never an
// Error object; one that rejects does so with a StratumSdkError whose code fits what the peer did (a stall:
// TIMEOUT; a wrong shape: VALIDATION; an error reply: SERVER; a close: CLOSED for everything in flight);
// every protocol-error event is a StratumSdkError; the client's pending count is back to 0 after each wave;
// nothing reaches uncaughtException or unhandledRejection. Requests go out in waves issued in one turn, so
// the peer sees them in a fixed order and a seed replays the same decisions (STRATUM_FUZZ_SEED=<seed>); only
// whether a held answer goes out before a close decided later depends on how the reads fall, and both
// outcomes are checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElectrumClient } from '../../src/clients/electrum-client.js';
import { MiningClient } from '../../src/clients/mining-client.js';
import { electrumProtocol } from '../../src/generated/electrum/methods.js';
import { miningProtocol } from '../../src/generated/mining/methods.js';
import { StratumSdkError } from '../../src/runtime/errors.js';
import { field, fuzzSeeds, poolUrl, Rng, settle, startPeer, utf8, watchProcess, within, type Outcome, type PeerConnection, type PeerKind } from './helpers.js';

const SEEDS = fuzzSeeds([1, 2, 3]);
/** Small, so that stalls cost little; every wait in a wave is bounded by it. */
const TIMEOUT_MS = 200;
const WAVES = 3;
const PER_WAVE = 100;
/** A wave settles within its timeouts; this bounds the wait if one never does (the failure then names the wave). */
const WAVE_LIMIT_MS = 3_000;

let watch: ReturnType<typeof watchProcess>;
beforeAll(() => {
  watch = watchProcess();
});
afterAll(() => watch.stop());

// ---------------------------------------------------------------------------------------------------
// Requests with params of their own, and the answer each must get

interface Call {
  readonly method: string;
  readonly params: unknown[];
}

const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0').slice(-digits);
const hex64 = (n: number): string => `${hex(n, 8)}${'a5'.repeat(28)}`;
const keyOf = (method: string, params: unknown): string => `${method} ${JSON.stringify(params)}`;

/** The correct answer to a call: a function of its params, so both sides know it. */
function answerOf(call: Call): unknown {
  const [p0] = call.params;
  switch (call.method) {
    case 'blockchain.scripthash.get_balance':
      return { confirmed: parseInt(String(p0).slice(0, 8), 16), unconfirmed: 0 };
    case 'blockchain.scripthash.subscribe':
      return String(p0).split('').reverse().join('');
    case 'blockchain.scripthash.get_history':
      return [{ tx_hash: String(p0), height: parseInt(String(p0).slice(0, 8), 16) }];
    case 'blockchain.block.header':
      return hex(Number(p0), 8).repeat(20);
    case 'blockchain.transaction.get':
      return `01000000${String(p0)}`;
    case 'mining.subscribe': {
      const n = hex(parseInt(String(p0).slice(5), 10), 8);
      return [[['mining.notify', n]], n, 4];
    }
    case 'mining.authorize':
      return true;
    case 'mining.submit':
      return parseInt(String(call.params[4]), 16) % 2 === 0;
    case 'mining.suggest_difficulty':
      return true;
    default:
      throw new Error(`no answer for ${call.method}`);
  }
}

/** A result of the wrong shape for each method. */
const WRONG: Readonly<Record<string, unknown>> = {
  'blockchain.scripthash.get_balance': 'rich',
  'blockchain.scripthash.subscribe': 5,
  'blockchain.scripthash.get_history': { tx_hash: 1 },
  'blockchain.block.header': 42,
  'blockchain.transaction.get': ['00'],
  'mining.subscribe': 42,
  'mining.authorize': 'yes',
  'mining.submit': 'accepted',
  'mining.suggest_difficulty': { ok: 1 },
};

function electrumCall(rng: Rng, n: number): Call {
  const method = rng.pick(['blockchain.scripthash.get_balance', 'blockchain.scripthash.subscribe', 'blockchain.scripthash.get_history', 'blockchain.block.header', 'blockchain.transaction.get']);
  return { method, params: method === 'blockchain.block.header' ? [n] : [hex64(n)] };
}

function miningCall(rng: Rng, n: number): Call {
  const method = rng.pick(['mining.subscribe', 'mining.authorize', 'mining.submit', 'mining.submit', 'mining.suggest_difficulty']);
  switch (method) {
    case 'mining.subscribe':
      return { method, params: [`fuzz/${n}`] };
    case 'mining.authorize':
      return { method, params: [`worker${n}`, 'x'] };
    case 'mining.submit':
      return { method, params: [`worker${n}`, 'bf', '00000000', '5f5e1000', hex(n, 8)] };
    default:
      return { method, params: [n + 1] };
  }
}

const protocols = { electrum: electrumProtocol, mining: miningProtocol } as const;
type ProtocolName = keyof typeof protocols;

// ---------------------------------------------------------------------------------------------------
// The chaos peer

type Intent = 'answer' | 'hold' | 'unknown-id' | 'duplicate' | 'garbage' | 'notify' | 'wrong-shape' | 'error' | 'stall' | 'close' | 'after-close';

const GARBAGE: readonly (string | Uint8Array)[] = [
  '}{',
  'garbage',
  '\u0000\u0001\u0002',
  'null',
  '[]',
  '{"id":',
  '{"jsonrpc":"2.0","id":null,"result":1}',
  `{"id":1,"result":${'['.repeat(100)}${']'.repeat(100)}}`,
  utf8('{"result":"\uFFFD"}').map((b) => (b === 0xef ? 0xff : b)), // invalid UTF-8 (sent as bytes; WebSocket: a binary frame)
];

const UNKNOWN_IDS = ['{"jsonrpc":"2.0","id":987654321,"result":1}', '{"id":"nope","result":null,"error":null}', '{"id":-5,"error":{"code":1,"message":"who?"}}', '{"id":1.5,"result":true}'];

const ELECTRUM_NOTIFICATIONS = [
  { jsonrpc: '2.0', method: 'blockchain.headers.subscribe', params: [{ height: 5, hex: '00'.repeat(80) }] },
  { jsonrpc: '2.0', method: 'blockchain.headers.subscribe', params: [42] },
  { jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: [hex64(1), hex64(2)] },
  { jsonrpc: '2.0', method: 'blockchain.scripthash.subscribe', params: { scripthash: 1 } },
  { jsonrpc: '2.0', method: 'no.such.notification', params: [] },
  { jsonrpc: '2.0', method: 'server.version', params: ['x'] },
  // A request from the server: Electrum clients answer -32601.
  { jsonrpc: '2.0', id: 'srv', method: 'server.ping', params: [] },
];

const MINING_NOTIFICATIONS = [
  { id: null, method: 'mining.notify', params: ['bf', '00'.repeat(32), '01', '02', [], '20000000', '1d00ffff', '5f5e1000', true] },
  { id: null, method: 'mining.notify', params: ['bf'] },
  { id: null, method: 'mining.set_difficulty', params: [1024] },
  { id: null, method: 'mining.set_difficulty', params: [0] },
  { id: null, method: 'mining.set_difficulty', params: [-1] },
  { id: null, method: 'mining.set_extranonce', params: ['08000003', 4] },
  { id: null, method: 'mining.set_version_mask', params: ['1fffe000'] },
  { id: null, method: 'client.show_message', params: ['hello'] },
  { id: null, method: 'client.reconnect', params: ['127.0.0.1', 1, 0] },
  { id: null, method: 'no.such.notification', params: [] },
  // Requests from the pool: answered by the client.
  { id: 'v', method: 'client.get_version', params: [] },
  { id: 'p', method: 'mining.ping', params: [] },
  { id: 'q', method: 'no.such.request', params: [] },
];

interface ChaosPeer {
  readonly url: string;
  /** What the peer did to each request, by its key. */
  readonly intents: Map<string, Intent>;
  close(): Promise<void>;
}

async function startChaosPeer(kind: PeerKind, protocol: ProtocolName, seed: number): Promise<ChaosPeer> {
  const rng = new Rng(seed * 7919 + 1);
  // Held answers go out on a timer of their own, so they draw their write splits from another generator:
  // the main one is then drawn in the order messages arrive, whatever the timing.
  const flushRng = new Rng(seed * 7919 + 2);
  const intents = new Map<string, Intent>();
  const dialect = protocol === 'electrum' ? { jsonrpc: '2.0' } : {};
  const result = (id: unknown, value: unknown) => JSON.stringify(protocol === 'electrum' ? { ...dialect, id, result: value } : { id, result: value, error: null });
  const error = (id: unknown) =>
    JSON.stringify(protocol === 'electrum' ? { ...dialect, id, error: { code: 2, message: 'no such thing' } } : { id, result: null, error: [23, 'Low difficulty share', null] });
  const held = new WeakMap<PeerConnection, string[]>();

  /** A message, sometimes written in pieces cut at random byte positions. */
  const write = (conn: PeerConnection, text: string, from: Rng = rng) => {
    if (conn.closed) return;
    if (from.chance(0.3)) {
      const length = utf8(text).length + 1;
      conn.sendSplit(text, Array.from({ length: from.int(1, 3) }, () => from.int(1, length - 1)));
    } else conn.send(text);
  };
  const hold = (conn: PeerConnection, text: string) => {
    let list = held.get(conn);
    if (!list) {
      held.set(conn, (list = []));
      // Out of order: what was held goes out after everything this read answered, last first.
      setImmediate(() => {
        held.delete(conn);
        for (const t of (list as string[]).reverse()) write(conn, t, flushRng);
      });
    }
    list.push(text);
  };

  /** What to do with one request; `single`: false inside a batch, where only some things make sense. */
  const decide = (single: boolean): Intent =>
    rng.weighted<Intent>([
      [50, 'answer'],
      [single ? 10 : 0, 'hold'],
      [single ? 5 : 0, 'unknown-id'],
      [single ? 5 : 0, 'duplicate'],
      [single ? 5 : 0, 'garbage'],
      [single ? 5 : 0, 'notify'],
      [6, 'wrong-shape'],
      [5, 'error'],
      [1.5, 'stall'],
      [single ? 0.7 : 0, 'close'],
    ]);

  const handle = (call: Call & { id: unknown }, conn: PeerConnection, intent: Intent): string | undefined => {
    intents.set(keyOf(call.method, call.params), conn.closed ? 'after-close' : intent);
    if (conn.closed) return undefined;
    const right = result(call.id, answerOf(call));
    switch (intent) {
      case 'answer':
        return right;
      case 'hold':
        hold(conn, right);
        return undefined;
      case 'unknown-id':
        write(conn, rng.pick(UNKNOWN_IDS));
        return right;
      case 'duplicate':
        write(conn, right);
        return right;
      case 'garbage': {
        const junk = rng.pick(GARBAGE);
        if (typeof junk === 'string') write(conn, junk);
        else conn.sendBytes(junk);
        return right;
      }
      case 'notify':
        write(conn, JSON.stringify(rng.pick<unknown>(protocol === 'electrum' ? ELECTRUM_NOTIFICATIONS : MINING_NOTIFICATIONS)));
        return right;
      case 'wrong-shape':
        return result(call.id, WRONG[call.method]);
      case 'error':
        return error(call.id);
      case 'stall':
        return undefined;
      case 'close':
        conn.cutAndClose(right);
        return undefined;
      case 'after-close':
        return undefined;
    }
  };

  const peer = await startPeer(kind, (message, conn) => {
    if (Array.isArray(message)) {
      // A batch: one decision for the batch (close it, or answer), then one per member; answers reversed.
      if (!conn.closed && rng.chance(0.05)) {
        for (const m of message) intents.set(keyOf(String(field(m, 'method')), field(m, 'params')), 'close');
        conn.cutAndClose(JSON.stringify(message));
        return;
      }
      const replies = message.flatMap((m) => {
        const text = handle({ id: field(m, 'id'), method: String(field(m, 'method')), params: field(m, 'params') as unknown[] }, conn, decide(false));
        return text === undefined ? [] : [JSON.parse(text) as unknown];
      });
      if (replies.length) write(conn, JSON.stringify(replies.reverse()));
      return;
    }
    const method = field(message, 'method');
    const id = field(message, 'id');
    if (method === undefined) return; // the client's answers to the peer's own requests
    if (method === 'server.version') {
      if (!conn.closed) conn.send(result(id, ['Chaos 1.0', '1.4']));
      return;
    }
    const text = handle({ id, method: String(method), params: field(message, 'params') as unknown[] }, conn, decide(true));
    if (text !== undefined) write(conn, text);
  });
  return { url: protocol === 'mining' ? poolUrl(peer) : peer.url, intents, close: () => peer.close() };
}

// ---------------------------------------------------------------------------------------------------
// The clients behind one interface

interface ChaosClient {
  request(call: Call): Promise<unknown>;
  /** Electrum only: a batch, settled per call. */
  batch?(calls: readonly Call[]): Promise<Outcome<unknown>[]>;
  readonly pending: number;
  readonly closed: boolean;
  readonly protocolErrors: unknown[];
  /** The close event's error, once it closed. */
  readonly closeErrors: unknown[];
  close(): void;
}

async function electrumClient(url: string): Promise<ChaosClient> {
  const client = await ElectrumClient.connect(url, { timeout: TIMEOUT_MS, keepAlive: false });
  const protocolErrors: unknown[] = [];
  const closeErrors: unknown[] = [];
  client.on('protocol-error', (e) => void protocolErrors.push(e));
  client.on('close', (e) => void closeErrors.push(e));
  return {
    request: (call) => client.request(call.method as never, call.params as never),
    batch: async (calls) => {
      const results = await client.batch(calls.map((c) => [c.method, c.params]) as never);
      return (results as { ok: boolean; value?: unknown; error?: unknown }[]).map((r) => (r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error }));
    },
    get pending() {
      return client.pendingRequests;
    },
    get closed() {
      return client.closed;
    },
    protocolErrors,
    closeErrors,
    close: () => client.close(),
  };
}

async function miningClient(url: string): Promise<ChaosClient> {
  const client = await MiningClient.connect(url, { timeout: TIMEOUT_MS, optionalReplyTimeout: TIMEOUT_MS, followReconnect: false });
  const protocolErrors: unknown[] = [];
  const closeErrors: unknown[] = [];
  client.on('protocol-error', (e) => void protocolErrors.push(e));
  client.on('close', (e) => void closeErrors.push(e));
  return {
    request: (call) => client.request(call.method as never, call.params as never),
    get pending() {
      return client.pendingRequests;
    },
    get closed() {
      return client.closed;
    },
    protocolErrors,
    closeErrors,
    close: () => client.close(),
  };
}

// ---------------------------------------------------------------------------------------------------
// Judging outcomes

/** The error codes each thing the peer did may end in. */
const ALLOWED: Readonly<Record<Intent, readonly string[]>> = {
  // Answered at once, in order: the answer arrives before anything that could end the connection.
  answer: [],
  'unknown-id': [],
  duplicate: [],
  garbage: [],
  notify: [],
  // Held until the end of the read: a close decided later in the same read comes first.
  hold: ['CLOSED'],
  'wrong-shape': ['VALIDATION', 'CLOSED'],
  error: ['SERVER', 'CLOSED'],
  stall: ['TIMEOUT', 'CLOSED'],
  close: ['CLOSED'],
  'after-close': ['CLOSED'],
};
const RESOLVES: ReadonlySet<Intent> = new Set(['answer', 'unknown-id', 'duplicate', 'garbage', 'notify', 'hold']);

function judge(protocol: ProtocolName, call: Call, outcome: Outcome<unknown>, intent: Intent | undefined): string | undefined {
  const what = `${call.method} ${JSON.stringify(call.params)} (${intent ?? 'never reached the peer'})`;
  if (outcome.ok) {
    if (outcome.value instanceof Error) return `${what}: resolved with an Error object`;
    if (intent === undefined || !RESOLVES.has(intent)) return `${what}: resolved with ${JSON.stringify(outcome.value)}`;
    if (JSON.stringify(outcome.value) !== JSON.stringify(answerOf(call))) return `${what}: resolved with ${JSON.stringify(outcome.value)}, not its own answer`;
    const check = protocols[protocol].validateResult(call.method, outcome.value, { protocolVersion: '1.4', params: call.params });
    return check.valid ? undefined : `${what}: resolved with a value the spec refuses: ${check.errors.join('; ')}`;
  }
  const e = outcome.error;
  if (!(e instanceof StratumSdkError)) return `${what}: rejected with ${String(e)}, not a StratumSdkError`;
  // A request the client never got to send (it was closed already) has no intent: it rejects at once.
  const allowed = intent === undefined ? ['CLOSED'] : ALLOWED[intent];
  // A loaded machine can stall past any request's timeout (200 ms here): a timeout is an honest way for
  // any request to settle. What the test holds to is that nothing else does, and that stalls only time out.
  if (e.code === 'TIMEOUT' && intent !== undefined) return undefined;
  return allowed.includes(e.code) ? undefined : `${what}: rejected with ${e.code} (${e.message})`;
}

// ---------------------------------------------------------------------------------------------------

interface Scenario {
  readonly name: string;
  readonly kind: PeerKind;
  readonly protocol: ProtocolName;
  readonly connect: (url: string) => Promise<ChaosClient>;
  readonly call: (rng: Rng, n: number) => Call;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'ElectrumClient over TCP', kind: 'tcp', protocol: 'electrum', connect: electrumClient, call: electrumCall },
  { name: 'ElectrumClient over WebSocket', kind: 'ws', protocol: 'electrum', connect: electrumClient, call: electrumCall },
  { name: 'MiningClient over TCP', kind: 'tcp', protocol: 'mining', connect: miningClient, call: miningCall },
];

describe('chaos peers: every request settles as it should, whatever the server does', () => {
  it('the answers and the wrong shapes are what the spec says they are (self-check)', () => {
    const rng = new Rng(1);
    for (let n = 1; n <= 50; n++) {
      for (const [protocol, call] of [['electrum', electrumCall(rng, n)], ['mining', miningCall(rng, n)]] as const) {
        const context = { protocolVersion: '1.4', params: call.params };
        expect(protocols[protocol].validateParams(call.method, call.params, context), keyOf(call.method, call.params)).toEqual({ valid: true });
        expect(protocols[protocol].validateResult(call.method, answerOf(call), context), keyOf(call.method, call.params)).toEqual({ valid: true });
        expect(protocols[protocol].validateResult(call.method, WRONG[call.method], context).valid, `${call.method} wrong shape`).toBe(false);
      }
    }
  });

  const cases = SCENARIOS.flatMap((scenario) => SEEDS.map((seed) => [scenario.name, seed, scenario] as const));
  it.each(cases)('%s, seed %i', async (_name, seed, scenario) => {
    const peer = await startChaosPeer(scenario.kind, scenario.protocol, seed);
    const rng = new Rng(seed);
    const problems: string[] = [];
    const protocolErrors: unknown[] = [];
    let n = seed * 1_000_000;
    let client = await scenario.connect(peer.url);
    try {
      for (let wave = 0; wave < WAVES; wave++) {
        if (client.closed) {
          client = await scenario.connect(peer.url);
        }
        // One turn: every request of the wave is written before any answer is read.
        const sent: { call: Call; outcome: Promise<Outcome<unknown>> }[] = [];
        for (let i = 0; i < PER_WAVE; i++) {
          if (client.batch && rng.chance(0.05)) {
            const calls = Array.from({ length: rng.int(2, 3) }, () => scenario.call(rng, n++));
            const results = client.batch(calls);
            calls.forEach((call, k) => sent.push({ call, outcome: results.then((r) => r[k] as Outcome<unknown>, (error: unknown) => ({ ok: false, error })) }));
            i += calls.length - 1;
          } else {
            const call = scenario.call(rng, n++);
            sent.push({ call, outcome: settle(client.request(call)) });
          }
        }
        const outcomes = await within(Promise.all(sent.map((s) => s.outcome)), WAVE_LIMIT_MS, `wave ${wave}: every request to settle`);
        outcomes.forEach((outcome, i) => {
          const { call } = sent[i] as (typeof sent)[number];
          const problem = judge(scenario.protocol, call, outcome, peer.intents.get(keyOf(call.method, call.params)));
          if (problem) problems.push(`wave ${wave}: ${problem}`);
        });
        if (client.pending !== 0) problems.push(`wave ${wave}: ${client.pending} requests still pending after all settled`);
        if (client.closed) {
          const reasons = client.closeErrors.filter((e) => !(e instanceof StratumSdkError));
          if (client.closeErrors.length === 0 || reasons.length) problems.push(`wave ${wave}: closed with ${client.closeErrors.map(String).join(', ') || 'no close event'}`);
          protocolErrors.push(...client.protocolErrors);
        }
      }
      protocolErrors.push(...client.protocolErrors);
    } finally {
      client.close();
      await peer.close();
    }
    const untyped = protocolErrors.filter((e) => !(e instanceof StratumSdkError));
    expect(problems.slice(0, 20)).toEqual([]);
    expect(untyped.map(String)).toEqual([]);
    // The chaos happened: the peer's lines were noticed.
    expect(protocolErrors.length).toBeGreaterThan(0);
    expect(watch.seen.splice(0)).toEqual([]);

  });
});
