// The newline framer: the same messages whatever the chunking, line endings, blank lines, padding,
// invalid UTF-8 and oversize lines in both modes; bounded buffering; encode then decode.
import { describe, expect, it } from 'vitest';
import { MessageTooLargeError, ProtocolError } from '../../src/runtime/errors.js';
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  encodeFrame,
  NewlineFramer,
  type FrameEvent,
  type FramerOptions,
} from '../../src/runtime/framing.js';
import { joinScratchLength, nodeDecodeUtf8, nodeFraming } from '../../src/runtime/node/tcp.js';
import { random } from '../helpers/random.js';
import { until } from '../helpers/wait.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const bytes = (...parts: (string | number[])[]): Uint8Array => {
  const arrays = parts.map((p) => (typeof p === 'string' ? utf8(p) : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
};

/** Events as plain values: a message's text, or `!CODE` / `!PROTOCOL:kind` for an error. */
type Seen = string;
const show = (events: FrameEvent[]): Seen[] =>
  events.map((e) =>
    e.type === 'message' ? e.text : e.error instanceof ProtocolError ? `!PROTOCOL:${e.error.kind}` : `!${e.error.code}`,
  );

function feed(chunks: Uint8Array[], options?: FramerOptions): Seen[] {
  const framer = new NewlineFramer(options);
  return chunks.flatMap((c) => show(framer.push(c)));
}

/** Whether two results are the same: loops compare with this and assert once, not once per case. */
const same = (a: readonly Seen[], b: readonly Seen[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Cuts data at the given sorted offsets. */
function cut(data: Uint8Array, offsets: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const o of [...offsets, data.length]) {
    chunks.push(data.subarray(start, o));
    start = o;
  }
  return chunks;
}

// A stream mixing everything the framer must cope with, and what it must deliver.
const STREAM = bytes(
  '{"id":1,"result":"é€😀"}\n',
  '\n',
  '{"id":2,"result":[1, 2]}\r\n',
  '   \t \r\n',
  '{"id":3,"result":null', ' '.repeat(300), '}\n',
  [0x7b, 0xff, 0x7d, 0x0a], // not UTF-8
  '\r\n',
  '{"method":"x","params":["\\n"]}\n',
);
const WANTED: Seen[] = [
  '{"id":1,"result":"é€😀"}',
  '{"id":2,"result":[1, 2]}',
  `{"id":3,"result":null${' '.repeat(300)}}`,
  '!PROTOCOL:invalid-utf8',
  '{"method":"x","params":["\\n"]}',
];

describe('chunking does not change the result', () => {
  it('delivers the stream in one chunk', () => {
    expect(feed([STREAM])).toEqual(WANTED);
  });

  it('delivers the same messages for a split at every byte', () => {
    const wrong: number[] = [];
    for (let i = 0; i <= STREAM.length; i++) if (!same(feed(cut(STREAM, [i])), WANTED)) wrong.push(i);
    expect(wrong, 'splits that changed the result').toEqual([]);
  });

  it('delivers the same messages one byte at a time', () => {
    expect(feed(cut(STREAM, Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1)))).toEqual(WANTED);
  });

  it('delivers the same messages for random multi-splits', () => {
    const next = random(20261124);
    const wrong: string[] = [];
    for (let run = 0; run < 300; run++) {
      const count = 1 + Math.floor(next() * 12);
      const offsets = Array.from({ length: count }, () => Math.floor(next() * (STREAM.length + 1))).sort((a, b) => a - b);
      if (!same(feed(cut(STREAM, offsets)), WANTED)) wrong.push(offsets.join(','));
    }
    expect(wrong, 'splits that changed the result').toEqual([]);
  });

  it('delivers many messages from one chunk, in order', () => {
    const texts = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ id: i, result: 'x'.repeat(i % 7) }));
    expect(feed([utf8(texts.map((t) => `${t}\n`).join(''))])).toEqual(texts);
  });

  it('returns only what each chunk completed', () => {
    const framer = new NewlineFramer();
    expect(show(framer.push(utf8('{"a":')))).toEqual([]);
    expect(show(framer.push(utf8('1}\n{"b":2}\n{"c"')))).toEqual(['{"a":1}', '{"b":2}']);
    expect(show(framer.push(utf8(':3}\n')))).toEqual(['{"c":3}']);
    expect(show(framer.push(new Uint8Array(0)))).toEqual([]);
  });

  it('does not depend on the caller keeping its buffer', () => {
    const framer = new NewlineFramer();
    const buffer = utf8('{"a":1');
    expect(framer.push(buffer)).toEqual([]);
    buffer.fill(0x78); // the transport reuses its read buffer
    expect(show(framer.push(utf8('}\n')))).toEqual(['{"a":1}']);
  });
});

describe('line endings, blank lines and padding', () => {
  it('strips one trailing \\r and keeps inner whitespace', () => {
    expect(feed([utf8('{"a":1}\r\n{ "b" :\t2 }\r\n\r\n')])).toEqual(['{"a":1}', '{ "b" :\t2 }']);
    expect(feed([utf8('{"a":1}\r\r\n')])).toEqual(['{"a":1}\r']);
  });

  it('emits nothing for blank and whitespace-only lines', () => {
    expect(feed([utf8('\n\n\r\n \n\t\t\n   \r\n')])).toEqual([]);
    expect(feed([utf8('\n \n{"a":1}\n\t\n')])).toEqual(['{"a":1}']);
  });

  it('delivers a reply padded with 13,000 spaces before its closing brace (ElectrumX)', () => {
    const padded = `{"jsonrpc":"2.0","result":{"height":5},"id":7${' '.repeat(13_000)}}`;
    const data = utf8(`${padded}\n`);
    for (const size of [1024, 4096, 65536]) {
      const chunks = cut(data, Array.from({ length: Math.floor(data.length / size) }, (_, i) => (i + 1) * size));
      const seen = feed(chunks);
      expect(seen).toEqual([padded]);
      expect(JSON.parse(seen[0] ?? '')).toEqual({ jsonrpc: '2.0', result: { height: 5 }, id: 7 });
    }
  });
});

describe('UTF-8', () => {
  it('joins a multi-byte character split across chunks', () => {
    const data = utf8('["😀€é"]\n');
    const wrong: string[] = [];
    for (let i = 0; i <= data.length; i++) {
      for (let j = i; j <= data.length; j++) if (!same(feed(cut(data, [i, j])), ['["😀€é"]'])) wrong.push(`${i},${j}`);
    }
    expect(wrong, 'splits that changed the result').toEqual([]);
  });

  it('reports a line that is not UTF-8 and delivers the next line', () => {
    const framer = new NewlineFramer();
    const events = framer.push(bytes('{"a":"', [0xc3, 0x28], '"}\n{"b":2}\n'));
    expect(show(events)).toEqual(['!PROTOCOL:invalid-utf8', '{"b":2}']);
    const error = events[0]?.type === 'error' ? events[0].error : undefined;
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error?.code).toBe('PROTOCOL');
    expect(error?.message).toBe('a line of 10 bytes is not valid UTF-8');
    expect((error as ProtocolError).excerpt).toBe('{"a":"\uFFFD("}');
  });

  it('reports a character cut by the newline, and one cut across chunks then broken', () => {
    expect(feed([bytes('["', [0xe2, 0x82], '\n["ok"]\n')])).toEqual(['!PROTOCOL:invalid-utf8', '["ok"]']);
    expect(feed([bytes('["', [0xf0, 0x9f]), bytes([0x41], '"]\n["ok"]\n')])).toEqual(['!PROTOCOL:invalid-utf8', '["ok"]']);
  });
});

describe('oversize messages', () => {
  const max = 10;
  const fits = '[1,2,3,44]'; // exactly 10 bytes
  const over = '[1,2,3,444]'; // 11 bytes

  it('accepts a message of exactly the limit, with \\n or \\r\\n, whole or split before the \\r', () => {
    expect(feed([utf8(`${fits}\n${fits}\r\n`)], { maxMessageSize: max })).toEqual([fits, fits]);
    expect(feed([utf8(`${fits}\r`), utf8('\n')], { maxMessageSize: max })).toEqual([fits]);
    expect(feed([utf8(fits), utf8('\r'), utf8('\n')], { maxMessageSize: max })).toEqual([fits]);
  });

  it("'fail' reports once, then delivers nothing until reset()", () => {
    const framer = new NewlineFramer({ maxMessageSize: max });
    const events = framer.push(utf8(`${fits}\n${over}\n${fits}\n`));
    expect(show(events)).toEqual([fits, '!MESSAGE_TOO_LARGE']);
    const error = events[1]?.type === 'error' ? events[1].error : undefined;
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect((error as MessageTooLargeError).limit).toBe(max);
    expect(framer.push(utf8(`${fits}\n`))).toEqual([]);
    expect(framer.push(utf8('x'.repeat(50)))).toEqual([]);
    expect(framer.pendingBytes).toBe(0);
    framer.reset();
    expect(show(framer.push(utf8(`${fits}\n`)))).toEqual([fits]);
  });

  it("'fail' detects a line over the limit across chunks before its newline arrives", () => {
    const framer = new NewlineFramer({ maxMessageSize: max });
    expect(framer.push(utf8('[1,2,'))).toEqual([]);
    expect(framer.push(utf8('3,44'))).toEqual([]);
    expect(framer.pendingBytes).toBe(9);
    expect(show(framer.push(utf8('44,5')))).toEqual(['!MESSAGE_TOO_LARGE']);
    expect(framer.pendingBytes).toBe(0);
    expect(framer.push(utf8(`]\n${fits}\n`))).toEqual([]);
  });

  it("'fail' waits for the byte after a \\r that is one over the limit", () => {
    const framer = new NewlineFramer({ maxMessageSize: max });
    expect(framer.push(utf8(`${fits}\r`))).toEqual([]);
    expect(framer.pendingBytes).toBe(max + 1);
    expect(show(framer.push(utf8('x')))).toEqual(['!MESSAGE_TOO_LARGE']);
  });

  it("'skip' reports the line, drops it and resynchronises at the next newline", () => {
    expect(feed([utf8(`${fits}\n${over}\n${fits}\r\n`)], { maxMessageSize: max, onOversize: 'skip' })).toEqual([
      fits,
      '!MESSAGE_TOO_LARGE',
      fits,
    ]);
  });

  it("'skip' reports a line over the limit across several chunks once, buffering nothing of it", () => {
    const framer = new NewlineFramer({ maxMessageSize: max, onOversize: 'skip' });
    expect(framer.push(utf8('[1,2,3,4'))).toEqual([]);
    expect(show(framer.push(utf8('5,6,7')))).toEqual(['!MESSAGE_TOO_LARGE']);
    expect(framer.pendingBytes).toBe(0);
    let events = 0;
    for (let i = 0; i < 100; i++) events += framer.push(utf8('8,9,10,11,12')).length;
    expect(events).toBe(0);
    expect(framer.pendingBytes).toBe(0);
    expect(show(framer.push(utf8(`]\n${fits}\n[1`)))).toEqual([fits]);
    expect(framer.pendingBytes).toBe(2);
    expect(show(framer.push(utf8(`]\n`)))).toEqual(['[1]']);
  });

  it("'skip' handles an oversize line split at every byte the same way", () => {
    const data = utf8(`${fits}\n${'x'.repeat(25)}\n${fits}\n`);
    const wrong: string[] = [];
    for (let i = 0; i <= data.length; i++) {
      for (let j = i; j <= data.length; j += 3) {
        if (!same(feed(cut(data, [i, j]), { maxMessageSize: max, onOversize: 'skip' }), [fits, '!MESSAGE_TOO_LARGE', fits])) wrong.push(`skip ${i},${j}`);
        if (!same(feed(cut(data, [i, j]), { maxMessageSize: max }), [fits, '!MESSAGE_TOO_LARGE'])) wrong.push(`fail ${i},${j}`);
      }
    }
    expect(wrong, 'splits that changed the result').toEqual([]);
  });

  it('never buffers more than the limit plus one byte', () => {
    const framer = new NewlineFramer({ maxMessageSize: max });
    let largest = 0;
    for (let i = 0; i < 20; i++) {
      framer.push(utf8('\r'));
      largest = Math.max(largest, framer.pendingBytes);
    }
    expect(largest).toBe(max + 1);
  });
});

describe('pendingBytes and reset()', () => {
  it('counts the bytes of the unfinished line', () => {
    const framer = new NewlineFramer();
    expect(framer.pendingBytes).toBe(0);
    framer.push(utf8('{"a"'));
    expect(framer.pendingBytes).toBe(4);
    framer.push(utf8(':"é'));
    expect(framer.pendingBytes).toBe(8);
    framer.push(utf8('"}\n{'));
    expect(framer.pendingBytes).toBe(1);
    framer.reset();
    expect(framer.pendingBytes).toBe(0);
    expect(show(framer.push(utf8('[]\n')))).toEqual(['[]']);
  });
});

describe('encodeFrame', () => {
  it('writes UTF-8 and one newline, and decodes back to the same text', () => {
    const json = JSON.stringify({ id: 1, method: 'server.version', params: ['é€😀', '1.4'] });
    const frame = encodeFrame(json);
    expect(frame).toBeInstanceOf(Uint8Array);
    expect(frame[frame.length - 1]).toBe(0x0a);
    expect(frame.length).toBe(utf8(json).length + 1);
    const framer = new NewlineFramer();
    expect(show(framer.push(frame))).toEqual([json]);
    expect(show(framer.push(bytes(...[json, json].map((j) => Array.from(encodeFrame(j))))))).toEqual([json, json]);
  });

  it('refuses JSON spread over several lines', () => {
    expect(() => encodeFrame(JSON.stringify({ a: 1 }, null, 2))).toThrow(RangeError);
  });
});

describe('options', () => {
  it('defaults to 8,100,000 bytes and fail', () => {
    const framer = new NewlineFramer();
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(8_100_000);
    expect(framer.maxMessageSize).toBe(DEFAULT_MAX_MESSAGE_SIZE);
    expect(framer.onOversize).toBe('fail');
    expect(new NewlineFramer({ maxMessageSize: undefined, onOversize: undefined }).maxMessageSize).toBe(8_100_000);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses maxMessageSize %s', (value) => {
    expect(() => new NewlineFramer({ maxMessageSize: value })).toThrow(RangeError);
  });

  it('uses a given decoder for lines and runs of lines, and reports what it refuses as invalid UTF-8', () => {
    const calls: number[] = [];
    const decode = (b: Uint8Array) => {
      calls.push(b.length);
      if (b.includes(0x21)) throw new TypeError('no "!" here');
      return new TextDecoder().decode(b).toUpperCase();
    };
    expect(feed([utf8('{"a":1}\n{"b":2}\n{"c!"}\n{"d":4}\n')], { decode })).toEqual(['{"A":1}', '{"B":2}', '!PROTOCOL:invalid-utf8', '{"D":4}']);
    expect(calls[0]).toBe(30); // the four lines (without the last newline) in one call first
    expect(() => new NewlineFramer({ decode: 'utf-8' as unknown as () => string })).toThrow(TypeError);
  });

  it('joins a line that came in several chunks in the array `allocate` makes, writing every byte of it', () => {
    const sizes: number[] = [];
    // Filled with '?': a byte the framer did not write would show in the text.
    const allocate = (n: number) => {
      sizes.push(n);
      return new Uint8Array(n).fill(0x3f);
    };
    expect(feed([utf8('{"a":'), utf8('12}\n{"b":1}\n{"c"'), utf8(':3}\r'), utf8('\n')], { allocate })).toEqual(['{"a":12}', '{"b":1}', '{"c":3}']);
    expect(sizes).toEqual([8, 8]);
    expect(() => new NewlineFramer({ allocate: 5 as unknown as () => Uint8Array })).toThrow(TypeError);
    const wrongSize = new NewlineFramer({ allocate: (n) => new Uint8Array(n + 1) });
    wrongSize.push(utf8('{"a":'));
    expect(() => wrongSize.push(utf8('1}\n'))).toThrow(RangeError);
  });

  it('refuses an unknown onOversize and a non-number size from untyped callers', () => {
    expect(() => new NewlineFramer({ onOversize: 'drop' as 'skip' })).toThrow(RangeError);
    expect(() => new NewlineFramer({ maxMessageSize: '100' as unknown as number })).toThrow(RangeError);
  });
});

describe('transferChunks', () => {
  it('keeps views of handed-over chunks instead of copies, but gathers small pieces', () => {
    const framer = new NewlineFramer({ transferChunks: true });
    expect(framer.transferChunks).toBe(true);
    const pad = ' '.repeat(5000);
    const first = utf8(`{"a":1${pad}`);
    expect(framer.push(first)).toEqual([]);
    // Breaking the promise shows the bytes were not copied: the framer sees the new contents.
    first.set(utf8('{"b"'), 0);
    expect(show(framer.push(utf8('}\n')))).toEqual([`{"b":1${pad}}`]);
    // A small piece is copied (into a buffer that gathers small pieces), so changing it changes nothing.
    const small = utf8('{"c":1');
    expect(framer.push(small)).toEqual([]);
    small.set(utf8('{"d"'), 0);
    expect(show(framer.push(utf8('}\n')))).toEqual(['{"c":1}']);
    expect(new NewlineFramer().transferChunks).toBe(false);
  });

  it('gathers a line trickled a byte at a time into a few buffers, and still frames it exactly', () => {
    // A byte per push: each piece its own array would cost over 100 bytes of memory per byte waiting.
    // Over 128 KiB: the gathering buffer grows from 256 bytes to its 64 KiB cap, fills, and two more follow.
    // The text counts up (no repeating pattern), so bytes joined out of order or twice cannot go unseen.
    const body = Array.from({ length: 35_000 }, (_, i) => i.toString(36)).join(',');
    const line = `{"id":1,"result":"${body}`;
    const large = ` ${body.slice(0, 5000)}`; // a piece over the 4 KiB gathering size, between small ones
    const end = '"}';
    expect(line.length).toBeGreaterThan(2 * 65536);
    for (const transferChunks of [false, true]) {
      const framer = new NewlineFramer({ maxMessageSize: 300_000, transferChunks });
      /** Pushes each byte on its own; returns what came out and the first push after which pendingBytes was wrong. */
      const trickle = (data: Uint8Array, pendingBefore: number) => {
        const seen: Seen[] = [];
        let miscounted: number | undefined;
        for (let i = 0; i < data.length; i++) {
          seen.push(...show(framer.push(data.subarray(i, i + 1))));
          if (miscounted === undefined && framer.pendingBytes !== pendingBefore + i + 1) miscounted = i;
        }
        return { seen, miscounted };
      };
      const start = utf8(line);
      expect(trickle(start, 0), `transferChunks ${transferChunks}`).toEqual({ seen: [], miscounted: undefined });
      // Small pieces are copied, even from handed-over chunks: the framer keeps no view of them.
      start.fill(0x78);
      // Mixed sizes: small pieces around a large one keep their order.
      expect(framer.push(utf8(large))).toEqual([]);
      const pending = start.length + large.length;
      expect(framer.pendingBytes).toBe(pending);
      expect(trickle(utf8(end), pending)).toEqual({ seen: [], miscounted: undefined });
      expect(show(framer.push(utf8('\r\n')))).toEqual([`${line}${large}${end}`]);
      expect(framer.pendingBytes).toBe(0);
    }
  });

  it('delivers the same messages for random multi-splits', () => {
    const next = random(7);
    const wrong: string[] = [];
    for (let run = 0; run < 200; run++) {
      const count = 1 + Math.floor(next() * 12);
      const offsets = Array.from({ length: count }, () => Math.floor(next() * (STREAM.length + 1))).sort((a, b) => a - b);
      if (!same(feed(cut(STREAM, offsets), { transferChunks: true }), WANTED)) wrong.push(offsets.join(','));
    }
    expect(wrong, 'splits that changed the result').toEqual([]);
  });
});

/**
 * The framer's contract stated the slow, obvious way: the whole stream split at every `\n`, each line
 * judged on its own, and the unfinished tail judged by its length alone. Chunking, the option to keep
 * chunks and the way complete lines are decoded together must never change what comes out.
 */
function reference(data: Uint8Array, max: number, onOversize: 'fail' | 'skip'): { seen: Seen[]; pending: number } {
  const seen: Seen[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 0x0a) continue;
    let line = data.subarray(start, i);
    start = i + 1;
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    if (line.length > max) {
      seen.push('!MESSAGE_TOO_LARGE');
      if (onOversize === 'fail') return { seen, pending: 0 };
      continue;
    }
    if (line.every((b) => b === 0x20 || b === 0x09 || b === 0x0d)) continue;
    try {
      seen.push(decoder.decode(line));
    } catch {
      seen.push('!PROTOCOL:invalid-utf8');
    }
  }
  const tail = data.length - start;
  if (tail > max + 1 || (tail === max + 1 && data[data.length - 1] !== 0x0d)) {
    seen.push('!MESSAGE_TOO_LARGE');
    return { seen, pending: 0 };
  }
  return { seen, pending: tail };
}

describe('the framer against the reference', () => {
  const pieces: (string | number[])[] = [
    '{"id":1}', '["é€😀"]', ' ', '\t', '\r', '\n', '\r\n', '\n\n', 'x'.repeat(9), 'y'.repeat(30),
    [0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x9f, 0x98, 0x80], [0xc3], [0xa9], [0xef, 0xbb, 0xbf], [0xef, 0xbb],
  ];

  it('agrees on random streams, chunkings, limits and modes', () => {
    const next = random(424242);
    const disagreements: { label: string; seen: Seen[]; pending: number; wanted: { seen: Seen[]; pending: number } }[] = [];
    for (let run = 0; run < 1500; run++) {
      const parts = Array.from({ length: Math.floor(next() * 40) }, () => pieces[Math.floor(next() * pieces.length)] as string | number[]);
      const data = bytes(...parts);
      const max = [4, 10, 16, 64, 1000][Math.floor(next() * 5)] as number;
      const onOversize = next() < 0.5 ? 'fail' : 'skip';
      const transferChunks = next() < 0.5;
      const count = Math.floor(next() * 10);
      const offsets = Array.from({ length: count }, () => Math.floor(next() * (data.length + 1))).sort((a, b) => a - b);
      const framer = new NewlineFramer({ maxMessageSize: max, onOversize, transferChunks });
      // Copies, so a framer keeping views cannot see later chunks through a shared buffer.
      const seen = cut(data, offsets).flatMap((c) => show(framer.push(c.slice())));
      const wanted = reference(data, max, onOversize);
      if (!same(seen, wanted.seen) || framer.pendingBytes !== wanted.pending) {
        const label = `run ${run}: max ${max} ${onOversize} transfer ${transferChunks} splits ${offsets.join(',')} data ${Array.from(data).join(',')}`;
        disagreements.push({ label, seen, pending: framer.pendingBytes, wanted });
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe('the Node set-up (nodeFraming)', () => {
  it('decodes like the fatal TextDecoder: ASCII through Buffer, anything else refused or kept as it is', () => {
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const long = 'a{"x":1}'.repeat(1000); // 8,000 bytes: over the size where Buffer takes over
    const cases = [
      utf8(long),
      utf8(`${long}é😀`),
      utf8(`\uFEFF${long}`),
      bytes(long, [0xff]),
      bytes(long, [0xc3]),
      bytes(long, [0xed, 0xa0, 0x80]), // an encoded surrogate
      utf8('short'),
      bytes('short', [0xff]),
      new Uint8Array(0),
    ];
    for (const data of cases) {
      let wanted: string | Error;
      try {
        wanted = strict.decode(data);
      } catch (e) {
        wanted = e as Error;
      }
      if (wanted instanceof Error) expect(() => nodeDecodeUtf8(data)).toThrow();
      else expect(nodeDecodeUtf8(data)).toBe(wanted);
    }
    // A view into a larger buffer decodes only its own bytes.
    const big = utf8(`xx${long}yy`);
    expect(nodeDecodeUtf8(big.subarray(2, 2 + long.length))).toBe(long);
  });

  it('frames long lines, split anywhere, the same as the platform-free framer', () => {
    const lines = [`{"a":"${'x'.repeat(9000)}"}`, `{"b":"${'é'.repeat(5000)}"}`, `\uFEFF{"c":"${'y'.repeat(5000)}"}`];
    const data = bytes(`${lines[0]}\n`, `${lines[1]}\r\n`, `${lines[2]}\n`, [0x7b, 0xff, ...utf8('z'.repeat(5000)), 0x0a], '{"d":1}\n');
    const wanted = feed([data]);
    expect(wanted).toEqual([lines[0], lines[1], lines[2]!.slice(1), '!PROTOCOL:invalid-utf8', '{"d":1}']);
    const next = random(99);
    const wrong: string[] = [];
    for (let run = 0; run < 100; run++) {
      const offsets = Array.from({ length: 1 + Math.floor(next() * 6) }, () => Math.floor(next() * (data.length + 1))).sort((a, b) => a - b);
      const framer = new NewlineFramer(nodeFraming(undefined));
      const seen = cut(data, offsets).flatMap((c) => show(framer.push(c.slice())));
      if (!same(seen, wanted)) wrong.push(offsets.join(','));
    }
    expect(wrong, 'splits that changed the result').toEqual([]);
  });

  it('frames long lines joined in the shared buffer as the reference does, two framers taking turns', () => {
    // Lines long enough to be joined in the shared buffer (64 KiB and more), with multi-byte characters,
    // invalid UTF-8 and byte order marks where chunk boundaries fall, CRLF, blank lines, and limits that
    // some lines reach exactly (LIMIT below) or pass by one byte.
    const LIMIT = 100_000;
    const atLimit = `{"a":"${'x'.repeat(LIMIT - 8)}"}`;
    const pieces: (string | number[])[] = [
      'x'.repeat(70_000), 'é'.repeat(40_000), '😀'.repeat(20_000), '{"id":1}', '"é€😀"', ' ', '\t', '\r', '\n', '\r\n', '\n\n',
      atLimit, `${atLimit}\n`, `${atLimit}\r\n`, `${atLimit}x\n`, [0xff], [0xf0, 0x9f, 0x98], [0x80], [0xef, 0xbb, 0xbf],
    ];
    const next = random(20261203);
    const wrong: string[] = [];
    for (let run = 0; run < 60; run++) {
      const streams = [0, 1].map(() => {
        const data = bytes(...Array.from({ length: 1 + Math.floor(next() * 12) }, () => pieces[Math.floor(next() * pieces.length)] as string | number[]));
        const max = [LIMIT, 150_000, 300_000][Math.floor(next() * 3)] as number;
        const onOversize: 'fail' | 'skip' = next() < 0.5 ? 'fail' : 'skip';
        // Mostly large chunks (kept as views), some small ones (gathered).
        const offsets = Array.from({ length: Math.floor(next() * 12) }, () => Math.floor(next() * (data.length + 1))).sort((a, b) => a - b);
        const chunks = cut(data, offsets);
        return { data, max, onOversize, chunks, framer: new NewlineFramer(nodeFraming({ maxMessageSize: max, onOversize })), seen: [] as Seen[] };
      });
      for (let i = 0; i < Math.max(...streams.map((x) => x.chunks.length)); i++) {
        for (const stream of streams) {
          const chunk = stream.chunks[i];
          if (chunk !== undefined) stream.seen.push(...show(stream.framer.push(chunk.slice())));
        }
      }
      for (const [which, stream] of streams.entries()) {
        const wanted = reference(stream.data, stream.max, stream.onOversize);
        if (!same(stream.seen, wanted.seen) || stream.framer.pendingBytes !== wanted.pending) wrong.push(`run ${run} framer ${which}`);
      }
    }
    expect(wrong, 'runs that differed from the reference').toEqual([]);
  });

  it('keeps one join buffer no longer than the longest line joined plus a MiB, and gives it back when idle', async () => {
    const MiB = 1024 * 1024;
    await until(() => joinScratchLength() === 0, 'the join buffer of earlier tests to be given back');
    const framer = new NewlineFramer(nodeFraming({ maxMessageSize: 4 * MiB }));
    const line = (size: number) => {
      const text = `"${'y'.repeat(size - 2)}"`;
      const data = utf8(`${text}\n`);
      expect(show(framer.push(data.subarray(0, 5000)).concat(framer.push(data.subarray(5000))))).toEqual([text]);
    };
    line(200_000);
    expect(joinScratchLength()).toBe(MiB);
    line(1_500_000);
    expect(joinScratchLength()).toBe(2 * MiB);
    line(300_000); // shorter lines reuse it
    line(6000); // and short ones take a Buffer of their own
    expect(joinScratchLength()).toBe(2 * MiB);
    await until(() => joinScratchLength() === 0, 'the join buffer to be given back');
  });

  it('keeps the caller\'s own framing options', () => {
    expect(nodeFraming({ maxMessageSize: 5, transferChunks: false })).toMatchObject({ maxMessageSize: 5, transferChunks: false, decode: nodeDecodeUtf8 });
    expect(nodeFraming(undefined)).toMatchObject({ transferChunks: true, decode: nodeDecodeUtf8 });
    // Its joining array is not zero-filled (the framer writes every byte of it) and has the size asked for.
    const { allocate } = nodeFraming(undefined);
    expect(allocate?.(100_000).length).toBe(100_000);
    expect(allocate?.(3).length).toBe(3);
  });
});
