// The byte-stream transport without sockets: requests sent in one turn go out in one write, as bytes
// or, for a stream that takes text (a Node socket), as text; a message with a newline is refused at
// once; close() still writes what was sent before it; replies are framed from the chunks.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ClosedError } from '../../src/runtime/errors.js';
import { byteStreamTransport, type ByteStream, type TransportHandlers } from '../../src/runtime/transport.js';

class FakeStream extends EventEmitter implements ByteStream {
  readonly writes: Uint8Array[] = [];
  destroyed = false;
  write(data: Uint8Array): boolean {
    this.writes.push(data);
    return true;
  }
  destroy(): void {
    this.destroyed = true;
    // As a Node socket does: 'close' comes after destroy() returns.
    queueMicrotask(() => this.emit('close'));
  }
}

function handlers() {
  const messages: string[] = [];
  const closes: unknown[] = [];
  const h: TransportHandlers = { message: (t) => messages.push(t), error: () => undefined, close: (e) => closes.push(e) };
  return { h, messages, closes };
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const turn = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('writes', () => {
  it('coalesces the messages of one turn into one write of bytes', async () => {
    const stream = new FakeStream();
    const t = byteStreamTransport(stream, handlers().h, {}, { coalesce: true });
    t.send('{"a":1}');
    t.send('{"b":"é"}');
    expect(stream.writes).toHaveLength(0);
    await turn();
    expect(stream.writes.map(text)).toEqual(['{"a":1}\n{"b":"é"}\n']);
  });

  it('writes text to a stream that takes it, coalesced or not, and never its bytes', async () => {
    for (const coalesce of [true, false]) {
      const stream = new FakeStream();
      const written: string[] = [];
      const t = byteStreamTransport(stream, handlers().h, {}, { coalesce, writeText: (s) => written.push(s) });
      t.send('{"a":1}');
      t.send('{"b":"é😀"}');
      await turn();
      expect(written.join(''), `coalesce ${coalesce}`).toBe('{"a":1}\n{"b":"é😀"}\n');
      expect(written).toHaveLength(coalesce ? 1 : 2);
      expect(stream.writes).toHaveLength(0);
    }
  });

  it('refuses a message with a newline when it is sent, not later', () => {
    for (const writeText of [undefined, () => undefined]) {
      const t = byteStreamTransport(new FakeStream(), handlers().h, {}, { coalesce: true, writeText });
      expect(() => t.send('{"a":\n1}')).toThrow(RangeError);
    }
  });

  it('writes what was sent before close(), then nothing; sending after close throws', async () => {
    const stream = new FakeStream();
    const written: string[] = [];
    const { h, closes } = handlers();
    const t = byteStreamTransport(stream, h, {}, { coalesce: true, writeText: (s) => written.push(s) });
    t.send('{"last":true}');
    t.close();
    expect(written).toEqual(['{"last":true}\n']);
    expect(stream.destroyed).toBe(true);
    expect(closes).toEqual([undefined]);
    expect(() => t.send('{}')).toThrow(ClosedError);
    await turn();
    expect(written).toHaveLength(1);
  });
});

describe('reads', () => {
  it('frames replies from the chunks, keeping handed-over chunks when told to', () => {
    for (const transferChunks of [false, true]) {
      const stream = new FakeStream();
      const { h, messages } = handlers();
      byteStreamTransport(stream, h, { transferChunks });
      const bytes = new TextEncoder().encode('{"id":1}\n{"id":2,"result":"é"}\r\n{"id"');
      stream.emit('data', bytes.subarray(0, 5));
      stream.emit('data', bytes.subarray(5, 20));
      stream.emit('data', bytes.subarray(20));
      stream.emit('data', new TextEncoder().encode(':3}\n'));
      expect(messages).toEqual(['{"id":1}', '{"id":2,"result":"é"}', '{"id":3}']);
    }
  });
});

describe('one read, several messages', () => {
  // The transport hands each message and framing error to its handlers as the framer finds them
  // (framer.pushTo): in wire order, and nothing more of the read once the connection has ended.
  const read = (...lines: (string | number[])[]) => {
    const parts = lines.map((l) => (typeof l === 'string' ? new TextEncoder().encode(`${l}\n`) : Uint8Array.from([...l, 0x0a])));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };

  it('delivers messages and framing errors in wire order', () => {
    const stream = new FakeStream();
    const seen: string[] = [];
    byteStreamTransport(stream, { message: (t) => seen.push(t), error: (e) => seen.push(`error ${e.code}`), close: () => seen.push('close') }, {});
    stream.emit('data', read('{"id":1}', [0xff, 0xfe], '{"id":2}'));
    expect(seen).toEqual(['{"id":1}', 'error PROTOCOL', '{"id":2}']);
  });

  it('delivers nothing more of a read once a handler closed the transport', () => {
    const stream = new FakeStream();
    const seen: string[] = [];
    const transport = byteStreamTransport(stream, {
      message: (t) => {
        seen.push(t);
        if (t === '{"id":2}') void transport.close();
      },
      error: (e) => seen.push(`error ${e.code}`),
      close: () => seen.push('close'),
    }, {});
    stream.emit('data', read('{"id":1}', '{"id":2}', '{"id":3}', [0xff]));
    stream.emit('data', read('{"id":4}'));
    expect(seen).toEqual(['{"id":1}', '{"id":2}', 'close']);
  });

  it('fails the connection when a handler throws, and delivers nothing more of the read', () => {
    const stream = new FakeStream();
    const seen: string[] = [];
    const closes: unknown[] = [];
    byteStreamTransport(stream, {
      message: (t) => {
        seen.push(t);
        if (t === '{"id":1}') throw new Error('handler broke');
      },
      error: () => undefined,
      close: (e) => closes.push(e),
    }, {});
    stream.emit('data', read('{"id":1}', '{"id":2}'));
    expect(seen).toEqual(['{"id":1}']);
    expect(closes).toHaveLength(1);
    expect(closes[0]).toBeInstanceOf(ClosedError);
    expect((closes[0] as Error).message).toContain('handler broke');
    expect(stream.destroyed).toBe(true);
  });

  it('ends at an oversize line: the messages before it are delivered, none after', () => {
    const stream = new FakeStream();
    const seen: string[] = [];
    const closes: unknown[] = [];
    byteStreamTransport(stream, { message: (t) => seen.push(t), error: (e) => seen.push(`error ${e.code}`), close: (e) => closes.push(e) }, { maxMessageSize: 20 });
    stream.emit('data', read('{"id":1}', `{"id":2,"x":"${'y'.repeat(30)}"}`, '{"id":3}'));
    expect(seen).toEqual(['{"id":1}']);
    expect((closes[0] as { code?: string }).code).toBe('MESSAGE_TOO_LARGE');
  });
});
