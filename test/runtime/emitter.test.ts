// The emitter calls the listeners there were when an emit began, whatever the listeners do meanwhile;
// it keeps one array of them per event between changes instead of copying the set on every emit, so
// these pin down that the order and the snapshot rules are unchanged by that.
import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src/runtime/emitter.js';

type Events = { tick: [n: number, s: string]; other: [] };

describe('Emitter', () => {
  it('calls listeners in the order they were added, with the arguments as given, by emit and emitArgs alike', () => {
    const e = new Emitter<Events>();
    const seen: string[] = [];
    e.on('tick', (n, s) => seen.push(`a${n}${s}`));
    e.on('tick', (n, s) => seen.push(`b${n}${s}`));
    e.emit('tick', 1, 'x');
    e.emitArgs('tick', [2, 'y']);
    expect(seen).toEqual(['a1x', 'b1x', 'a2y', 'b2y']);
  });

  it('does not call, in the same emit, a listener added during it; calls it from the next emit on', () => {
    const e = new Emitter<Events>();
    const seen: string[] = [];
    let added = false;
    e.on('tick', (n) => {
      seen.push(`first${n}`);
      if (!added) {
        added = true;
        e.on('tick', (m) => seen.push(`late${m}`));
      }
    });
    e.emit('tick', 1, '');
    e.emit('tick', 2, '');
    expect(seen).toEqual(['first1', 'first2', 'late2']);
  });

  it('still calls, in the same emit, a listener removed during it; not from the next emit on', () => {
    const e = new Emitter<Events>();
    const seen: string[] = [];
    let offSecond = () => undefined as void;
    e.on('tick', (n) => {
      seen.push(`first${n}`);
      offSecond();
    });
    offSecond = e.on('tick', (n) => seen.push(`second${n}`));
    e.emit('tick', 1, '');
    e.emit('tick', 2, '');
    expect(seen).toEqual(['first1', 'second1', 'first2']);
  });

  it('once runs a listener one time; off and the remover stop a listener; events are kept apart', () => {
    const e = new Emitter<Events>();
    const seen: string[] = [];
    e.once('tick', (n) => seen.push(`once${n}`));
    const listener = (n: number) => seen.push(`on${n}`);
    e.on('tick', listener);
    const removeOther = e.on('other', () => seen.push('other'));
    e.emit('tick', 1, '');
    e.emit('tick', 2, '');
    e.off('tick', listener);
    e.emit('tick', 3, '');
    e.emit('other');
    removeOther();
    e.emit('other');
    expect(seen).toEqual(['once1', 'on1', 'on2', 'other']);
    expect(e.listenerCount('tick')).toBe(0);
  });

  it('emits to nobody before the first listener and after the last, then reaches a listener added later', () => {
    const e = new Emitter<Events>();
    const seen: number[] = [];
    e.emit('tick', 0, '');
    const off = e.on('tick', (n) => seen.push(n));
    e.emit('tick', 1, '');
    off();
    e.emit('tick', 2, '');
    e.on('tick', (n) => seen.push(n * 10));
    e.emit('tick', 3, '');
    expect(seen).toEqual([1, 30]);
  });

  it('reports a throwing listener and still calls the ones after it', () => {
    const errors: unknown[] = [];
    const e = new Emitter<Events>((error) => errors.push(error));
    const seen: number[] = [];
    e.on('tick', () => {
      throw new Error('boom');
    });
    e.on('tick', (n) => seen.push(n));
    e.emit('tick', 7, '');
    expect(seen).toEqual([7]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('boom');
  });
});
