// What the traffic checker reports: one finding per problem in a message, and the totals per method and
// per connection. Plain data, so that the CLI's table, --json and the report writers (JUnit, --fail-on)
// can all take the same shape.

/** c2s: the client sent it; s2c: the server sent it. */
export type TrafficDirection = 'c2s' | 's2c';
export type TrafficProtocol = 'electrum' | 'stratum';

/**
 * `violation`: the message breaks the spec. `deviation`: it breaks the letter of the spec in a way the
 * spec's `deviations` document as what real software does (each finding names where). `unanswered`: a
 * request still awaiting its reply when its connection closed or the transcript ended (not counted as a
 * violation: a peer may hang up, a recording may stop).
 */
export type FindingKind = 'violation' | 'deviation' | 'unanswered';

export interface TrafficFinding {
  readonly kind: FindingKind;
  /** The connection, as the recording or the caller named it. */
  readonly conn: string;
  readonly dir: TrafficDirection;
  /** Who broke the spec: the sender of the message (for `unanswered`, the side that did not answer). */
  readonly side: 'client' | 'server';
  /** The method the message is (or answers); undefined when it could not be told (malformed JSON). */
  readonly method: string | undefined;
  /** Where in the message: "params[1] (verbose)", "result.height", "error", "id"; "message" for the whole. */
  readonly path: string;
  /** What is wrong, for a person. */
  readonly message: string;
  /** The start of the message's raw text (bounded). */
  readonly excerpt: string;
  /** When the message was seen (ms since the Unix epoch), when known. */
  readonly t?: number | undefined;
  /** The transcript line it came from (from 1), when checking a transcript. */
  readonly line?: number | undefined;
  /** Every error found in that part of the message, "path: what" each (bounded), when there was more than one. */
  readonly details?: readonly string[] | undefined;
  /** For a deviation: the id of the spec's deviation it matches (SPEC_DEVIATIONS, src/generated/deviations.ts). */
  readonly deviation?: string | undefined;
  /** For a deviation: the spec's text, as deviationText quotes it (`<method> (<software>): <text>`). */
  readonly reference?: string | undefined;
}

export interface Tally {
  messages: number;
  violations: number;
  deviations: number;
  /** Requests (of this method, or on this connection) left without a reply when their connection ended. */
  unanswered: number;
}

export interface ConnectionTally extends Tally {
  readonly conn: string;
  protocol: TrafficProtocol | undefined;
  /** The negotiated Electrum protocol version, once server.version was answered. */
  version: string | undefined;
}

export interface TrafficSummary {
  readonly messages: number;
  readonly violations: number;
  readonly deviations: number;
  readonly unanswered: number;
  /** Per wire name ("(unknown)" for messages whose method could not be told, "(other)" past the name limit). */
  readonly methods: Readonly<Record<string, Tally>>;
  readonly connections: readonly ConnectionTally[];
  /** The findings kept (the first maxFindings); `findingsDropped` counts the rest. */
  readonly findings: readonly TrafficFinding[];
  readonly findingsDropped: number;
  /** Things the checker itself had to give up on (a full pending table, too many connections). */
  readonly notes: readonly string[];
  /** No violations (deviations allowed). */
  readonly ok: boolean;
}

/** One finding as a line for a terminal: where, what, and the bytes. */
export function formatFinding(f: TrafficFinding): string {
  const where = f.line === undefined ? '' : `line ${f.line} `;
  const arrow = f.dir === 'c2s' ? 'client->server' : 'server->client';
  return `${f.kind === 'violation' ? 'VIOLATION' : f.kind === 'deviation' ? 'deviation' : 'unanswered'} ${where}conn ${f.conn} ${arrow} ${f.method ?? '(unknown method)'} ${f.path}: ${f.message}${f.reference ? ` [documented${f.deviation ? ` ${f.deviation}` : ''}: ${f.reference}]` : ''}${(f.details ?? []).map((d) => `\n    - ${d}`).join('')}\n    ${f.excerpt}`;
}
