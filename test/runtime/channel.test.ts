import { describe, expect, it } from 'vitest';
import { Channel } from '../../src/runtime/channel.js';
import { ClosedError, OverflowError } from '../../src/runtime/errors.js';

describe('Channel', () => {
  it('hands values to a waiting reader and queues them for a later one, in order', async () => {
    const c = new Channel<number>('t', 10, () => undefined);
    const first = c.next();
    c.push(1);
    c.push(2);
    c.push(3);
    expect(await first).toEqual({ value: 1, done: false });
    expect(await c.next()).toEqual({ value: 2, done: false });
    expect(await c.next()).toEqual({ value: 3, done: false });
  });

  it('delivers what is queued before ending, then throws the error once', async () => {
    let done = 0;
    const c = new Channel<number>('t', 10, () => done++);
    c.push(1);
    c.end(new ClosedError('gone'));
    c.end();
    expect(done).toBe(1);
    expect(await c.next()).toEqual({ value: 1, done: false });
    await expect(c.next()).rejects.toBeInstanceOf(ClosedError);
    expect(await c.next()).toEqual({ value: undefined, done: true });
  });

  it('fails a reader that falls behind instead of growing without bound', async () => {
    const c = new Channel<number>('slow', 2, () => undefined);
    c.push(1);
    c.push(2);
    c.push(3);
    c.push(4); // ignored: the channel has ended
    expect(c.done).toBe(true);
    expect((await c.next()).value).toBe(1);
    expect((await c.next()).value).toBe(2);
    await expect(c.next()).rejects.toBeInstanceOf(OverflowError);
  });

  it('break in a for-await loop ends it and drops the queue', async () => {
    let done = false;
    const c = new Channel<number>('t', 100, () => (done = true));
    for (let i = 0; i < 5; i++) c.push(i);
    for await (const v of c) if (v === 1) break;
    expect(done).toBe(true);
    expect(await c.next()).toEqual({ value: undefined, done: true });
  });

  it('keeps order across compaction of a long queue', async () => {
    const c = new Channel<number>('t', 5000, () => undefined);
    for (let i = 0; i < 3000; i++) c.push(i);
    const out: number[] = [];
    for (let i = 0; i < 3000; i++) out.push((await c.next()).value as number);
    expect(out).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });
});
