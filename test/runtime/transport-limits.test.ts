// The transports' own bounds on a peer: a handler that throws ends only its connection (TCP framing
// and WebSocket alike); writes to a peer that does not read are capped; an unfinished message may wait
// only so long for its end.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClosedError, OverflowError, type StratumSdkError } from '../../src/runtime/errors.js';
import { byteStreamTransport, messageSocketTransport, type ByteStream, type MessageSocket, type TransportHandlers } from '../../src/runtime/transport.js';

class FakeStream extends EventEmitter implements ByteStream {
  writableLength = 0;
  destroyed = false;
  write(data: Uint8Array): boolean {
    this.writableLength += data.length;
    return false;
  }
  destroy(): void {
    this.destroyed = true;
    queueMicrotask(() => this.emit('close'));
  }
}

class FakeSocket implements MessageSocket {
  bufferedAmount = 0;
  closedWith: number | undefined;
  readonly #listeners = new Map<string, ((event: never) => void)[]>();
  send(data: string): void {
    this.bufferedAmount += data.length;
  }
  close(code?: number): void {
    this.closedWith = code ?? 1005;
  }
  addEventListener(type: string, listener: (event: never) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  emit(type: string, event: unknown): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event as never);
  }
}

function recorder(onMessage: (text: string) => void = () => undefined) {
  const closes: (StratumSdkError | undefined)[] = [];
  const handlers: TransportHandlers = { message: onMessage, error: () => undefined, close: (e) => closes.push(e) };
  return { handlers, closes };
}

const bytes = (text: string) => new TextEncoder().encode(text);

afterEach(() => {
  vi.useRealTimers();
});

describe('a handler that throws', () => {
  it('ends a byte-stream connection with a ClosedError that keeps the cause, and nothing escapes', () => {
    const stream = new FakeStream();
    const boom = new RangeError('Maximum call stack size exceeded');
    const { handlers, closes } = recorder(() => {
      throw boom;
    });
    byteStreamTransport(stream, handlers);
    expect(() => stream.emit('data', bytes('{"id":1}\n{"id":2}\n'))).not.toThrow();
    expect(stream.destroyed).toBe(true);
    expect(closes).toHaveLength(1);
    expect(closes[0]).toBeInstanceOf(ClosedError);
    expect(closes[0]?.message).toMatch(/handling its input failed: Maximum call stack/);
    expect(closes[0]?.cause).toBe(boom);
    // Later bytes are ignored: the connection is over.
    stream.emit('data', bytes('{"id":3}\n'));
    expect(closes).toHaveLength(1);
  });

  it('ends a WebSocket connection the same way, with close code 1011', () => {
    const socket = new FakeSocket();
    const { handlers, closes } = recorder(() => {
      throw new Error('handler bug');
    });
    messageSocketTransport(socket, handlers);
    expect(() => socket.emit('message', { data: '{"id":1}' })).not.toThrow();
    expect(socket.closedWith).toBe(1011);
    expect(closes[0]).toBeInstanceOf(ClosedError);
    expect(closes[0]?.message).toMatch(/handler bug/);
  });
});

describe('writes to a peer that does not read', () => {
  it('fail the byte-stream connection with an OverflowError past maxBufferedBytes', () => {
    const stream = new FakeStream();
    const { handlers, closes } = recorder();
    const t = byteStreamTransport(stream, handlers, {}, { maxBufferedBytes: 1000 });
    const line = `{"id":1,"result":"${'a'.repeat(80)}"}`;
    let sent = 0;
    let error: unknown;
    try {
      for (;;) {
        t.send(line);
        sent++;
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OverflowError);
    expect((error as OverflowError).message).toMatch(/not reading: more than 1000 bytes/);
    expect(sent * (line.length + 1)).toBeLessThanOrEqual(1000);
    expect(stream.destroyed).toBe(true);
    expect(closes).toEqual([error]);
    expect(() => t.send('{}')).toThrow(OverflowError);
  });

  it('count what a coalescing transport holds for the end of the turn', () => {
    const stream = new FakeStream();
    const t = byteStreamTransport(stream, recorder().handlers, {}, { coalesce: true, maxBufferedBytes: 100 });
    t.send('x'.repeat(60));
    expect(() => t.send('x'.repeat(60))).toThrow(OverflowError);
    expect(stream.destroyed).toBe(true);
  });

  it('fail a WebSocket connection past its bufferedAmount limit, with close code 1008', () => {
    const socket = new FakeSocket();
    const { handlers, closes } = recorder();
    const t = messageSocketTransport(socket, handlers, { maxBufferedBytes: 100 });
    t.send('x'.repeat(90));
    expect(() => t.send('x'.repeat(20))).toThrow(OverflowError);
    expect(socket.closedWith).toBe(1008);
    expect(closes[0]).toBeInstanceOf(OverflowError);
  });

  it('refuse a limit that is not a number >= 0', () => {
    expect(() => byteStreamTransport(new FakeStream(), recorder().handlers, {}, { maxBufferedBytes: -1 })).toThrow(RangeError);
    expect(() => messageSocketTransport(new FakeSocket(), recorder().handlers, { maxBufferedBytes: Number.NaN })).toThrow(RangeError);
  });
});

describe('partialMessageTimeout', () => {
  it('closes a connection whose unfinished message trickles in past the limit', () => {
    vi.useFakeTimers();
    const stream = new FakeStream();
    const { handlers, closes } = recorder();
    byteStreamTransport(stream, handlers, {}, { partialMessageTimeout: 1000 });
    for (let second = 0; second < 5 && closes.length === 0; second++) {
      stream.emit('data', bytes('['));
      vi.advanceTimersByTime(400);
    }
    expect(closes).toHaveLength(1);
    expect(closes[0]).toBeInstanceOf(ClosedError);
    expect(closes[0]?.message).toMatch(/unfinished message \(\d+ bytes so far\) waited \d+ ms/);
    expect(stream.destroyed).toBe(true);
  });

  it('times each message from its own first byte: complete messages, however slow between them, are kept', () => {
    vi.useFakeTimers();
    const stream = new FakeStream();
    const messages: string[] = [];
    const { handlers, closes } = recorder((t) => messages.push(t));
    byteStreamTransport(stream, handlers, {}, { partialMessageTimeout: 1000 });
    for (let i = 0; i < 10; i++) {
      // Each message takes 600 ms from its first byte to its newline, and the next starts in the same read.
      stream.emit('data', bytes(i === 0 ? '{"id":' : `${i - 1}}\n{"id":`));
      vi.advanceTimersByTime(600);
    }
    stream.emit('data', bytes('9}\n'));
    vi.advanceTimersByTime(5000); // nothing unfinished: no limit applies to silence
    expect(closes).toEqual([]);
    expect(messages).toHaveLength(10);
  });

  it('does not age a message while the owner has stopped reading', () => {
    vi.useFakeTimers();
    const stream = new FakeStream() as FakeStream & { paused: boolean; isPaused(): boolean };
    stream.paused = false;
    stream.isPaused = () => stream.paused;
    const { handlers, closes } = recorder();
    byteStreamTransport(stream, handlers, {}, { partialMessageTimeout: 1000 });
    stream.emit('data', bytes('{"id":'));
    stream.paused = true; // a server over its pending limit stops reading
    vi.advanceTimersByTime(10_000);
    expect(closes).toEqual([]);
    stream.paused = false;
    vi.advanceTimersByTime(2_000);
    expect(closes).toHaveLength(1);
  });

  it('is off by default', () => {
    vi.useFakeTimers();
    const stream = new FakeStream();
    const { handlers, closes } = recorder();
    byteStreamTransport(stream, handlers);
    stream.emit('data', bytes('['));
    vi.advanceTimersByTime(3_600_000);
    expect(closes).toEqual([]);
  });
});
