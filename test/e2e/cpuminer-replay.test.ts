// What an unmodified cpuminer sent to the world, byte for byte, replayed over TCP. Debian has no
// cpuminer, so CI cannot run one; the session was recorded from the real program (see
// test/fixtures/cpuminer/README.md) against a world on a fixed clock, which makes every job, and so
// every recorded share, valid again on each replay.
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../src/regtest.js';

/** The world the session was recorded against. */
const RECORDED_WORLD = { now: () => 1_800_000_000, shareDifficulty: 1 / 4096 } as const;

interface Message {
  id?: number | string | null;
  method?: string;
  params?: unknown[];
  result?: unknown;
  error?: unknown;
}

/** Newline-delimited JSON off a socket, with a way to wait for the first message that matches. */
function lines(socket: Socket) {
  const seen: Message[] = [];
  const waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    buffer += text;
    let newline;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      const message = JSON.parse(buffer.slice(0, newline)) as Message;
      buffer = buffer.slice(newline + 1);
      seen.push(message);
      for (const w of [...waiters]) {
        if (w.match(message)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    }
  });
  return {
    seen,
    /** The first message from `from` on that matches, already received or still to come. */
    next(match: (m: Message) => boolean, from = 0): Promise<Message> {
      const found = seen.slice(from).find(match);
      return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

describe('an unmodified cpuminer 2.5.0 session, replayed against the world', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
  });

  it('answers its one-param subscribe, takes its 5-param submits that all reuse id 4, and makes each share a block', async () => {
    const sent = (await readFile(new URL('../fixtures/cpuminer/cpuminer-2.5.0-session.jsonl', import.meta.url), 'utf8')).split('\n').filter(Boolean);
    world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 }, ...RECORDED_WORLD });
    const url = new URL(world.urls.stratum.replace('stratum+tcp:', 'http:'));
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const wire = lines(socket);
    const results: Message[] = [];

    for (const line of sent) {
      const message = JSON.parse(line) as Message;
      if (message.method === undefined) {
        // cpuminer's answer to a request of the pool's: only once that request has arrived.
        await wire.next((m) => m.method !== undefined && m.id === message.id);
      } else if (message.method === 'mining.submit') {
        // A share for a job: only once that job was notified, and after the previous share's answer,
        // since every submit has the same id.
        const jobId = message.params?.[1];
        await wire.next((m) => m.method === 'mining.notify' && m.params?.[0] === jobId);
      }
      const from = wire.seen.length;
      socket.write(`${line}\n`);
      if (message.method === 'mining.submit') {
        const reply = await wire.next((m) => m.method === undefined && m.id === message.id, from);
        // A refused share ends the replay here: no block, so the next job would never come.
        expect(reply, `the answer to ${line}`).toEqual({ id: 4, result: true, error: null });
        results.push(reply);
      }
    }
    socket.destroy();

    expect(sent[0]).toBe('{"id": 1, "method": "mining.subscribe", "params": ["cpuminer/2.5.0"]}');
    expect(results).toHaveLength(22);
    expect(world.chain.height).toBe(22);
    const subscribeReply = wire.seen.find((m) => m.id === 1 && m.method === undefined);
    expect(subscribeReply).toMatchObject({ result: [expect.any(Array), '00000001', 4], error: null });
  });
});
