// The transcript format: recorded JSON-RPC traffic, one JSON object per line (JSON Lines, UTF-8).
//
//   {"transcript":"stratum-sdk","version":1,"protocol":"electrum","source":"..."}   optional header, first line
//   {"t":1764763200123,"conn":"electrum-1","dir":"c2s","line":"{\"jsonrpc\":\"2.0\",\"id\":0,...}"}
//   {"t":1764763200125,"conn":"electrum-1","dir":"s2c","line":"{\"jsonrpc\":\"2.0\",\"id\":0,...}"}
//
// - `t`: when the message was seen, milliseconds since the Unix epoch (a number; may have a fraction).
// - `conn`: the connection (a string or a number), unique within the transcript.
// - `dir`: "c2s" (the client sent it) or "s2c" (the server sent it).
// - `line`: the message exactly as it crossed the wire: one line of a TCP/TLS stream without its newline
//   (and without a CR before it), or one WebSocket message.
// The header's `protocol` ("electrum" or "stratum") applies to every connection; without it each
// connection's protocol is told from its first message. Blank lines are ignored. Written by
// `stratum-sdk proxy --record` and `stratum-sdk serve --record`, read by `stratum-sdk check`.
// Platform-free: parsing one line never throws, whatever it holds.
import { DEFAULT_MAX_MESSAGE_SIZE } from '../runtime/framing.js';
import type { TrafficMessage } from './traffic/checker.js';
import type { TrafficDirection, TrafficProtocol } from './traffic/findings.js';

export const TRANSCRIPT_FORMAT = 'stratum-sdk';
export const TRANSCRIPT_VERSION = 1;

/**
 * Longest transcript line read: a message at the SDK's size limit, JSON-escaped (a quote or backslash
 * takes two characters; real messages are mostly hex, which takes one), plus the other fields.
 */
export const DEFAULT_MAX_TRANSCRIPT_LINE = 2 * DEFAULT_MAX_MESSAGE_SIZE + 1024;
/** A `conn` longer than this is not a name a recorder wrote. */
export const MAX_CONN_LENGTH = 200;

export interface TranscriptHeader {
  readonly transcript: typeof TRANSCRIPT_FORMAT;
  readonly version: number;
  readonly protocol?: TrafficProtocol | undefined;
  /** Where the recording came from, for a person. */
  readonly source?: string | undefined;
}

export interface TranscriptEntry {
  readonly t: number;
  readonly conn: string | number;
  readonly dir: TrafficDirection;
  readonly line: string;
}

export type TranscriptLine =
  | { readonly type: 'header'; readonly header: TranscriptHeader }
  | { readonly type: 'message'; readonly message: TrafficMessage }
  | { readonly type: 'blank' }
  | { readonly type: 'malformed'; readonly lineNumber: number; readonly reason: string };

export function transcriptHeader(fields: { protocol?: TrafficProtocol | undefined; source?: string | undefined } = {}): string {
  const header: TranscriptHeader = {
    transcript: TRANSCRIPT_FORMAT,
    version: TRANSCRIPT_VERSION,
    ...(fields.protocol === undefined ? {} : { protocol: fields.protocol }),
    ...(fields.source === undefined ? {} : { source: fields.source }),
  };
  return JSON.stringify(header);
}

/** One message as a transcript line (without the newline). */
export function transcriptLine(entry: TranscriptEntry): string {
  return JSON.stringify({ t: entry.t, conn: entry.conn, dir: entry.dir, line: entry.line });
}

/** Reads one transcript line (without its newline). Never throws. */
export function parseTranscriptLine(text: string, lineNumber: number): TranscriptLine {
  if (text.trim() === '') return { type: 'blank' };
  const malformed = (reason: string): TranscriptLine => ({ type: 'malformed', lineNumber, reason });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return malformed(`not JSON (${(e as Error).message.slice(0, 120)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return malformed('not a JSON object');
  const o = value as Record<string, unknown>;
  if (Object.hasOwn(o, 'transcript')) {
    if (o['transcript'] !== TRANSCRIPT_FORMAT) return malformed(`a header of another format (${JSON.stringify(String(o['transcript']).slice(0, 40))})`);
    if (o['version'] !== TRANSCRIPT_VERSION) return malformed(`a header of transcript version ${JSON.stringify(o['version'])}; this reader knows version ${TRANSCRIPT_VERSION}`);
    const protocol = o['protocol'];
    if (protocol !== undefined && protocol !== 'electrum' && protocol !== 'stratum') return malformed('the header\'s "protocol" must be "electrum" or "stratum"');
    const source = typeof o['source'] === 'string' ? o['source'].slice(0, 1000) : undefined;
    return { type: 'header', header: { transcript: TRANSCRIPT_FORMAT, version: TRANSCRIPT_VERSION, protocol, source } };
  }
  const { t, conn, dir, line } = o;
  if (typeof t !== 'number' || !Number.isFinite(t)) return malformed('"t" must be a number (ms since the Unix epoch)');
  if (!((typeof conn === 'string' && conn.length <= MAX_CONN_LENGTH) || (typeof conn === 'number' && Number.isFinite(conn)))) {
    return malformed(`"conn" must be a number or a string of at most ${MAX_CONN_LENGTH} characters`);
  }
  if (dir !== 'c2s' && dir !== 's2c') return malformed('"dir" must be "c2s" or "s2c"');
  if (typeof line !== 'string') return malformed('"line" must be a string (the message as sent)');
  return { type: 'message', message: { t, conn, dir, line, lineNumber } };
}
