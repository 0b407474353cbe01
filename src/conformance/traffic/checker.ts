// The traffic checker: fed every message of a conversation (which connection, which way, the raw text),
// it follows each connection's version negotiation and JSON-RPC dialect, matches replies to requests by id,
// and checks every message against the spec for the negotiated version: params, results (for the params
// sent), notifications and error shapes (Electrum's error objects; Stratum's [code, message, traceback]). What it finds it reports as it goes (onFinding) and in a summary. Platform-free: the
// proxy feeds it live, `serve --check-clients` feeds it a server's traffic, `check` a transcript.
//
// Everything it is fed is untrusted: a line longer than the message limit is reported and not parsed, a
// connection's pending requests, the connections followed, the method names tallied and the findings kept
// are all bounded by named limits, and nothing here throws on what a peer sent.
import { SPEC_DEVIATIONS } from '../../generated/deviations.js';
import { electrumProtocol } from '../../generated/electrum/methods.js';
import { miningProtocol } from '../../generated/mining/methods.js';
import { excerpt } from '../../runtime/bounded-json.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../../runtime/framing.js';
import { parseMessage, type IncomingMessage, type MessageId } from '../../runtime/messages.js';
import type { MethodInfo, ProtocolRegistry } from '../../runtime/registry.js';
import type { ValidationOutcome } from '../../runtime/validation.js';
import { detectAiorpcxProtocol, type AiorpcxProtocol } from '../../runtime/server/dialects.js';
import { isVersion } from '../../runtime/versions.js';
import { deviationText, type SpecDeviationId } from '../deviations.js';
import type { ConnectionTally, FindingKind, Tally, TrafficDirection, TrafficFinding, TrafficProtocol, TrafficSummary } from './findings.js';

export interface TrafficMessage {
  /** The connection it belongs to: any name, unique within the conversation. */
  readonly conn: string | number;
  readonly dir: TrafficDirection;
  /** One message as it crossed the wire (a line without its newline, or one WebSocket message). */
  readonly line: string;
  /** When it was seen, ms since the Unix epoch. */
  readonly t?: number | undefined;
  /** Its line in a transcript (from 1), carried into findings. */
  readonly lineNumber?: number | undefined;
}

export interface TrafficCheckerOptions {
  /** The protocol of every connection; default: told per connection from its first message. */
  readonly protocol?: TrafficProtocol | undefined;
  /** Called with each finding as it is made (the proxy prints them live). A throw is ignored. */
  readonly onFinding?: ((finding: TrafficFinding) => void) | undefined;
  /** Longest message parsed, in characters; longer ones are reported, not parsed (default the SDK's 8,100,000). */
  readonly maxMessageSize?: number | undefined;
  /** Requests awaiting their reply per connection and direction (default DEFAULT_MAX_PENDING). */
  readonly maxPending?: number | undefined;
  /** Connections followed at once (default DEFAULT_MAX_CONNECTIONS); past it the longest-known is forgotten. */
  readonly maxConnections?: number | undefined;
  /** Findings kept for the summary (default DEFAULT_MAX_FINDINGS); all are still counted and passed to onFinding. */
  readonly maxFindings?: number | undefined;
  /** Characters of a message quoted in a finding (default 200). */
  readonly excerptLength?: number | undefined;
}

/**
 * ElectrumX lets a session have thousands of requests in flight only by cost, and a wallet syncing a large
 * history pipelines a few hundred; 10,000 unanswered requests on one connection is a peer that does not
 * answer, and what they hold (method, version, a few params) stays small.
 */
export const DEFAULT_MAX_PENDING = 10_000;
/** The world's own connection cap (WORLD_CONNECTION_LIMITS); a proxy or a recording rarely sees more. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;
/** Enough to read every problem of a bad session; a flood of bad messages is counted, not stored. */
export const DEFAULT_MAX_FINDINGS = 1_000;
/** Distinct method names tallied: the spec has about 100; names a peer makes up beyond it go to "(other)". */
export const MAX_METHOD_NAMES = 256;
/** Notes about the checker's own limits, kept once each. */
const MAX_NOTES = 50;

interface Pending {
  readonly id: MessageId;
  readonly method: string;
  readonly info: MethodInfo | undefined;
  /** The params, kept only when they choose the result's shape. */
  readonly params: readonly unknown[] | undefined;
  /** The params were valid: otherwise the result is not checked against them. */
  readonly paramsValid: boolean;
  readonly version: string | undefined;
  /** Where the request was seen, for the finding if it is never answered. */
  readonly t: number | undefined;
  readonly lineNumber: number | undefined;
}

interface Connection {
  readonly tally: ConnectionTally;
  protocol: TrafficProtocol | undefined;
  /** The negotiated Electrum version; undefined before server.version was answered (and for Stratum). */
  version: string | undefined;
  /** server.version was sent by the client. */
  versionAsked: boolean;
  /**
   * Electrum: the JSON-RPC protocol the client's first JSON message fixed for the session, as ElectrumX
   * (aiorpcX) and the SDK's servers read it (src/runtime/server/dialects.ts): v2, v1 or loose.
   */
  dialect: AiorpcxProtocol | undefined;
  /** Requests each side sent, by id, awaiting the other side's reply (a list: Stratum peers reuse ids). */
  readonly pending: Record<TrafficDirection, Map<string, Pending[]>>;
  pendingCount: Record<TrafficDirection, number>;
}

/**
 * Deviation id by the method whose messages show it: the methods the spec's deviation names, else the method
 * whose spec file documents it (the generated table says both). A Map, not an object: the names looked up
 * are what a peer sent, and an object would answer "toString" or "constructor" from its prototype.
 */
const byMethod = (ids: readonly SpecDeviationId[]): ReadonlyMap<string, SpecDeviationId> =>
  new Map(ids.flatMap((id) => (SPEC_DEVIATIONS[id].methods ?? [SPEC_DEVIATIONS[id].method]).map((method) => [method, id] as const)));

/**
 * Where the spec documents Stratum software reusing an id while a request with it is unanswered, by the
 * method of the request that reuses it. Elsewhere a reused id is a violation.
 */
const REUSED_IDS = byMethod(['ping-fixed-id', 'submit-fixed-id']);

/** Where the spec documents errors that are neither [code, message, traceback] nor an object, by the method answered. */
const LOOSE_ERRORS = byMethod(['submit-reject-encodings', 'authorize-error-strings', 'get-transactions-count']);

/** Where the spec documents an Electrum server notifying before the version is negotiated, by the notification's method. */
const EARLY_NOTIFICATIONS = byMethod(['electrumx-fee-notifications']);

const REGISTRIES: Readonly<Record<TrafficProtocol, ProtocolRegistry<string>>> = { electrum: electrumProtocol, stratum: miningProtocol };

export class TrafficChecker {
  readonly #options: TrafficCheckerOptions;
  readonly #maxMessageSize: number;
  readonly #maxPending: number;
  readonly #maxConnections: number;
  readonly #maxFindings: number;
  readonly #excerptLength: number;
  readonly #connections = new Map<string, Connection>();
  /** Tallies of connections no longer followed, kept for the summary (bounded like the connections). */
  readonly #finished: ConnectionTally[] = [];
  readonly #methods = new Map<string, Tally>();
  readonly #findings: TrafficFinding[] = [];
  readonly #notes = new Set<string>();
  #findingsDropped = 0;
  #messages = 0;
  #violations = 0;
  #deviations = 0;
  #unansweredCount = 0;

  constructor(options: TrafficCheckerOptions = {}) {
    this.#options = options;
    this.#maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.#maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.#maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.#maxFindings = options.maxFindings ?? DEFAULT_MAX_FINDINGS;
    this.#excerptLength = options.excerptLength ?? 200;
  }

  /** Checks one message. Never throws on what the message holds. */
  feed(message: TrafficMessage): void {
    const conn = this.#connection(String(message.conn));
    this.#messages++;
    conn.tally.messages++;
    const ctx: Ctx = { conn, message, method: undefined };
    if (message.line.length > this.#maxMessageSize) {
      this.#tallyMethod(undefined);
      this.#report(ctx, 'violation', 'message', `the message is ${message.line.length} characters long, more than the limit of ${this.#maxMessageSize}; not checked`);
      return;
    }
    const parsed = parseMessage(message.line);
    if (conn.protocol === undefined) this.#detect(conn, parsed.type === 'batch' ? parsed.items[0] : parsed);
    if (conn.dialect === undefined && message.dir === 'c2s' && conn.protocol === 'electrum') {
      // A first message that is not JSON decides nothing: the next one does, as in aiorpcX.
      conn.dialect = detectAiorpcxProtocol(message.line);
    }
    if (parsed.type === 'batch') {
      if (conn.dialect === 'v1' && message.dir === 'c2s' && conn.protocol === 'electrum') {
        this.#tallyMethod(undefined);
        this.#report(ctx, 'violation', 'message', 'a batch in a session the client began in JSON-RPC 1.0, which has no batches (aiorpcX refuses it whole)');
        return;
      }
      for (const item of parsed.items) this.#one(ctx, item, true);
    } else {
      this.#one(ctx, parsed, false);
    }
  }

  /**
   * The connection ended: each request still awaiting its reply is reported as an `unanswered` finding
   * (with its method and id; as many as the pending limit kept), then the connection is forgotten.
   */
  end(conn: string | number): void {
    const key = String(conn);
    const c = this.#connections.get(key);
    if (!c) return;
    this.#connections.delete(key);
    for (const dir of ['c2s', 's2c'] as const) {
      for (const queue of c.pending[dir].values()) for (const p of queue) this.#unanswered(c, dir, p);
      c.pending[dir].clear();
      c.pendingCount[dir] = 0;
    }
    this.#keepFinished(c.tally);
  }

  /** The conversation is over (a transcript's end, a proxy or server stopping): every connection ends. */
  finish(): void {
    for (const key of [...this.#connections.keys()]) this.end(key);
  }

  summary(): TrafficSummary {
    const connections = [...this.#finished, ...[...this.#connections.values()].map((c) => c.tally)].map((t) => ({ ...t }));
    const methods: Record<string, Tally> = {};
    for (const [name, tally] of [...this.#methods].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) methods[name] = { ...tally };
    return {
      messages: this.#messages,
      violations: this.#violations,
      deviations: this.#deviations,
      unanswered: this.#unansweredCount,
      methods,
      connections,
      findings: [...this.#findings],
      findingsDropped: this.#findingsDropped,
      notes: [...this.#notes],
      ok: this.#violations === 0,
    };
  }

  // ---- per message --------------------------------------------------------------------------------

  #one(ctx: Ctx, m: IncomingMessage, inBatch: boolean): void {
    const { conn, message } = ctx;
    const protocol = conn.protocol ?? this.#options.protocol ?? 'electrum';
    const registry = REGISTRIES[protocol];
    const dir = message.dir;
    const item: Ctx = { ...ctx, method: undefined };
    const dialect = (d: IncomingMessage & { dialect: '2.0' | '1.0' }) => protocol === 'electrum' && this.#dialect(item, d);
    switch (m.type) {
      case 'invalid': {
        // A reply that could not be matched still ends its request.
        if (m.id !== undefined && m.id !== null) item.method = this.#take(conn, other(dir), m.id)?.method;
        this.#tallyMethod(item.method);
        this.#report(item, 'violation', 'message', `${m.error.kind === 'invalid-json' ? 'malformed JSON' : 'not a valid JSON-RPC message'}: ${m.error.message}`);
        return;
      }
      case 'batch':
        // parseMessage never nests batches: a member that is an array is 'invalid'.
        return;
      case 'request':
      case 'notification': {
        item.method = m.method;
        this.#tallyMethod(m.method);
        dialect(m);
        const info = registry.get(m.method);
        if (m.type === 'request') {
          if (protocol === 'electrum' && dir === 'c2s') this.#electrumOrder(item, m.method);
          this.#remember(item, m.id, m.method, info, m.params);
        }
        if (!info) {
          this.#report(item, 'violation', 'method', `unknown ${protocol === 'electrum' ? 'Electrum' : 'Stratum'} method ${JSON.stringify(excerpt(m.method, 80))}`);
          return;
        }
        if (m.type === 'notification') this.#notification(item, info, m.params, protocol);
        else this.#request(item, info, m.params);
        return;
      }
      case 'result':
      case 'error': {
        if (m.type === 'error' && m.id === null) {
          // Only an error can have a null id: the peer could not read the request it answers.
          this.#tallyMethod(undefined);
          dialect(m);
          this.#errorShape(item, m, protocol);
          return;
        }
        const pending = m.id === null ? undefined : this.#take(conn, other(dir), m.id);
        item.method = pending?.method;
        this.#tallyMethod(item.method);
        dialect(m);
        if (!pending) {
          this.#report(item, 'violation', 'id', `a reply to ${JSON.stringify(m.id)}, which no pending request of the ${dir === 's2c' ? 'client' : 'server'} has${inBatch ? ' (in a batch)' : ''}`);
          return;
        }
        if (m.type === 'error') {
          this.#errorShape(item, m, protocol);
          return;
        }
        this.#result(item, pending, m.result);
        return;
      }
    }
  }

  /**
   * Electrum: the session's JSON-RPC protocol, fixed by the client's first message as aiorpcX fixes it
   * (src/runtime/server/dialects.ts). v2: every message both ways carries "jsonrpc": "2.0" (ElectrumX
   * refuses a later request without it with -32600). v1: the client sends params as an array and the
   * server answers in 1.0, without "jsonrpc". loose (a request without "jsonrpc", as @electrum-cash/network
   * sends): either is fine both ways.
   */
  #dialect(ctx: Ctx, m: IncomingMessage & { dialect: '2.0' | '1.0' }): void {
    const { conn, message } = ctx;
    const who = message.dir === 'c2s' ? 'the client' : 'the server';
    if (conn.dialect === 'v2' && m.dialect !== '2.0') {
      this.#report(ctx, 'violation', 'jsonrpc', `no "jsonrpc": "2.0" from ${who} in a session the client began in JSON-RPC 2.0`);
    } else if (conn.dialect === 'v1') {
      if (message.dir === 's2c' && m.dialect === '2.0') {
        this.#report(ctx, 'violation', 'jsonrpc', 'a JSON-RPC 2.0 message from the server in a session the client began in JSON-RPC 1.0');
      } else if (message.dir === 'c2s' && (m.type === 'request' || m.type === 'notification') && !Array.isArray(m.params)) {
        this.#report(ctx, 'violation', 'params', 'params by name in a session the client began in JSON-RPC 1.0, which takes params as an array');
      }
    }
  }

  /** Electrum: server.version first, and only once. */
  #electrumOrder(ctx: Ctx, method: string): void {
    const conn = ctx.conn;
    if (method === 'server.version') {
      if (conn.versionAsked) this.#report(ctx, 'violation', 'method', 'a second server.version: only the first one of a connection counts (from protocol 1.4)');
      conn.versionAsked = true;
    } else if (!conn.versionAsked) {
      this.#deviation(ctx, 'request-before-version', 'method', `${method} before server.version (from protocol 1.6 server.version must be the first message)`);
    }
  }

  #request(ctx: Ctx, info: MethodInfo, params: unknown[] | Record<string, unknown>): void {
    const sender = ctx.message.dir === 'c2s' ? 'client-to-server' : 'server-to-client';
    if (info.kind === 'notification' || (info.direction !== 'both' && info.direction !== sender)) {
      this.#report(ctx, 'violation', 'method', `${info.method} is not a request the ${ctx.message.dir === 'c2s' ? 'client' : 'server'} sends (spec: ${info.kind}, ${info.direction})`);
      return;
    }
    this.#outcome(ctx, info.validateParams(params, { protocolVersion: ctx.conn.version }));
  }

  #notification(ctx: Ctx, info: MethodInfo, params: unknown[] | Record<string, unknown>, protocol: TrafficProtocol): void {
    const { conn, message } = ctx;
    const sender = message.dir === 'c2s' ? 'client-to-server' : 'server-to-client';
    const direction = info.notificationDirection;
    if (info.validateNotification && (direction === 'both' || direction === sender)) {
      this.#outcome(ctx, info.validateNotification(params, { protocolVersion: conn.version }));
      return;
    }
    const early = protocol === 'electrum' && message.dir === 's2c' && conn.version === undefined ? EARLY_NOTIFICATIONS.get(info.method) : undefined;
    if (early) {
      this.#deviation(ctx, early, 'method', `a ${info.method} notification before the version was negotiated`);
      return;
    }
    if (message.dir === 'c2s' && (info.direction === 'both' || info.direction === sender) && info.kind !== 'notification') {
      // A request sent without an id: valid JSON-RPC, but nobody will answer it.
      this.#report(ctx, 'violation', 'id', `${info.method} sent without an id (or with a null id): it is a request, and a notification gets no answer`);
      this.#outcome(ctx, info.validateParams(params, { protocolVersion: conn.version }));
      return;
    }
    this.#report(ctx, 'violation', 'method', `${info.method} is not a notification the ${message.dir === 'c2s' ? 'client' : 'server'} sends (spec: ${info.kind}, ${info.direction})`);
  }

  #result(ctx: Ctx, pending: Pending, result: unknown): void {
    const { conn } = ctx;
    if (!pending.info || !pending.paramsValid) return; // nothing to check a result against
    if (pending.info.kind === 'notification' || !pending.info.hasResult) return;
    // The version a shape is keyed on is the one in force when the request went out; server.version's own
    // result is checked against every version's shape.
    const outcome = pending.info.validateResult(result, { protocolVersion: pending.version, params: pending.params });
    this.#outcome(ctx, outcome);
    if (pending.method === 'server.version' && conn.protocol === 'electrum' && outcome.valid) {
      const version = Array.isArray(result) ? result[1] : result;
      if (isVersion(version)) {
        conn.version = version;
        conn.tally.version = version;
      }
    }
  }

  #errorShape(ctx: Ctx, m: Extract<IncomingMessage, { type: 'error' }>, protocol: TrafficProtocol): void {
    let raw: unknown;
    try {
      raw = (JSON.parse(ctx.message.line) as unknown) ?? undefined;
    } catch {
      return;
    }
    // The error member as sent (from the batch member with this id when it was a batch).
    const sent = Array.isArray(raw) ? raw.find((x: unknown) => isRecord(x) && x['id'] === m.id && 'error' in x) : raw;
    const error = isRecord(sent) ? sent['error'] : undefined;
    const isObjectError = isRecord(error) && Number.isInteger(error['code']) && typeof error['message'] === 'string';
    if (protocol === 'electrum') {
      if (!isObjectError) this.#report(ctx, 'violation', 'error', `an Electrum error must be an object with an integer "code" and a string "message", not ${excerpt(error, 80)}`);
      return;
    }
    const isArrayError = Array.isArray(error) && (error.length === 2 || error.length === 3) && Number.isInteger(error[0]) && typeof error[1] === 'string';
    if (isArrayError) return;
    if (isObjectError) {
      this.#deviation(ctx, 'stratum-error-object', 'error', 'a JSON-RPC 2.0 error object where Stratum V1 sends [code, message, traceback]');
      return;
    }
    const text = `an error that is neither [code, message, traceback] nor an object: ${excerpt(error, 80)}`;
    const documented = ctx.method === undefined ? undefined : LOOSE_ERRORS.get(ctx.method);
    if (documented) this.#deviation(ctx, documented, 'error', text);
    else this.#report(ctx, 'violation', 'error', `${text} (the spec documents no such error for ${ctx.method ?? 'a reply to nothing'})`);
  }

  // ---- pending requests -----------------------------------------------------------------------------

  #remember(ctx: Ctx, id: MessageId, method: string, info: MethodInfo | undefined, params: unknown[] | Record<string, unknown>): void {
    const { conn, message } = ctx;
    const dir = message.dir;
    const key = idKey(id);
    const table = conn.pending[dir];
    const queue = table.get(key);
    if (queue && queue.length > 0) {
      const documented = conn.protocol === 'stratum' ? REUSED_IDS.get(method) : undefined;
      const text = `id ${JSON.stringify(id)} reused while a request with it is still unanswered`;
      if (documented) this.#deviation(ctx, documented, 'id', text);
      else this.#report(ctx, 'violation', 'id', `${text}: the replies cannot be told apart`);
    }
    if (conn.pendingCount[dir] >= this.#maxPending) {
      // The oldest is forgotten: a peer that never answers must not grow the table.
      const [oldestKey, oldest] = table.entries().next().value ?? [];
      if (oldestKey !== undefined && oldest) {
        oldest.shift();
        if (oldest.length === 0) table.delete(oldestKey);
        conn.pendingCount[dir]--;
      }
      this.#note(`connection ${conn.tally.conn}: more than ${this.#maxPending} requests awaited their reply; the oldest were forgotten, and replies to them are reported as replies to nothing`);
    }
    let positional: readonly unknown[] | undefined;
    let paramsValid = false;
    if (info) {
      const p = info.positionalParams(params);
      paramsValid = p.ok && info.validateParams(params, { protocolVersion: conn.version }).valid;
      // Kept only when they choose the result's shape: a broadcast's megabyte of hex is not.
      if (p.ok && info.resultVariants.length > 1) positional = p.params;
    }
    const entry: Pending = { id, method, info, params: positional, paramsValid, version: conn.version, t: message.t, lineNumber: message.lineNumber };
    if (queue) queue.push(entry);
    else table.set(key, [entry]);
    conn.pendingCount[dir]++;
  }

  #take(conn: Connection, dir: TrafficDirection, id: MessageId): Pending | undefined {
    const key = idKey(id);
    const queue = conn.pending[dir].get(key);
    const first = queue?.shift();
    if (queue && queue.length === 0) conn.pending[dir].delete(key);
    if (first) conn.pendingCount[dir]--;
    return first;
  }

  /** A request the connection's end left without its reply: a finding of its own kind, not a violation. */
  #unanswered(conn: Connection, dir: TrafficDirection, p: Pending): void {
    const optional = p.info?.optionalReply?.when === 'always' ? ' (the spec allows no reply: optionalReply)' : '';
    const message: TrafficMessage = { conn: conn.tally.conn, dir, line: `{"id":${JSON.stringify(p.id)},"method":${JSON.stringify(excerpt(p.method, 80))}}`, t: p.t, lineNumber: p.lineNumber };
    this.#unansweredCount++;
    conn.tally.unanswered++;
    const tally = this.#methods.get(p.method) ?? this.#methods.get('(other)');
    if (tally) tally.unanswered++;
    const who = dir === 'c2s' ? 'server' : 'client';
    this.#report({ conn, message, method: p.method }, 'unanswered', 'id', `no reply to ${p.method} id ${JSON.stringify(p.id)} from the ${who} before the connection ended${optional}`, undefined, undefined, who);
  }

  // ---- connections, tallies, findings -----------------------------------------------------------------

  #connection(key: string): Connection {
    let c = this.#connections.get(key);
    if (c) return c;
    if (this.#connections.size >= this.#maxConnections) {
      const [oldestKey, oldest] = this.#connections.entries().next().value ?? [];
      if (oldestKey !== undefined && oldest) {
        this.#connections.delete(oldestKey);
        this.#keepFinished(oldest.tally);
      }
      this.#note(`more than ${this.#maxConnections} connections at once: the earliest were no longer followed`);
    }
    const protocol = this.#options.protocol;
    c = {
      tally: { conn: key, messages: 0, violations: 0, deviations: 0, unanswered: 0, protocol, version: undefined },
      protocol,
      version: undefined,
      versionAsked: false,
      dialect: undefined,
      pending: { c2s: new Map(), s2c: new Map() },
      pendingCount: { c2s: 0, s2c: 0 },
    };
    this.#connections.set(key, c);
    return c;
  }

  #keepFinished(tally: ConnectionTally): void {
    this.#finished.push(tally);
    if (this.#finished.length > this.#maxConnections) this.#finished.shift();
  }

  /** A connection's protocol from its first message: Stratum's method names are its own. */
  #detect(conn: Connection, first: IncomingMessage | undefined): void {
    if (first && (first.type === 'request' || first.type === 'notification')) {
      conn.protocol = miningProtocol.has(first.method) && !electrumProtocol.has(first.method) ? 'stratum' : 'electrum';
    } else {
      conn.protocol = 'electrum';
    }
    conn.tally.protocol = conn.protocol;
  }

  #tallyMethod(method: string | undefined): void {
    let name = method ?? '(unknown)';
    if (!this.#methods.has(name) && this.#methods.size >= MAX_METHOD_NAMES) name = '(other)';
    let tally = this.#methods.get(name);
    if (!tally) this.#methods.set(name, (tally = { messages: 0, violations: 0, deviations: 0, unanswered: 0 }));
    tally.messages++;
  }

  /** One finding per message part that fails: the first error's path and text, and every error as details. */
  #outcome(ctx: Ctx, outcome: ValidationOutcome): void {
    if (outcome.valid) return;
    const first = outcome.errors[0] ?? 'invalid';
    const colon = first.indexOf(': ');
    // The one error without a path: the method itself is not part of the negotiated version.
    const path = colon > 0 ? first.slice(0, colon) : / is not part of protocol /.test(first) ? 'method' : 'message';
    this.#report(ctx, 'violation', path, colon > 0 ? first.slice(colon + 2) : first, undefined, outcome.errors.length > 1 ? outcome.errors : undefined);
  }

  #deviation(ctx: Ctx, id: SpecDeviationId, path: string, message: string): void {
    this.#report(ctx, 'deviation', path, message, id);
  }

  #report(ctx: Ctx, kind: FindingKind, path: string, text: string, deviation?: SpecDeviationId, details?: readonly string[], side?: 'client' | 'server'): void {
    const { conn, message } = ctx;
    const finding: TrafficFinding = {
      kind,
      conn: conn.tally.conn,
      dir: message.dir,
      side: side ?? (message.dir === 'c2s' ? 'client' : 'server'),
      method: ctx.method,
      path,
      message: text,
      excerpt: message.line.length > this.#excerptLength ? `${message.line.slice(0, this.#excerptLength)}…` : message.line,
      ...(message.t === undefined ? {} : { t: message.t }),
      ...(message.lineNumber === undefined ? {} : { line: message.lineNumber }),
      ...(deviation === undefined ? {} : { deviation, reference: deviationText(deviation) }),
      ...(details === undefined ? {} : { details }),
    };
    const tally = this.#methods.get(ctx.method ?? '(unknown)') ?? this.#methods.get('(other)');
    if (kind === 'violation') {
      this.#violations++;
      conn.tally.violations++;
      if (tally) tally.violations++;
    } else if (kind === 'deviation') {
      this.#deviations++;
      conn.tally.deviations++;
      if (tally) tally.deviations++;
    }
    if (this.#findings.length < this.#maxFindings) this.#findings.push(finding);
    else this.#findingsDropped++;
    try {
      this.#options.onFinding?.(finding);
    } catch {
      // The caller's printer failing must not stop the checking.
    }
  }

  #note(note: string): void {
    if (this.#notes.size < MAX_NOTES) this.#notes.add(note);
  }
}

interface Ctx {
  readonly conn: Connection;
  readonly message: TrafficMessage;
  method: string | undefined;
}

function other(dir: TrafficDirection): TrafficDirection {
  return dir === 'c2s' ? 's2c' : 'c2s';
}

/** 1 and "1" are different ids. */
function idKey(id: MessageId): string {
  return typeof id === 'number' ? `n${id}` : `s${id}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
