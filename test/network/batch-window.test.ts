// The network's window of batches on the wire: at most BATCH_WINDOW sent and unanswered at once, the others sent in
// order as answers come; each answer handed to its own `after`, the next batch sent before that runs; a batch that
// fails to send or is refused leaves its place all the same, so nothing waits for ever.
import { describe, expect, it } from 'vitest';
import { BATCH_WINDOW, BatchWindow, each } from '../../src/network/batch-window.js';
// A send whose answer the test gives (or refuses) when it likes.
import { deferred } from '../fuzz/helpers.js';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('BatchWindow', () => {
  it('keeps at most BATCH_WINDOW batches unanswered, sends the rest in order as answers come, and gives each answer to its own after', async () => {
    const window = new BatchWindow();
    const log: string[] = [];
    const answers = Array.from({ length: BATCH_WINDOW * 2 + 3 }, () => deferred<number>());
    let onWire = 0;
    let most = 0;
    const done = each([...answers.keys()], (i) =>
      window.onWire(
        () => {
          log.push(`send ${i}`);
          most = Math.max(most, ++onWire);
          return (answers[i] as (typeof answers)[number]).promise;
        },
        (answer) => {
          log.push(`after ${i}: ${answer}`);
        },
      ),
    );
    expect(log).toEqual(Array.from({ length: BATCH_WINDOW }, (_, i) => `send ${i}`));
    // Answered out of order: each answer frees one place, taken by the next batch in line, sent before `after` runs.
    for (const i of [3, 0, 1, 2]) {
      onWire--;
      answers[i]!.resolve(i * 10);
      await settle();
    }
    expect(log.slice(BATCH_WINDOW)).toEqual(['send 8', 'after 3: 30', 'send 9', 'after 0: 0', 'send 10', 'after 1: 10', 'send 11', 'after 2: 20']);
    for (let i = 4; i < answers.length; i++) {
      onWire--;
      answers[i]!.resolve(i * 10);
      await settle();
    }
    await expect(done).resolves.toBeUndefined();
    expect(most).toBe(BATCH_WINDOW);
    expect(log.filter((l) => l.startsWith('after')).length).toBe(answers.length);
  });

  it('frees the place of a batch that fails to send, is refused, or whose after throws, and rejects that batch alone', async () => {
    const window = new BatchWindow();
    const held = Array.from({ length: BATCH_WINDOW - 1 }, () => deferred<string>());
    const waiting = held.map((d) => window.onWire(() => d.promise, () => undefined));
    const thrown = window.onWire(
      () => {
        throw new Error('could not send');
      },
      () => undefined,
    );
    await expect(thrown).rejects.toThrow('could not send');
    const refused = deferred<string>();
    const refusedDone = window.onWire(() => refused.promise, () => undefined);
    let afterRan = false;
    const bad = window.onWire(
      () => Promise.resolve('answer'),
      () => {
        afterRan = true;
        throw new Error('a lie');
      },
    );
    refused.reject(new Error('timeout'));
    await expect(refusedDone).rejects.toThrow('timeout');
    await expect(bad).rejects.toThrow('a lie');
    expect(afterRan).toBe(true);
    // Each of the three left its place: with BATCH_WINDOW - 1 held, a new batch still goes at once.
    let sent = false;
    const last = window.onWire(
      () => {
        sent = true;
        return Promise.resolve('x');
      },
      () => undefined,
    );
    expect(sent).toBe(true);
    await last;
    for (const d of held) d.resolve('ok');
    await Promise.all(waiting);
  });
});
