// Hostile lines against every endpoint, over real sockets on 127.0.0.1: nesting thousands and a million
// levels deep, unclosed brackets up to the size limit, invalid UTF-8, a message exactly at the limit and one
// byte over, an id of 1e400, __proto__ members, a batch of 2,000, error members that are 100 KB arrays.
//
// Servers (createElectrumServer, createMiningServer, the regtest world's Electrum server over TCP and over
// WebSocket, and its pool): after each line the same connection (unless the line was oversize, which
// closes it) and a fresh one still answer a normal request. Clients (ElectrumClient, the default and the lite one, over TCP and WebSocket,
// MiningClient) get the same lines from a fake server: a protocol-error (or, for an oversize line, a
// close with a typed error), and where the connection survives a later request still resolves. The
// `stratum-sdk call` command and the conformance probe fail cleanly (exit code and message, no stack
// trace, no hang). No uncaught exception or unhandled rejection may happen anywhere, no server may report a
// handler failure, and no reply or error message may echo a hostile line whole. Then: method names and a
// protocol version as long as the size limit allows, and seeded requests shaped like the spec's examples
// with edge values (huge, negative, fractional numbers, other hashes) against the world's handlers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ElectrumClient } from '../../src/clients/electrum-client.js';
import { LiteElectrumClient } from '../../src/clients/electrum-lite-client.js';
import { MiningClient } from '../../src/clients/mining-client.js';
import { ClosedError, MessageTooLargeError, ProtocolError, ServerError, StratumSdkError } from '../../src/runtime/errors.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../../src/runtime/framing.js';
import { DEFAULT_SERVER_LIMITS } from '../../src/runtime/server/limits.js';
import { startWorld, type World } from '../../src/regtest/world.js';
import { createElectrumServer, type ElectrumServer } from '../../src/servers/electrum-server.js';
import { createMiningServer, type MiningServer } from '../../src/servers/mining-server.js';
import { electrumProtocol } from '../../src/generated/electrum/methods.js';
import { miningProtocol } from '../../src/generated/mining/methods.js';
import { runCli } from '../helpers/cli.js';
import { specFiles } from '../helpers/spec-files.js';
import {
  bytes,
  fuzzSeeds,
  Rng,
  errorCode,
  field,
  poolUrl,
  rawTcp,
  rawWs,
  settle,
  startPeer,
  watchProcess,
  within,
  type PeerConnection,
  type PeerKind,
  type RawConnection,
} from './helpers.js';

// ---------------------------------------------------------------------------------------------------
// The attack lines

type Line = string | Uint8Array;

/** Who receives a line: its size limit, and the message it accepts (a request for a server, the reply to request `id` for a client). */
interface Recipient {
  readonly limit: number;
  normal(id: number): string;
  /** Deepest nesting to send (the lines "up to the size limit" are also cut to twice this); default 1e6. */
  readonly maxNesting?: number;
}

type ServerExpectation =
  | { readonly kind: 'error'; readonly code: number }
  | { readonly kind: 'answered'; readonly id?: number }
  | { readonly kind: 'silent' }
  | { readonly kind: 'closes' };

type ClientExpectation =
  | { readonly kind: 'protocol-error'; readonly error: string }
  /** The line is itself the reply: the request resolves with it. */
  | { readonly kind: 'settles' }
  | { readonly kind: 'closes' }
  /** The line is the reply, an error: the request rejects with a ServerError whose message stays short. */
  | { readonly kind: 'server-error' }
  /** The line is a request to the client: it answers -32601. */
  | { readonly kind: 'answers-request' }
  /**
   * The line carries the request's id but cannot be read (too deep): it fails that request at once with the
   * protocol error, rather than leaving it to time out; the normal reply that follows is a duplicate.
   */
  | { readonly kind: 'fails-request'; readonly error: string };

interface Attack {
  readonly name: string;
  line(to: Recipient, id: number): Line;
  /** WebSocket: the bytes go in a text frame (which must be UTF-8) instead of a binary one. Skipped over TCP. */
  readonly textFrame?: boolean;
  readonly server: ServerExpectation;
  readonly client: ClientExpectation;
  /** A fake server sends the normal reply after the line. */
  readonly follow: boolean;
  /** The line is the normal message padded to the size limit, or one byte more. */
  readonly size?: 'at-limit' | 'over-limit';
}

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

const nested = (kind: 'array' | 'object', levels: number): string =>
  kind === 'array' ? `${'['.repeat(levels)}${']'.repeat(levels)}` : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** The JSON object `text` padded with spaces before its last brace to exactly `size` bytes (ASCII text). */
function pad(text: string, size: number): string {
  if (text.length > size || !text.endsWith('}')) throw new RangeError('cannot pad');
  return `${text.slice(0, -1)}${' '.repeat(size - text.length)}}`;
}

const INVALID_UTF8 = [0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80];
const PROTO_LINE = '{"__proto__":{"x":1},"id":1,"method":"server.ping","params":[]}';

const ATTACKS: readonly Attack[] = [
  {
    name: "'['.repeat(6000) + ']'.repeat(6000)",
    line: () => nested('array', 6000),
    server: { kind: 'error', code: INVALID_REQUEST },
    client: { kind: 'protocol-error', error: 'too-deep' },
    follow: true,
  },
  {
    name: '{"a": nested 6000 deep',
    line: () => nested('object', 6000),
    server: { kind: 'error', code: INVALID_REQUEST },
    client: { kind: 'protocol-error', error: 'too-deep' },
    follow: true,
  },
  {
    name: 'arrays nested 1e6 deep, or as deep as the size limit allows',
    line: (to) => nested('array', Math.min(to.maxNesting ?? 1_000_000, Math.floor(to.limit / 2))),
    server: { kind: 'error', code: INVALID_REQUEST },
    client: { kind: 'protocol-error', error: 'too-deep' },
    follow: true,
  },
  {
    name: 'unclosed brackets up to the size limit (at most 2 MB)',
    line: (to) => '['.repeat(Math.min(to.limit, 2 * (to.maxNesting ?? 1_000_000))),
    server: { kind: 'error', code: PARSE_ERROR },
    client: { kind: 'protocol-error', error: 'invalid-json' },
    follow: true,
  },
  {
    name: 'a line of invalid UTF-8',
    line: (_, id) => bytes(`{"jsonrpc":"2.0","id":${id},"result":"`, INVALID_UTF8, '"}'),
    server: { kind: 'error', code: PARSE_ERROR },
    client: { kind: 'protocol-error', error: 'invalid-utf8' },
    follow: true,
  },
  {
    name: 'a message exactly at maxMessageSize',
    line: (to, id) => pad(to.normal(id), to.limit),
    size: 'at-limit',
    server: { kind: 'answered' },
    client: { kind: 'settles' },
    follow: false,
  },
  {
    name: 'a message one byte over maxMessageSize',
    line: (to, id) => pad(to.normal(id), to.limit + 1),
    size: 'over-limit',
    server: { kind: 'closes' },
    client: { kind: 'closes' },
    follow: false,
  },
  {
    name: '{"id":1e400,...}',
    line: () => '{"jsonrpc":"2.0","id":1e400,"method":"server.ping","params":[]}',
    server: { kind: 'error', code: INVALID_REQUEST },
    client: { kind: 'protocol-error', error: 'invalid-message' },
    follow: true,
  },
  {
    name: PROTO_LINE,
    line: () => PROTO_LINE,
    server: { kind: 'answered', id: 1 },
    client: { kind: 'answers-request' },
    follow: true,
  },
  {
    name: 'the normal message with a __proto__ member first',
    line: (to, id) => `{"__proto__":{"id":0,"x":1},${to.normal(id).slice(1)}`,
    server: { kind: 'answered' },
    client: { kind: 'settles' },
    follow: false,
  },
  {
    name: 'a batch of 2000 items',
    line: (to, id) => `[${Array.from({ length: 2000 }, (_, i) => to.normal(id * 10_000 + i)).join(',')}]`,
    server: { kind: 'error', code: INVALID_REQUEST },
    client: { kind: 'protocol-error', error: 'invalid-message' },
    follow: true,
  },
  {
    name: 'an error member that is a 100 KB nested array',
    line: (_, id) => `{"jsonrpc":"2.0","id":${id},"error":${nested('array', 50_000)}}`,
    server: { kind: 'error', code: INVALID_REQUEST },
    client: { kind: 'fails-request', error: 'too-deep' },
    follow: true,
  },
  {
    name: 'an error member that is a flat 100 KB array',
    line: (_, id) => `{"jsonrpc":"2.0","id":${id},"error":[${'[1,2,3,4,5,6,7,8,9],'.repeat(5000)}0]}`,
    server: { kind: 'silent' },
    client: { kind: 'server-error' },
    follow: false,
  },
  {
    name: 'invalid UTF-8 in a WebSocket text frame',
    line: () => bytes('{"id":', INVALID_UTF8, '}'),
    textFrame: true,
    server: { kind: 'closes' },
    client: { kind: 'closes' },
    follow: false,
  },
];

/**
 * Names as long as the size limit allows. Whatever is said about them (an error reply, a protocol-error)
 * must quote them through a bounded excerpt, not echo a megabyte back.
 */
const LONG_NAMES: readonly Attack[] = [
  {
    name: 'a notification whose method name fills the size limit',
    line: (to) => {
      const frame = '{"jsonrpc":"2.0","method":"","params":[]}';
      return `{"jsonrpc":"2.0","method":"${'m'.repeat(Math.min(to.limit, 2_000_000) - frame.length)}","params":[]}`;
    },
    server: { kind: 'silent' },
    client: { kind: 'protocol-error', error: 'unexpected-notification' },
    follow: true,
  },
  {
    name: 'a request whose method name fills the size limit',
    line: (to, id) => {
      const frame = `{"jsonrpc":"2.0","id":${id},"method":"","params":[]}`;
      return `{"jsonrpc":"2.0","id":${id},"method":"${'m'.repeat(Math.min(to.limit, 2_000_000) - frame.length)}","params":[]}`;
    },
    server: { kind: 'error', code: -32601 },
    client: { kind: 'answers-request' },
    follow: true,
  },
];

const attacksFor = (transport: PeerKind): readonly Attack[] => ATTACKS.filter((a) => transport === 'ws' || !a.textFrame);

/** Sends an attack line over a raw connection or a peer connection. */
function deliver(attack: Attack, line: Line, to: { send(data: string): void; sendBytes(data: Uint8Array): void; sendTextFrame(data: Uint8Array): void }): void {
  if (typeof line === 'string') to.send(line);
  else if (attack.textFrame) to.sendTextFrame(line);
  else to.sendBytes(line);
}

// ---------------------------------------------------------------------------------------------------
// Shared state: the process watch, the servers and the world.

let watch: ReturnType<typeof watchProcess>;
let electrumServer: ElectrumServer;
let miningServer: MiningServer;
let world: World;
/** What the servers reported as their own failures ('error' events: a handler that blew up). */
const serverErrors: unknown[] = [];

beforeAll(async () => {
  watch = watchProcess();
  electrumServer = await createElectrumServer({ handlers: { 'server.banner': () => 'hello' }, listen: { tcp: { port: 0 } } });
  miningServer = await createMiningServer({
    handlers: { 'mining.subscribe': () => [[['mining.notify', 'ae6812eb']], '08000002', 4] },
    listen: { tcp: { port: 0 } },
  });
  world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
  // Some history for the handlers to look things up in (before any miner subscribes: blocks send jobs).
  for (let i = 0; i < 3; i++) world.chain.mine(`0014${'11'.repeat(20)}`);
  for (const server of [electrumServer, miningServer, world.electrum, world.stratum] as const) {
    (server as ElectrumServer).on('error', (e) => void serverErrors.push(e));
  }
});

afterAll(async () => {
  await Promise.all([electrumServer?.close(), miningServer?.close(), world?.close()]);
  watch?.stop();
});

afterEach(() => {
  // Taken, so that one test's failure is not every later test's.
  expect(watch.seen.splice(0), 'uncaught exceptions and unhandled rejections').toEqual([]);
  expect(serverErrors.splice(0).map(String), "the servers' own failures ('error' events)").toEqual([]);
  const probe = {} as Record<string, unknown>;
  expect(probe['x'], 'Object.prototype polluted').toBeUndefined();
});

// ---------------------------------------------------------------------------------------------------
// Servers

interface ServerTarget {
  readonly name: string;
  readonly transport: PeerKind;
  open(): Promise<RawConnection>;
  readonly recipient: Recipient;
  /** Whether `message` is the correct answer to the normal request `id`. */
  answers(message: unknown, id: number): boolean;
}

const port = (url: string): number => Number(new URL(url.replace(/^stratum\+/, '')).port);

const electrumPing: Recipient = {
  limit: DEFAULT_SERVER_LIMITS.maxMessageSize,
  normal: (id) => `{"jsonrpc":"2.0","id":${id},"method":"server.ping","params":[]}`,
};
const electrumAnswers = (m: unknown, id: number) => field(m, 'id') === id && field(m, 'result') === null && field(m, 'error') === undefined;

const miningSubscribe: Recipient = {
  limit: DEFAULT_SERVER_LIMITS.maxMessageSize,
  normal: (id) => `{"id":${id},"method":"mining.subscribe","params":["fuzz/1.0"]}`,
};
const miningAnswers = (m: unknown, id: number) => field(m, 'id') === id && Array.isArray(field(m, 'result')) && field(m, 'error') === null;

const SERVER_TARGETS: readonly (() => ServerTarget)[] = [
  () => ({ name: 'createElectrumServer (TCP)', transport: 'tcp', open: () => rawTcp(electrumServer.address('tcp')?.port ?? 0), recipient: electrumPing, answers: electrumAnswers }),
  () => ({ name: 'createMiningServer (TCP)', transport: 'tcp', open: () => rawTcp(miningServer.address('tcp')?.port ?? 0), recipient: miningSubscribe, answers: miningAnswers }),
  () => ({ name: "the world's Electrum server over TCP", transport: 'tcp', open: () => rawTcp(port(world.urls.electrumTcp)), recipient: electrumPing, answers: electrumAnswers }),
  () => ({ name: "the world's Electrum server over WebSocket", transport: 'ws', open: () => rawWs(world.urls.electrumWs), recipient: electrumPing, answers: electrumAnswers }),
  () => ({ name: "the world's pool", transport: 'tcp', open: () => rawTcp(port(world.urls.stratum)), recipient: miningSubscribe, answers: miningAnswers }),
];

const WAIT_MS = 3_000;
/** What a reply to a hostile line may weigh: it says what was wrong, it does not echo the line. */
const MAX_REPLY_CHARS = 2_000;
/** The same for the message of an error a client reports. */
const MAX_ERROR_MESSAGE_CHARS = 1_000;

async function normalRoundTrip(target: ServerTarget, conn: RawConnection, id: number, what: string): Promise<void> {
  conn.send(target.recipient.normal(id));
  await within(conn.next((m) => target.answers(m, id)), WAIT_MS, `${target.name}: the answer to a normal request ${what}`);
}

/** Sends each line to a server, checking its answers, the same connection and a fresh one after each. */
async function attackServer(target: ServerTarget, attacks: readonly Attack[]): Promise<string[]> {
  let conn = await target.open();
  let id = 100;
  await normalRoundTrip(target, conn, id++, 'before any attack');
  const problems: string[] = [];
  for (const attack of attacks) {
    const attackId = id++;
    const mark = conn.received.length;
    deliver(attack, attack.line(target.recipient, attackId), conn);
    const expected = attack.server;
    if (expected.kind === 'closes') {
      await within(conn.whenClosed, WAIT_MS, `${target.name} to close the connection after ${attack.name}`);
      conn = await target.open();
    } else {
      const answered = expected.kind === 'answered' ? (m: unknown) => field(m, 'id') === (expected.id ?? attackId) : undefined;
      if (answered) await within(conn.next(answered), WAIT_MS, `${target.name}: the answer to ${attack.name}`);
      // The same connection still answers; replies go out in order, so whatever the line caused came before.
      await normalRoundTrip(target, conn, id++, `after ${attack.name}`);
      const replies = conn.received.slice(mark);
      const longest = Math.max(0, ...conn.sizes.slice(mark));
      if (longest > MAX_REPLY_CHARS && attack.size !== 'at-limit') problems.push(`${attack.name}: a reply of ${longest} characters`);
      if (expected.kind === 'error' && !replies.some((m) => errorCode(m) === expected.code)) {
        problems.push(`${attack.name}: no error ${expected.code} among ${JSON.stringify(replies).slice(0, 300)}`);
      }
      if (expected.kind === 'silent' && replies.length !== 1) problems.push(`${attack.name}: answered ${JSON.stringify(replies).slice(0, 300)}`);
      if (expected.kind === 'answered' && attack.size === 'at-limit' && !target.answers(replies[0], attackId)) {
        problems.push(`${attack.name}: a wrong answer ${JSON.stringify(replies[0]).slice(0, 300)}`);
      }
    }
    // And a fresh connection is served as ever.
    const fresh = await target.open();
    await normalRoundTrip(target, fresh, id++, `on a fresh connection after ${attack.name}`);
    fresh.close();
  }
  conn.close();
  return problems;
}

describe('servers take every attack line and keep serving', () => {
  it.each(SERVER_TARGETS.map((make) => [make().name, make] as const))('%s', async (_name, make) => {
    const target = make();
    expect(await attackServer(target, attacksFor(target.transport))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Clients

/** Limit given to the clients here, as the servers': 1 MB keeps the file quick. One test below uses the default. */
const CLIENT_LIMIT = 1_000_000;

const electrumReply: Recipient = { limit: CLIENT_LIMIT, normal: (id) => `{"jsonrpc":"2.0","id":${id},"result":"ok"}` };
const miningReply: Recipient = { limit: CLIENT_LIMIT, normal: (id) => `{"id":${id},"result":[[["mining.notify","ae6812eb"]],"08000002",4],"error":null}` };

interface ClientRun {
  /** How the attacked request settled. */
  readonly outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  readonly protocolErrors: unknown[];
  /** The close event's error, when the client closed. */
  readonly closeError: unknown;
  readonly closed: boolean;
  /** How a later request on the same client settled. */
  readonly later: { ok: true; value: unknown } | { ok: false; error: unknown };
  /** What the fake server received. */
  readonly received: unknown[];
}

/** Problems with a client's reaction to one attack; empty when it was right. */
function judgeClient(attack: Attack, run: ClientRun, laterValue: unknown, attackedValue: unknown): string[] {
  const problems: string[] = [];
  const say = (p: string) => problems.push(`${attack.name}: ${p}`);
  const expected = attack.client;
  const typed = run.protocolErrors.filter((e) => !(e instanceof StratumSdkError));
  if (typed.length) say(`protocol-error events that are not StratumSdkErrors: ${typed.map(String).join(', ')}`);
  for (const e of run.protocolErrors) {
    if (e instanceof Error && e.message.length > MAX_ERROR_MESSAGE_CHARS) say(`a protocol-error whose message is ${e.message.length} characters long`);
    if (e instanceof ProtocolError && (e.excerpt ?? '').length > 201) say(`a protocol-error whose excerpt is ${e.excerpt?.length} characters long`);
  }
  if (expected.kind === 'closes') {
    if (!run.closed) say('the client did not close');
    if (!(run.closeError instanceof StratumSdkError)) say(`closed with ${String(run.closeError)}, not a typed error`);
    if (attack.size === 'over-limit' && !(run.closeError instanceof MessageTooLargeError)) say(`closed with ${String(run.closeError)}, not a MessageTooLargeError`);
    if (run.outcome.ok || !(run.outcome.error instanceof ClosedError)) say(`the request settled with ${String(run.outcome.ok ? run.outcome.value : run.outcome.error)}, not a ClosedError`);
    if (run.later.ok || !(run.later.error instanceof StratumSdkError)) say('a request after the close did not reject with a typed error');
    return problems;
  }
  if (run.closed) say(`the client closed: ${String(run.closeError)}`);
  if (!run.later.ok || JSON.stringify(run.later.value) !== JSON.stringify(laterValue)) say(`a later request settled with ${String(run.later.ok ? JSON.stringify(run.later.value) : run.later.error)}`);
  if (expected.kind === 'fails-request') {
    if (run.outcome.ok || !(run.outcome.error instanceof ProtocolError) || run.outcome.error.kind !== expected.error) {
      say(`the request settled with ${String(run.outcome.ok ? JSON.stringify(run.outcome.value) : run.outcome.error)}, not a ${expected.error} ProtocolError`);
    }
    return problems;
  }
  if (expected.kind === 'server-error') {
    if (run.outcome.ok || !(run.outcome.error instanceof ServerError)) say(`the request settled with ${String(run.outcome.ok ? run.outcome.value : run.outcome.error)}, not a ServerError`);
    else if (run.outcome.error.serverMessage.length > 201 || run.outcome.error.message.length > 600) say(`an unbounded error message (${run.outcome.error.serverMessage.length} characters)`);
    return problems;
  }
  if (!run.outcome.ok || JSON.stringify(run.outcome.value) !== JSON.stringify(attackedValue)) say(`the request settled with ${String(run.outcome.ok ? JSON.stringify(run.outcome.value) : run.outcome.error)}`);
  if (expected.kind === 'protocol-error') {
    if (!run.protocolErrors.some((e) => e instanceof ProtocolError && e.kind === expected.error)) {
      say(`no protocol-error of kind ${expected.error}; got ${run.protocolErrors.map((e) => (e instanceof ProtocolError ? e.kind : String(e))).join(', ') || 'none'}`);
    }
  } else if (run.protocolErrors.length) say(`unexpected protocol-errors: ${run.protocolErrors.map(String).join('; ')}`);
  const answers = run.received.filter((m) => field(m, 'method') === undefined && errorCode(m) === -32601);
  for (const m of answers) {
    const error = field(m, 'error');
    const text = Array.isArray(error) ? error[1] : field(error, 'message');
    if (typeof text === 'string' && text.length > MAX_ERROR_MESSAGE_CHARS) say(`answered the request with an error message of ${text.length} characters`);
  }
  if (expected.kind === 'answers-request' && attack.name === PROTO_LINE && !run.received.some((m) => field(m, 'id') === 1 && errorCode(m) === -32601)) {
    say(`the request to the client was not answered -32601: ${JSON.stringify(run.received).slice(0, 300)}`);
  }
  return problems;
}

/** The Electrum clients under attack: the default one and the lite one, which checks nothing against the spec. */
const ELECTRUM_CLIENTS = { default: ElectrumClient, lite: LiteElectrumClient } as const;

/** One attack on a fresh ElectrumClient: the line before (or instead of) the answer to server.banner, then server.ping. */
async function attackElectrumClient(kind: PeerKind, attack: Attack, which: keyof typeof ELECTRUM_CLIENTS = 'default'): Promise<ClientRun> {
  const answer = (conn: PeerConnection, id: unknown, result: unknown) => conn.send(JSON.stringify({ jsonrpc: '2.0', id, result }));
  const peer = await startPeer(kind, (m, conn) => {
    const method = field(m, 'method');
    const id = field(m, 'id');
    if (method === 'server.version') answer(conn, id, ['Fake 1.0', '1.4']);
    else if (method === 'server.ping') answer(conn, id, null);
    else if (method === 'server.banner') {
      deliver(attack, attack.line(electrumReply, id as number), conn);
      if (attack.follow) answer(conn, id, 'ok');
    }
  });
  const client = await ELECTRUM_CLIENTS[which].connect(peer.url, { keepAlive: false, timeout: WAIT_MS, maxMessageSize: CLIENT_LIMIT });
  try {
    const protocolErrors: unknown[] = [];
    client.on('protocol-error', (e) => void protocolErrors.push(e));
    let closeError: unknown;
    client.on('close', (e) => void (closeError = e));
    const outcome = await within(settle(client.request('server.banner', [])), WAIT_MS + 1000, `server.banner after ${attack.name}`);
    // The client's answer to a request goes out before this round trip's request, so the peer has it after.
    const later = await within(settle(client.request('server.ping', [])), WAIT_MS + 1000, `server.ping after ${attack.name}`);
    return { outcome, protocolErrors, closeError, closed: client.closed, later, received: peer.connections[0]?.received ?? [] };
  } finally {
    client.close();
    await peer.close();
  }
}

/** One attack on a fresh MiningClient: the line before (or instead of) the answer to mining.subscribe, then mining.authorize. */
async function attackMiningClient(attack: Attack): Promise<ClientRun> {
  const peer = await startPeer('tcp', (m, conn) => {
    const method = field(m, 'method');
    const id = field(m, 'id') as number;
    if (method === 'mining.subscribe') {
      deliver(attack, attack.line(miningReply, id), conn);
      if (attack.follow) conn.send(miningReply.normal(id));
    } else if (method === 'mining.authorize') conn.send(JSON.stringify({ id, result: true, error: null }));
  });
  const client = await MiningClient.connect(poolUrl(peer), { timeout: WAIT_MS, maxMessageSize: CLIENT_LIMIT });
  try {
    const protocolErrors: unknown[] = [];
    client.on('protocol-error', (e) => void protocolErrors.push(e));
    let closeError: unknown;
    let closed = false;
    client.on('close', (e) => {
      closed = true;
      closeError = e;
    });
    const outcome = await within(settle(client.request('mining.subscribe', ['fuzz/1.0'])), WAIT_MS + 1000, `mining.subscribe after ${attack.name}`);
    const later = await within(settle(client.request('mining.authorize', ['worker', 'x'])), WAIT_MS + 1000, `mining.authorize after ${attack.name}`);
    return { outcome, protocolErrors, closeError, closed, later, received: peer.connections[0]?.received ?? [] };
  } finally {
    client.close();
    await peer.close();
  }
}

const SUBSCRIBED = [[['mining.notify', 'ae6812eb']], '08000002', 4];

describe('clients take every attack line from a server', () => {
  it.each([
    ['tcp', 'default'],
    ['ws', 'default'],
    ['tcp', 'lite'],
    ['ws', 'lite'],
  ] as const)('ElectrumClient over %s (%s)', async (kind, which) => {
    const problems: string[] = [];
    for (const attack of attacksFor(kind)) problems.push(...judgeClient(attack, await attackElectrumClient(kind, attack, which), null, 'ok'));
    expect(problems).toEqual([]);
  });

  it('MiningClient over TCP', async () => {
    const problems: string[] = [];
    for (const attack of attacksFor('tcp')) problems.push(...judgeClient(attack, await attackMiningClient(attack), true, SUBSCRIBED));
    expect(problems).toEqual([]);
  });

  it('ElectrumClient at the default size limit: a line nested 1e6 deep (2 MB) is a protocol error, and the connection carries on', async () => {
    const attack = ATTACKS.find((a) => a.name.startsWith('arrays nested 1e6')) as Attack;
    const peer = await startPeer('tcp', (m, conn) => {
      const id = field(m, 'id');
      if (field(m, 'method') === 'server.version') conn.send(JSON.stringify({ jsonrpc: '2.0', id, result: ['Fake 1.0', '1.4'] }));
      else {
        conn.send(attack.line({ limit: DEFAULT_MAX_MESSAGE_SIZE, normal: () => '' }, 0) as string);
        conn.send(JSON.stringify({ jsonrpc: '2.0', id, result: 'ok' }));
      }
    });
    const client = await ElectrumClient.connect(peer.url, { keepAlive: false });
    const errors: unknown[] = [];
    client.on('protocol-error', (e) => void errors.push(e));
    try {
      expect(await client.request('server.banner', [])).toBe('ok');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(ProtocolError);
      expect((errors[0] as ProtocolError).kind).toBe('too-deep');
      expect((errors[0] as ProtocolError).excerpt?.length).toBeLessThanOrEqual(201);
    } finally {
      client.close();
      await peer.close();
    }
  });
});

describe('a method name as long as the size limit is quoted through a bounded excerpt', () => {
  it.each([0, 1].map((index) => [(SERVER_TARGETS[index] as () => ServerTarget)().name, index] as const))('%s: the -32601 reply stays short', async (_name, index) => {
    const target = (SERVER_TARGETS[index] as () => ServerTarget)();
    expect(await attackServer(target, LONG_NAMES)).toEqual([]);
  });

  it('ElectrumClient: the protocol-error for the notification, and its -32601 answer to the request, stay short', async () => {
    const problems: string[] = [];
    for (const attack of LONG_NAMES) problems.push(...judgeClient(attack, await attackElectrumClient('tcp', attack), null, 'ok'));
    expect(problems).toEqual([]);
  });

  it('MiningClient: the protocol-error for the notification, and its -32601 answer to the request, stay short', async () => {
    const problems: string[] = [];
    for (const attack of LONG_NAMES) problems.push(...judgeClient(attack, await attackMiningClient(attack), true, SUBSCRIBED));
    expect(problems).toEqual([]);
  });
});

/** A protocol version that fills a megabyte and still matches the spec's pattern, and equals 1.4. */
const HUGE_VERSION = `1.4${'.0'.repeat(499_000)}`;

describe('a protocol version a megabyte long is refused or cut, never echoed or kept', () => {
  it.each(['createElectrumServer (TCP)', "the world's Electrum server over TCP"])('%s: server.version with it gets a short answer', async (name) => {
    const target = (SERVER_TARGETS.find((make) => make().name === name) as () => ServerTarget)();
    const conn = await target.open();
    try {
      conn.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server.version', params: ['fuzz', HUGE_VERSION] }));
      const reply = await within(conn.next((m) => field(m, 'id') === 1), WAIT_MS, 'the answer to server.version');
      const version = (field(reply, 'result') as unknown[] | undefined)?.[1];
      // A refusal (an error), or a version answered in a few characters.
      expect(typeof version === 'string' ? version.length : 0, 'the answered version, in characters').toBeLessThanOrEqual(32);
      expect(conn.sizes[0], 'the answer, in characters').toBeLessThanOrEqual(MAX_REPLY_CHARS);
    } finally {
      conn.close();
    }
  });

  it('ElectrumClient: a server that answers server.version with it is refused, or its version kept short', async () => {
    const peer = await startPeer('tcp', (m, conn) => {
      if (field(m, 'method') === 'server.version') conn.send(JSON.stringify({ jsonrpc: '2.0', id: field(m, 'id'), result: ['Fake 1.0', HUGE_VERSION] }));
    });
    try {
      const outcome = await settle(ElectrumClient.connect(peer.url, { keepAlive: false, timeout: WAIT_MS }));
      if (outcome.ok) {
        const length = outcome.value.protocolVersion.length;
        outcome.value.close();
        expect(length, 'the negotiated protocolVersion, in characters').toBeLessThanOrEqual(32);
      } else expect(outcome.error).toBeInstanceOf(StratumSdkError);
    } finally {
      await peer.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// The command line and the conformance probe

/**
 * A server that answers server.version, then answers anything else with the attack line and hangs up. The
 * lines are built for the command's own limit (8,100,000 bytes), nested at most 100,000 deep: a million
 * levels cost about 0.25 s to parse at each of the conformance probe's connections, and are tried against
 * the client itself above.
 */
function hangUpPeer(attack: Attack) {
  return startPeer('tcp', (m, conn) => {
    const id = field(m, 'id');
    if (field(m, 'method') === 'server.version') conn.send(JSON.stringify({ jsonrpc: '2.0', id, result: ['Fake 1.0', '1.4'] }));
    else {
      deliver(attack, attack.line({ limit: DEFAULT_MAX_MESSAGE_SIZE, normal: electrumReply.normal, maxNesting: 100_000 }, id as number), conn);
      conn.end();
    }
  });
}

const STACK_TRACE = /\n\s+at /;

describe('the command line fails cleanly', () => {
  it('stratum-sdk call: exit 1 with a message (0 only where the line is a valid answer), never a crash or a hang', async () => {
    // Each attack has its own server; the runs go on at once.
    const problems = await Promise.all(
      attacksFor('tcp').map(async (attack) => {
        const peer = await hangUpPeer(attack);
        try {
          const r = await within(runCli(['call', peer.url, 'server.banner', '--timeout', String(WAIT_MS)]), WAIT_MS + 1000, `call after ${attack.name}`);
          const found: string[] = [];
          const answer = attack.client.kind === 'settles';
          if (r.code !== (answer ? 0 : 1)) found.push(`${attack.name}: exit ${r.code} (${r.stderr.slice(0, 200)})`);
          if (!answer && !/^[A-Z_]+: |^server error/.test(r.stderr)) found.push(`${attack.name}: no clear message: ${JSON.stringify(r.stderr.slice(0, 200))}`);
          if (answer && r.stdout !== '"ok"') found.push(`${attack.name}: printed ${r.stdout.slice(0, 100)}`);
          if (STACK_TRACE.test(r.stderr)) found.push(`${attack.name}: a stack trace: ${r.stderr.slice(0, 300)}`);
          if (attack.size === 'over-limit' && !/exceeded the maximum size/.test(r.stderr)) found.push(`${attack.name}: ${r.stderr}`);
          return found;
        } finally {
          await peer.close();
        }
      }),
    );
    expect(problems.flat()).toEqual([]);
  });

  it('stratum-sdk conformance: exit 1 and a FAIL report, never a crash or a hang', async () => {
    const problems = await Promise.all(
      attacksFor('tcp').map(async (attack) => {
        const peer = await hangUpPeer(attack);
        try {
          const r = await within(runCli(['conformance', peer.url, '--timeout', String(WAIT_MS)]), 2 * WAIT_MS, `conformance after ${attack.name}`);
          const found: string[] = [];
          if (r.code !== 1) found.push(`${attack.name}: exit ${r.code}`);
          if (!/^FAIL: /m.test(r.stdout)) found.push(`${attack.name}: no FAIL summary: ${r.stdout.slice(-300)}`);
          if (STACK_TRACE.test(r.stderr) || STACK_TRACE.test(r.stdout)) found.push(`${attack.name}: a stack trace`);
          return found;
        } finally {
          await peer.close();
        }
      }),
    );
    expect(problems.flat()).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// The world's handlers, with params shaped like the spec's examples and filled with edge values

const PARAM_SEEDS = fuzzSeeds([1, 2]);
const REQUESTS_PER_PROTOCOL = 1500;

describe("the world's Electrum server and pool take seeded spec-shaped params", () => {
  const examples = new Map<string, unknown[][]>();
  for (const f of specFiles()) examples.set(f.method, f.examples.flatMap((e) => (Array.isArray(e.params) ? [e.params] : [])));

  /** An example's params with some values swapped for edge values of the same JSON type. */
  function mutate(value: unknown, rng: Rng): unknown {
    const numbers = [0, -0, 1, 2, 3, 101, 1e300, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1.5, 5e-324, 1e-300, 2147483647, 4294967295, 4294967296];
    if (typeof value === 'number') return rng.pick(numbers);
    if (typeof value === 'string') {
      if (!/^[0-9a-f]*$/i.test(value)) return rng.pick([value, '', 'é'.repeat(200), `${value}${value}`]);
      const tip = world.chain.tip;
      const half = value.length >> 1;
      return rng.pick([value, tip.hash, tip.txids[0] ?? '', 'ff'.repeat(half), '00'.repeat(half), value.toUpperCase(), `${value}0`]);
    }
    if (typeof value === 'boolean') return !value;
    if (Array.isArray(value)) return rng.chance(0.2) ? [] : value.map((v) => (rng.chance(0.5) ? mutate(v, rng) : v));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rng.chance(0.5) ? mutate(v, rng) : v]));
    return value;
  }

  it.each(PARAM_SEEDS)("seed %i: every request is answered, and no handler fails (-32603, an error event)", async (seed) => {
    const rng = new Rng(seed);
    const protocols = [
      {
        name: 'Electrum',
        port: port(world.urls.electrumTcp),
        hello: [{ jsonrpc: '2.0', id: 0, method: 'server.version', params: ['fuzz', '1.6'] }],
        methods: electrumProtocol.availableAt('1.6').filter((m) => m !== 'server.version'),
      },
      {
        name: 'Stratum',
        port: port(world.urls.stratum),
        hello: [
          { id: -1, method: 'mining.subscribe', params: ['fuzz/1.0'] },
          { id: 0, method: 'mining.authorize', params: ['worker', 'x'] },
        ],
        methods: miningProtocol.names.filter((m) => miningProtocol.get(m)?.direction !== 'server-to-client'),
      },
    ];
    const problems: string[] = [];
    for (const protocol of protocols) {
      const conn = await rawTcp(protocol.port);
      for (const message of protocol.hello) conn.send(JSON.stringify(message));
      await within(conn.next((m) => field(m, 'id') === 0), WAIT_MS, `${protocol.name}: the handshake`);
      const sent = new Map<number, string>();
      for (let id = 1; id <= REQUESTS_PER_PROTOCOL; id++) {
        const method = rng.pick(protocol.methods);
        const shapes = examples.get(method) ?? [];
        const params = shapes.length > 0 ? mutate(rng.pick(shapes), rng) : [];
        sent.set(id, `${method} ${JSON.stringify(params).slice(0, 200)}`);
        conn.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      }
      // Answers may come in any order: wait until every id has one.
      const answered = new Set<unknown>();
      await within(
        conn.next((m) => {
          if (field(m, 'method') === undefined) answered.add(field(m, 'id'));
          return [...sent.keys()].every((id) => answered.has(id));
        }),
        WAIT_MS,
        `${protocol.name}: an answer to each of ${REQUESTS_PER_PROTOCOL} requests`,
      );
      for (const m of conn.received) {
        if (errorCode(m) === -32603) problems.push(`${protocol.name}: internal error for ${sent.get(field(m, 'id') as number) ?? String(field(m, 'id'))}`);
      }
      conn.close();
    }
    const failures = serverErrors.splice(0).map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)));
    expect({ internalErrors: [...new Set(problems)].slice(0, 20), handlerFailures: [...new Set(failures)].slice(0, 20) }).toEqual({ internalErrors: [], handlerFailures: [] });
  });
});
