// Fuzzing the way in: NewlineFramer (platform-free and Node decoders, chunks handed over or a reused read
// buffer, 'fail' and 'skip') and parseMessage, on seeded random streams of valid and hostile lines: nesting
// around the depth limit and far past it, huge numbers, __proto__ and constructor keys, invalid UTF-8
// (overlong forms, surrogates as bytes, truncated characters), byte order marks, CR/LF mixes, blank lines,
// lines exactly at maxMessageSize and over it, cut into random chunks. Every run is checked against a
// reference framer written here (split the whole byte stream at \n) and against what the generator meant
// each line to be. A failing test's name carries its seed: STRATUM_FUZZ_SEED=<seed> replays only it.
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/runtime/errors.js';
import { NewlineFramer, type FrameEvent, type FramerOptions } from '../../src/runtime/framing.js';
import { DEFAULT_MAX_DEPTH, parseMessage, type IncomingMessage } from '../../src/runtime/messages.js';
import { nodeFraming } from '../../src/runtime/node/tcp.js';
import { bytes, fuzzSeeds, randomChunks, Rng, utf8 } from './helpers.js';

const SEEDS = fuzzSeeds(Array.from({ length: 24 }, (_, i) => i + 1));
/** Random chunkings of each stream, per decoder and mode. */
const CHUNKINGS = 6;

const LF = 0x0a;
const CR = 0x0d;
const BOM = '\uFEFF';

/** An event as a plain string: `M:<text>` for a message, `!oversize` or `!utf8` for an error. */
type Seen = string;

// ---------------------------------------------------------------------------------------------------
// The reference: the whole stream split at \n, each line judged on its own.

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function reference(data: Uint8Array, max: number, mode: 'fail' | 'skip'): Seen[] {
  const out: Seen[] = [];
  let start = 0;
  for (;;) {
    const nl = data.indexOf(LF, start);
    if (nl === -1) {
      // An unfinished line is reported only once it cannot fit any more: one byte over may be a \r.
      const tail = data.subarray(start);
      if (tail.length > max + 1 || (tail.length === max + 1 && tail[tail.length - 1] !== CR)) out.push('!oversize');
      return out;
    }
    let line = data.subarray(start, nl);
    start = nl + 1;
    if (line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > max) {
      out.push('!oversize');
      if (mode === 'fail') return out;
      continue;
    }
    if (line.every((b) => b === 0x20 || b === 0x09 || b === CR)) continue;
    let text: string;
    try {
      text = fatal.decode(line);
    } catch {
      out.push('!utf8');
      continue;
    }
    out.push(`M:${text.startsWith(BOM) ? text.slice(1) : text}`);
  }
}

function show(events: readonly FrameEvent[]): Seen[] {
  return events.map((e) => {
    if (e.type === 'message') return `M:${e.text}`;
    if (e.error.code === 'MESSAGE_TOO_LARGE') return '!oversize';
    return e.error instanceof ProtocolError && e.error.kind === 'invalid-utf8' ? '!utf8' : `!other:${e.error.message}`;
  });
}

/** Undefined when equal, else where and how the two lists first differ (short enough to read). */
function difference(got: readonly Seen[], wanted: readonly Seen[]): string | undefined {
  const cut = (s: Seen | undefined) => (s === undefined ? '(nothing)' : s.length > 120 ? `${s.slice(0, 120)}… (${s.length} chars)` : s);
  for (let i = 0; i < Math.max(got.length, wanted.length); i++) {
    if (got[i] !== wanted[i]) return `event ${i} of ${got.length} (wanted ${wanted.length}): got ${cut(got[i])}, wanted ${cut(wanted[i])}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// The generator: lines with what each must become.

interface Line {
  readonly body: Uint8Array;
  readonly term: '\n' | '\r\n';
  /** The events this line must give. */
  readonly events: Seen[];
  /** For a message: parseMessage's verdict, summarised (see summary()). */
  readonly parsed?: string;
}

function summary(m: IncomingMessage): string {
  switch (m.type) {
    case 'request':
      return `request:${String(m.id)}:${m.method}`;
    case 'notification':
      return `notification:${m.method}`;
    case 'result':
      return `result:${String(m.id)}`;
    case 'error':
      return `error:${String(m.id)}`;
    case 'batch':
      return `batch:${m.items.length}`;
    case 'invalid':
      return `invalid:${m.error.kind}${m.id === undefined ? '' : `:${String(m.id)}`}`;
  }
}

const message = (text: string, parsed: string, term: '\n' | '\r\n' = '\n', shown = text): Line => ({ body: utf8(text), term, events: [`M:${shown}`], parsed });

// Byte sequences no UTF-8 decoder may accept.
const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0xfe],
  [0x80], // a continuation byte alone
  [0xc0, 0x80], // overlong NUL
  [0xc1, 0xbf], // overlong U+007F
  [0xe0, 0x80, 0xaf], // overlong "/"
  [0xf0, 0x82, 0x82, 0xac], // overlong "€"
  [0xed, 0xa0, 0x80], // U+D800, a lone high surrogate, as bytes
  [0xed, 0xbf, 0xbf], // U+DFFF, a lone low surrogate
  [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], // a surrogate pair as two 3-byte sequences (CESU-8)
  [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
  [0xf8, 0x88, 0x80, 0x80, 0x80], // a 5-byte form
  [0xe2, 0x82], // a character cut short
  [0xf0, 0x9f, 0x98], // an emoji cut short
];

function nested(kind: 'array' | 'object', levels: number): string {
  return kind === 'array' ? `${'['.repeat(levels)}${']'.repeat(levels)}` : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

/** A result message of exactly `size` bytes: its string padded with "a" and 2-byte "é". */
function sized(id: number, size: number, rng: Rng): string {
  const head = `{"id":${id},"result":"`;
  const tail = '"}';
  const fill = size - head.length - tail.length;
  if (fill < 0) throw new RangeError('too small');
  const wide = rng.int(0, Math.floor(fill / 2));
  const text = `${head}${'é'.repeat(wide)}${'a'.repeat(fill - 2 * wide)}${tail}`;
  if (utf8(text).length !== size) throw new Error('sized() is wrong');
  return text;
}

function generateLine(rng: Rng, id: number, max: number): Line {
  const line = generateAnyLine(rng, id, max);
  // Whatever it was meant to be, a line longer than the limit is an oversize line (the framer drops one \r).
  const size = line.term === '\n' && line.body[line.body.length - 1] === CR ? line.body.length - 1 : line.body.length;
  return size > max ? { body: line.body, term: line.term, events: ['!oversize'] } : line;
}

function generateAnyLine(rng: Rng, id: number, max: number): Line {
  const term = rng.chance(0.3) ? '\r\n' : '\n';
  const kind = rng.weighted<string>([
    [6, 'plain'],
    [2, 'multibyte'],
    [4, 'deep'],
    [3, 'numbers'],
    [3, 'proto'],
    [3, 'utf8'],
    [2, 'bom'],
    [3, 'blank'],
    [2, 'cr'],
    [2, 'not-json'],
    [2, 'at-limit'],
    [2, 'over'],
  ]);
  switch (kind) {
    case 'plain':
      return rng.pick<Line>([
        message(`{"jsonrpc":"2.0","id":${id},"method":"server.ping","params":[]}`, `request:${id}:server.ping`, term),
        message(`{"id":${id},"result":{"height":5,"hex":"00"},"error":null}`, `result:${id}`, term),
        message(`{"id":null,"method":"mining.notify","params":["bf",true]}`, 'notification:mining.notify', term),
        message(`{"jsonrpc":"2.0","id":${id},"error":{"code":-32601,"message":"x"}}`, `error:${id}`, term),
        message(`[{"id":${id},"result":1},{"id":"${id}b","result":2}]`, 'batch:2', term),
        message(`{ "id" :\t${id} ,\t"result" : true }  `, `result:${id}`, term),
      ]);
    case 'multibyte':
      return message(`{"id":${id},"result":"é€😀\u2028 \\ud800 ü${BOM}"}`, `result:${id}`, term);
    case 'deep': {
      const shape = rng.pick(['array', 'object'] as const);
      const depth = rng.pick([2, 63, 64, 65, 66, 100, 1000]);
      if (rng.chance(0.7)) {
        // The message is level 1, its result the rest: accepted up to DEFAULT_MAX_DEPTH in all.
        const text = `{"id":${id},"result":${nested(shape, depth - 1)}}`;
        return message(text, depth <= DEFAULT_MAX_DEPTH ? `result:${id}` : `invalid:too-deep:${id}`, term);
      }
      const text = nested(shape, depth);
      // A bare array within the limit is a batch whose members are arrays (each invalid); an object, no message.
      const parsed = depth > DEFAULT_MAX_DEPTH ? 'invalid:too-deep' : shape === 'array' ? 'batch:1' : 'invalid:invalid-message';
      return message(text, parsed, term);
    }
    case 'numbers':
      return rng.pick<Line>([
        message('{"id":1e400,"method":"m","params":[]}', 'invalid:invalid-message', term),
        message('{"id":-1e999,"result":1}', 'invalid:invalid-message', term),
        message('{"id":123456789012345678901234567890,"result":1}', 'result:1.2345678901234568e+29', term),
        message(`{"id":${id},"result":1e400}`, `result:${id}`, term),
        message(`{"id":${id},"result":[1e308,-1e400,5e-324,-0,123456789012345678901234567890,0.1e-999999]}`, `result:${id}`, term),
        message(`{"id":${id},"method":"m","params":[1e400,-1e400,${'9'.repeat(400)}]}`, `request:${id}:m`, term),
        message(`{"id":${id}.5,"result":null}`, `result:${id + 0.5}`, term),
      ]);
    case 'proto':
      return rng.pick<Line>([
        message(`{"__proto__":{"x":1},"id":${id},"method":"server.ping","params":[]}`, `request:${id}:server.ping`, term),
        // Inherited members are not members: this has neither method nor id.
        message('{"__proto__":{"method":"x","id":3,"result":1}}', 'invalid:invalid-message', term),
        message(`{"constructor":{"prototype":{"polluted":1}},"id":${id},"result":true}`, `result:${id}`, term),
        message(`{"id":${id},"method":"__proto__","params":{"__proto__":{"polluted":1},"constructor":1}}`, `request:${id}:__proto__`, term),
        message(`{"id":${id},"error":{"__proto__":{"code":5,"message":"inherited"}}}`, `error:${id}`, term),
        message(`{"id":${id},"method":"toString","params":{"hasOwnProperty":1,"valueOf":2}}`, `request:${id}:toString`, term),
      ]);
    case 'utf8': {
      const bad = rng.pick(INVALID_UTF8);
      const body = rng.chance(0.5) ? bytes(`{"id":${id},"result":"`, bad, '"}') : bytes(bad, `{"id":${id}}`);
      return { body, term, events: ['!utf8'] };
    }
    case 'bom':
      return rng.pick<Line>([
        // One byte order mark at the start of a line is dropped, a second one is text.
        { body: utf8(`${BOM}{"id":${id},"result":1}`), term, events: [`M:{"id":${id},"result":1}`], parsed: `result:${id}` },
        { body: utf8(`${BOM}${BOM}{"id":${id},"result":1}`), term, events: [`M:${BOM}{"id":${id},"result":1}`], parsed: 'invalid:invalid-json' },
        { body: utf8(BOM), term, events: ['M:'], parsed: 'invalid:invalid-json' },
      ]);
    case 'blank':
      return { body: utf8(rng.pick(['', ' ', '\t \t', '\r', ' \r', '\r\r', '   '])), term, events: [] };
    case 'cr': {
      const text = rng.pick([`{"id":${id},\r"result":2}`, `{"id":${id},"result":"\\r"}\r`]);
      // A \r inside or before the line ending is JSON whitespace; the framer drops only one, the line ending's.
      return term === '\r\n' || !text.endsWith('\r') ? message(text, `result:${id}`, term) : message(text, `result:${id}`, term, text.slice(0, -1));
    }
    case 'not-json':
      return rng.pick<Line>([
        message('}{', 'invalid:invalid-json', term),
        message(`{"id":${id}`, 'invalid:invalid-json', term),
        message('nul', 'invalid:invalid-json', term),
        message('null', 'invalid:invalid-message', term),
        message('"text"', 'invalid:invalid-message', term),
        message('[]', 'invalid:invalid-message', term),
        message(`{"id":${id}}`, `invalid:invalid-message:${id}`, term),
        message('\u0000', 'invalid:invalid-json', term),
      ]);
    case 'at-limit':
      return message(sized(id, max, rng), `result:${id}`, term);
    default: {
      const size = rng.chance(0.5) ? max + 1 : max + rng.int(2, 2 * max);
      const body = rng.chance(0.7) ? utf8(sized(id, size, rng)) : new Uint8Array(size).fill(0x78);
      return { body, term, events: ['!oversize'] };
    }
  }
}

interface Stream {
  readonly data: Uint8Array;
  readonly max: number;
  /** What 'skip' must deliver; 'fail' delivers the same up to and including the first oversize error. */
  readonly wanted: Seen[];
  /** parseMessage's verdict on each message of `wanted`, in order. */
  readonly parsed: string[];
}

function generateStream(seed: number): Stream {
  const rng = new Rng(seed);
  // Above 4 KiB sometimes: the Node decoder takes its Buffer path for ASCII runs of 4 KiB and more.
  const max = rng.chance(0.5) ? rng.int(2100, 3000) : rng.int(4200, 9000);
  const lines: Line[] = [];
  const count = rng.int(60, 120);
  for (let i = 0; i < count; i++) lines.push(generateLine(rng, i + 1, max));
  const parts: Uint8Array[] = [];
  for (const line of lines) parts.push(line.body, utf8(line.term));
  const wanted = lines.flatMap((l) => l.events);
  const parsed = lines.flatMap((l) => (l.parsed === undefined ? [] : [l.parsed]));
  // A last line without its newline: kept waiting, unless it is already too long to ever fit.
  const tail = rng.pick<[Uint8Array, Seen[]]>([
    [new Uint8Array(0), []],
    [utf8('{"id":1,"res'), []],
    [new Uint8Array(max).fill(0x78), []],
    [bytes(new Uint8Array(max).fill(0x78), [CR]), []],
    [new Uint8Array(max + 1).fill(0x78), ['!oversize']],
    [new Uint8Array(2 * max).fill(0x78), ['!oversize']],
  ]);
  parts.push(tail[0]);
  wanted.push(...tail[1]);
  return { data: bytes(...parts), max, wanted, parsed };
}

// ---------------------------------------------------------------------------------------------------
// Running the framer

type Variant = 'platform' | 'node' | 'reused-buffer';

function frame(stream: Stream, variant: Variant, mode: 'fail' | 'skip', rng: Rng): Seen[] {
  const options: FramerOptions = { maxMessageSize: stream.max, onOversize: mode };
  const framer = new NewlineFramer(variant === 'node' ? nodeFraming(options) : options);
  const chunks = randomChunks(stream.data, rng);
  const seen: Seen[] = [];
  if (variant !== 'reused-buffer') {
    for (const chunk of chunks) seen.push(...show(framer.push(chunk)));
    return seen;
  }
  // A caller that reads into one buffer and overwrites it after each push: nothing may depend on old bytes.
  const scratch = new Uint8Array(stream.data.length);
  for (const chunk of chunks) {
    scratch.set(chunk);
    seen.push(...show(framer.push(scratch.subarray(0, chunk.length))));
    scratch.fill(0x7b, 0, chunk.length);
  }
  return seen;
}

const untilFirstOversize = (events: readonly Seen[]): Seen[] => {
  const at = events.indexOf('!oversize');
  return at === -1 ? [...events] : events.slice(0, at + 1);
};

// ---------------------------------------------------------------------------------------------------
// Checking the parser

/** Nesting of a parsed value, measured with a stack of our own (a bare container is 1). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, d);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

/** Problems with parseMessage's answer for one text; empty when it is right. */
function checkParse(text: string, wanted: string, rng: Rng): string[] {
  const problems: string[] = [];
  const parsed = parseMessage(text);
  if (summary(parsed) !== wanted) problems.push(`parsed as ${summary(parsed)}, wanted ${wanted}`);
  if (parsed.type === 'invalid') {
    if (!(parsed.error instanceof ProtocolError)) problems.push('an invalid message without a ProtocolError');
    if ((parsed.error.excerpt ?? '').length > 201) problems.push(`an excerpt of ${parsed.error.excerpt?.length} characters`);
  } else {
    // Whatever gets through can be walked by anyone's recursive code.
    try {
      JSON.stringify(parsed);
      structuredClone(parsed);
    } catch (e) {
      problems.push(`an accepted message that cannot be serialised: ${String(e)}`);
    }
  }
  if (parsed.type === 'request' && !Array.isArray(parsed.params) && Object.getPrototypeOf(parsed.params) !== Object.prototype) {
    problems.push('named params whose prototype was replaced');
  }
  if (parsed.type === 'error' && parsed.error.code !== null && text.includes('inherited')) problems.push('an error code read from a __proto__ member');
  // The depth limit, at a random limit too: too deep exactly when the JSON nests deeper than it.
  let value: unknown;
  let json = true;
  try {
    value = JSON.parse(text);
  } catch {
    json = false;
  }
  if (json) {
    const depth = depthOf(value);
    for (const maxDepth of [DEFAULT_MAX_DEPTH, rng.int(1, 70)]) {
      const m = parseMessage(text, { maxDepth });
      const tooDeep = m.type === 'invalid' && m.error.kind === 'too-deep';
      if (tooDeep !== depth > maxDepth) problems.push(`depth ${depth} at maxDepth ${maxDepth}: ${summary(m)}`);
    }
  }
  return problems;
}

function prototypesClean(): boolean {
  const probe = {} as Record<string, unknown>;
  return probe['x'] === undefined && probe['polluted'] === undefined && !Object.hasOwn(Object.prototype, 'x') && !Object.hasOwn(Object.prototype, 'polluted');
}

// ---------------------------------------------------------------------------------------------------

describe('framing fuzz: random streams of valid and hostile lines in random chunks', () => {
  it('the generator makes the lines it means to (self-check)', () => {
    for (const seed of SEEDS) {
      const stream = generateStream(seed);
      expect(difference(reference(stream.data, stream.max, 'skip'), stream.wanted), `seed ${seed}`).toBeUndefined();
      expect(stream.wanted.filter((s) => s.startsWith('M:')).length, `seed ${seed}`).toBe(stream.parsed.length);
    }
  });

  it.each(SEEDS)('seed %i: every decoder and mode delivers what the reference framer does, and nothing throws', (seed) => {
    const stream = generateStream(seed);
    const problems: string[] = [];
    let k = 0;
    for (const variant of ['platform', 'node', 'reused-buffer'] as const) {
      for (const mode of ['fail', 'skip'] as const) {
        const wanted = reference(stream.data, stream.max, mode);
        const expected = mode === 'fail' ? untilFirstOversize(stream.wanted) : stream.wanted;
        const refProblem = difference(wanted, expected);
        if (refProblem) problems.push(`${variant}/${mode}: the reference disagrees with the generator: ${refProblem}`);
        for (let chunking = 0; chunking < CHUNKINGS; chunking++) {
          const got = frame(stream, variant, mode, new Rng(seed * 1000 + k++));
          const problem = difference(got, wanted);
          if (problem) problems.push(`${variant}/${mode}, chunking ${chunking} (max ${stream.max}): ${problem}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(SEEDS)('seed %i: parseMessage classifies every delivered message as meant, never throws, and pollutes no prototype', (seed) => {
    const stream = generateStream(seed);
    const rng = new Rng(seed + 7);
    const texts = stream.wanted.filter((s) => s.startsWith('M:')).map((s) => s.slice(2));
    const problems = texts.flatMap((text, i) => checkParse(text, stream.parsed[i] as string, rng).map((p) => `message ${i} ${JSON.stringify(text.slice(0, 80))}: ${p}`));
    expect(problems).toEqual([]);
    expect(prototypesClean()).toBe(true);
  });

  it('a line exactly at the limit passes with \\n and with \\r\\n, one byte more fails, in every chunking', () => {
    const max = 5000;
    const rng = new Rng(99);
    const fits = sized(1, max, rng);
    const over = sized(2, max + 1, rng);
    const data = utf8(`${fits}\n${fits}\r\n${over}\n${fits}\n${over}\r\n${fits}\r\n`);
    for (let run = 0; run < 20; run++) {
      for (const options of [{ maxMessageSize: max, onOversize: 'skip' as const }, nodeFraming({ maxMessageSize: max, onOversize: 'skip' })]) {
        const framer = new NewlineFramer(options);
        const seen = randomChunks(data, rng).flatMap((c) => show(framer.push(c)));
        expect(seen).toEqual([`M:${fits}`, `M:${fits}`, '!oversize', `M:${fits}`, '!oversize', `M:${fits}`]);
      }
    }
  });
});
