// Reconnect ordering: after a reconnect the renewal answers and the notifications of the new connection
// are taken in the order the server wrote them, whatever reaches the client in one read, so the client
// ends on the server's latest status and never emits an older status after a newer one.
import { afterEach, describe, expect, it } from 'vitest';
import { ElectrumClient, type ElectrumSubscription } from '../../src/electrum.js';
import { streamConnector, type ByteStream } from '../../src/runtime/transport.js';
import { reply, startLineServer, type LineServer, type ScriptedConnection } from '../helpers/line-server.js';
import { random } from '../helpers/random.js';

const SUBSCRIBE = 'blockchain.scripthash.subscribe';
const SH = '8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161';
const SH2 = 'a'.repeat(64);
/** Status number n: statuses only ever grow here, so "older" is "smaller". */
const st = (n: number) => n.toString(16).padStart(64, '0');
const notification = (sh: string, status: string | null) => ({ jsonrpc: '2.0', method: SUBSCRIBE, params: [sh, status] });
const line = (message: unknown) => `${JSON.stringify(message)}\n`;
const RECONNECT = { initialDelay: 0, maxDelay: 5, jitter: 0 };

let server: LineServer | undefined;
let client: ElectrumClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  client = server = undefined;
});

type Received = { readonly message: Record<string, unknown>; readonly conn: ScriptedConnection };

/** The requests a scripted server got (server.version aside), handed out in arrival order. */
class Inbox {
  readonly #items: Received[] = [];
  readonly #waiting: ((r: Received) => void)[] = [];

  push(r: Received): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter(r);
    else this.#items.push(r);
  }

  next(): Promise<Received> {
    const r = this.#items.shift();
    return r ? Promise.resolve(r) : new Promise((resolve) => this.#waiting.push(resolve));
  }

  async expect(method: string): Promise<Received> {
    const r = await this.next();
    expect(r.message['method']).toBe(method);
    return r;
  }
}

/** A client subscribed to SH (status 1) on a scripted server; `seen` has every status emitted for SH. */
async function subscribed() {
  const inbox = new Inbox();
  server = await startLineServer((message, conn) => inbox.push({ message, conn }));
  const c = new ElectrumClient(server.url, { keepAlive: false, reconnect: RECONNECT });
  client = c;
  const seen: (string | null)[] = [];
  c.on(SUBSCRIBE, (sh, status) => sh === SH && seen.push(status));
  await c.connect();
  const subscribing = c.subscribe(SUBSCRIBE, [SH]);
  const first = await inbox.expect(SUBSCRIBE);
  first.conn.send(reply(first.message, st(1)));
  const sub = await subscribing;
  expect(sub.initial).toBe(st(1));

  let conn = first.conn;
  return {
    inbox,
    seen,
    sub,
    client: c,
    /** Drops the connection; resolves with the renewal the client sends on the next one. */
    async dropAndRenew(): Promise<Received> {
      conn.socket.destroy();
      const renewal = await inbox.expect(SUBSCRIBE);
      expect(renewal.conn).not.toBe(conn);
      expect(renewal.message['params']).toEqual([SH]);
      conn = renewal.conn;
      return renewal;
    },
    /** Resolves once the client has handled everything written before: the ping's answer comes after it. */
    async settle(): Promise<void> {
      const ping = c.server.ping();
      const r = await inbox.expect('server.ping');
      r.conn.send(reply(r.message, null));
      await ping;
    },
  };
}

type Setup = Awaited<ReturnType<typeof subscribed>>;

/**
 * What the client stores for SH: one more reconnect whose renewal answers `status` must emit nothing,
 * which holds only if the stored value is `status` (a stale one would differ and be emitted).
 */
async function expectStored(t: Setup, status: string) {
  const before = [...t.seen];
  const renewal = await t.dropAndRenew();
  renewal.conn.send(reply(renewal.message, status));
  await t.settle();
  expect(t.seen).toEqual(before);
}

/** The values an iterator holds now, without waiting for more. */
async function buffered<M extends typeof SUBSCRIBE>(sub: ElectrumSubscription<M>, count: number): Promise<unknown[]> {
  const values: unknown[] = [];
  for (let i = 0; i < count; i++) values.push((await sub.next()).value);
  const more = await Promise.race([sub.next().then((r) => r.value), Promise.resolve('nothing more')]);
  values.push(more);
  return values;
}

describe('reconnect: renewal answers and notifications in one read', () => {
  it('a changed renewal answer, then a newer notification: both emitted, in that order', async () => {
    const t = await subscribed();
    const renewal = await t.dropAndRenew();
    // One write: the client reads both in one chunk.
    renewal.conn.raw(line(reply(renewal.message, st(2))) + line(notification(SH, st(3))));
    await t.settle();
    expect(t.seen).toEqual([st(2), st(3)]);
    expect(await buffered(t.sub, 2)).toEqual([[SH, st(2)], [SH, st(3)], 'nothing more']);
    await expectStored(t, st(3));
  });

  it('a notification written before the renewal answer is newer than it: the answer is not emitted after it', async () => {
    // ElectrumX stores a subscription only once its status is computed, and our server computes it as it
    // stores it, so a notification can only be about a later change, even when written before the answer.
    const t = await subscribed();
    const renewal = await t.dropAndRenew();
    renewal.conn.raw(line(notification(SH, st(3))) + line(reply(renewal.message, st(2))));
    await t.settle();
    expect(t.seen).toEqual([st(3)]);
    expect(await buffered(t.sub, 1)).toEqual([[SH, st(3)], 'nothing more']);
    await expectStored(t, st(3));
  });

  it('a server that stores the subscription before computing the answer notifies the later change too', async () => {
    // The one order where the answer is the newer: the change it reflects came after the subscription was
    // stored, so that server also notifies it; the answer is not needed for the client to get there.
    const t = await subscribed();
    const renewal = await t.dropAndRenew();
    renewal.conn.raw(line(notification(SH, st(2))) + line(reply(renewal.message, st(3))) + line(notification(SH, st(3))));
    await t.settle();
    expect(t.seen).toEqual([st(2), st(3)]);
    await expectStored(t, st(3));
  });

  it('an unchanged renewal answer emits nothing, and a notification after it is emitted', async () => {
    const t = await subscribed();
    const renewal = await t.dropAndRenew();
    renewal.conn.raw(line(reply(renewal.message, st(1))) + line(notification(SH, st(2))));
    await t.settle();
    expect(t.seen).toEqual([st(2)]);
    await expectStored(t, st(2));
  });

  it('a subscribe of the same script hash during the renewal, answered first: its answer is the news, the older renewal answer is dropped', async () => {
    // ElectrumX answers requests as they finish, not as they came: the later subscribe's answer may come
    // first. The change it shows happened while away, so the existing subscription hears of it too.
    const t = await subscribed();
    const renewal = await t.dropAndRenew();
    const again = t.client.subscribe(SUBSCRIBE, [SH]);
    const user = await t.inbox.expect(SUBSCRIBE);
    renewal.conn.raw(line(reply(user.message, st(3))) + line(reply(renewal.message, st(2))));
    expect((await again).initial).toBe(st(3));
    await t.settle();
    expect(t.seen).toEqual([st(3)]);
    expect(await buffered(t.sub, 1)).toEqual([[SH, st(3)], 'nothing more']);
    await expectStored(t, st(3));
  });

  it('a subscribe of another script hash during the renewal does not disturb it', async () => {
    const t = await subscribed();
    const renewal = await t.dropAndRenew();
    const other = t.client.subscribe(SUBSCRIBE, [SH2]);
    const user = await t.inbox.expect(SUBSCRIBE);
    renewal.conn.raw(line(reply(user.message, st(7))) + line(reply(renewal.message, st(2))) + line(notification(SH2, st(8))));
    expect((await other).initial).toBe(st(7));
    await t.settle();
    expect(t.seen).toEqual([st(2)]);
    expect(t.client.subscriptionCount).toBe(2);
  });

  it('a subscription ended while its renewal is in flight: the answer is not emitted, nothing is reported lost', async () => {
    const t = await subscribed();
    const lost: string[] = [];
    t.client.on('subscription-lost', (method) => lost.push(method));
    const renewal = await t.dropAndRenew();
    await t.sub.unsubscribe(); // 1.4 has no unsubscribe method: it ends locally
    expect(t.client.subscriptionCount).toBe(0);
    renewal.conn.raw(line(reply(renewal.message, st(2))));
    await t.settle();
    expect(t.seen).toEqual([]);
    expect(lost).toEqual([]);
    expect(t.client.subscriptionCount).toBe(0);
  });

  it('a second drop before the renewal is answered: the next connection renews from the last status seen', async () => {
    const t = await subscribed();
    let renewal = await t.dropAndRenew();
    renewal.conn.raw(line(notification(SH, st(2))));
    await t.settle();
    renewal = await t.dropAndRenew(); // never answered
    renewal = await t.dropAndRenew();
    renewal.conn.raw(line(reply(renewal.message, st(4))) + line(notification(SH, st(5))));
    await t.settle();
    expect(t.seen).toEqual([st(2), st(4), st(5)]);
    await expectStored(t, st(5));
  });
});

// -------------------------------------------------------------------------------------------------
// Randomized: an in-memory server, so that the seed alone decides the bytes of every read.

/** One connection of the in-memory server: bytes go to the client in exactly the chunks given. */
interface MemoryConnection {
  readonly stream: ByteStream;
  alive: boolean;
  /** Written by the server, not yet read by the client. */
  pending: string;
  registered: Set<string>;
  renewalsAnswered: number;
  flushing: boolean;
  deliver(chunk: string): void;
  kill(): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A server whose script hash statuses change at random moments: before the client reconnects, while its
 * renewal is on the way, between computing the answer and writing it (then the notification goes first,
 * as ElectrumX and our server may do), after it, and between the reads of a flush. Its writes reach the
 * client in random chunks, lines cut anywhere; sometimes it drops the connection in the middle.
 */
class World {
  readonly statuses = new Map<string, number>();
  conn: MemoryConnection | undefined;
  /** While the test checks the client, nothing changes and nothing is dropped. */
  quiet = true;
  #onIdle: (() => void) | undefined;

  constructor(
    readonly next: () => number,
    readonly keys: readonly string[],
  ) {
    for (const k of keys) this.statuses.set(k, 1);
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  #count(max: number): number {
    return Math.floor(this.next() * (max + 1));
  }

  /** A status change; notified on the live connection if it subscribed the key. */
  change(key: string = this.#pick(this.keys)): void {
    const n = (this.statuses.get(key) ?? 0) + 1;
    this.statuses.set(key, n);
    const conn = this.conn;
    if (conn?.alive && conn.registered.has(key)) conn.pending += line(notification(key, st(n)));
  }

  changes(max: number): void {
    for (let i = this.#count(max); i > 0; i--) this.change();
  }

  /** Resolves when a connection has answered every subscription and written everything. */
  idle(): Promise<void> {
    return new Promise((resolve) => (this.#onIdle = resolve));
  }

  /** The client's connector opens this. */
  accept(): ByteStream {
    let onData: ((chunk: Uint8Array) => void) | undefined;
    let onClose: (() => void) | undefined;
    let inbound = '';
    const conn: MemoryConnection = {
      stream: {
        write: (data: Uint8Array) => {
          if (!conn.alive) return false;
          inbound += decoder.decode(data);
          let nl: number;
          while ((nl = inbound.indexOf('\n')) >= 0) {
            const text = inbound.slice(0, nl);
            inbound = inbound.slice(nl + 1);
            // The server reads it a turn later, as over a network.
            setImmediate(() => this.#request(conn, JSON.parse(text) as Record<string, unknown>));
          }
          return true;
        },
        destroy: () => {
          conn.alive = false;
        },
        on(event: string, listener: (value: never) => void) {
          if (event === 'data') onData = listener as (chunk: Uint8Array) => void;
          else if (event === 'close') onClose = listener as () => void;
          return this;
        },
      },
      alive: true,
      pending: '',
      registered: new Set(),
      renewalsAnswered: 0,
      flushing: false,
      deliver: (chunk) => {
        if (conn.alive) onData?.(encoder.encode(chunk));
      },
      kill: () => {
        if (!conn.alive) return;
        conn.alive = false;
        onClose?.();
      },
    };
    this.conn = conn;
    return conn.stream;
  }

  #request(conn: MemoryConnection, message: Record<string, unknown>): void {
    if (!conn.alive) return;
    const method = message['method'];
    const answer = (result: unknown) => (conn.pending += line(reply(message, result)));
    if (method === 'server.version') answer(['Memory 1.0', '1.4']);
    else if (method === 'server.ping') answer(null);
    else if (method === SUBSCRIBE) {
      if (!this.quiet) this.changes(1); // while the request was on its way: the answer has it
      const key = (message['params'] as string[])[0] as string;
      const status = this.statuses.get(key) ?? 0;
      conn.registered.add(key);
      // Changes after the status was computed and before the answer is written: their notifications go first.
      if (!this.quiet) this.changes(2);
      answer(st(status));
      conn.renewalsAnswered++;
      if (!this.quiet) this.changes(2);
    } else throw new Error(`unexpected request ${String(method)}`);
    void this.#flush(conn);
  }

  async #flush(conn: MemoryConnection): Promise<void> {
    if (conn.flushing) return;
    conn.flushing = true;
    while (conn.alive && conn.pending) {
      // Often everything at once, else a random prefix: a line may be cut anywhere.
      const cut = this.next() < 0.3 ? conn.pending.length : 1 + Math.floor(this.next() * conn.pending.length);
      const chunk = conn.pending.slice(0, cut);
      conn.pending = conn.pending.slice(cut);
      conn.deliver(chunk);
      await turn();
      if (!this.quiet && this.next() < 0.2) this.change();
      if (!this.quiet && this.next() < 0.03) conn.kill(); // a second drop, in the middle of the renewal
    }
    conn.flushing = false;
    if (conn.alive && !conn.pending && conn.renewalsAnswered === this.keys.length) this.#onIdle?.();
  }

  /** Drops the live connection after some changes, sometimes before their notifications got out. */
  async drop(): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    this.changes(2);
    void this.#flush(conn);
    if (this.next() < 0.5) await turn();
    conn.kill();
    this.changes(2); // while disconnected
  }
}

describe('reconnect: randomized interleavings', () => {
  it('100 drops with changes at random moments: the latest status is always reached, never an older one after it', async () => {
    const SEED = 20260612;
    const ROUNDS = 100;
    const world = new World(random(SEED), [SH, SH2]);
    const c = new ElectrumClient('tcp://memory.invalid:1', {
      keepAlive: false,
      reconnect: RECONNECT,
      connector: streamConnector(async () => world.accept()),
    });
    client = c;
    // Every status the client emitted per key, after the one the subscribe answered.
    const seen = new Map<string, number[]>();
    const problems: string[] = [];
    c.on(SUBSCRIBE, (sh, status) => {
      const values = seen.get(sh) ?? [];
      const n = status === null ? 0 : parseInt(status, 16);
      const last = values.at(-1) ?? 1;
      if (!(n > last)) problems.push(`${sh.slice(0, 4)}: status ${n} emitted after ${last}`);
      if (n > (world.statuses.get(sh) ?? 0)) problems.push(`${sh.slice(0, 4)}: status ${n} was never the server's`);
      values.push(n);
      seen.set(sh, values);
    });

    await c.connect();
    let idle = world.idle();
    const subs = await Promise.all(world.keys.map((k) => c.subscribe(SUBSCRIBE, [k])));
    expect(subs.map((s) => s.initial)).toEqual([st(1), st(1)]);
    await idle;
    let reconnects = 0;
    c.on('reconnect', () => reconnects++);

    for (let round = 1; round <= ROUNDS; round++) {
      world.quiet = false;
      idle = world.idle();
      await world.drop();
      await idle;
      // Nothing changes now; the ping's answer comes after everything the server wrote.
      world.quiet = true;
      await c.server.ping();
      for (const k of world.keys) {
        const latest = (seen.get(k) ?? []).at(-1) ?? 1;
        expect({ round, key: k, latest }).toEqual({ round, key: k, latest: world.statuses.get(k) });
      }
      expect(problems).toEqual([]);
    }
    expect(reconnects).toBeGreaterThanOrEqual(ROUNDS);
    // Changes were missed while disconnected and emitted on renewal, many times over.
    expect(world.statuses.get(SH)).toBeGreaterThan(ROUNDS);

    // The iterators saw what the listener saw.
    for (const [i, k] of world.keys.entries()) {
      const sub = subs[i] as ElectrumSubscription<typeof SUBSCRIBE>;
      const values = seen.get(k) ?? [];
      const read = (await buffered(sub, values.length)).slice(0, -1) as [string, string][];
      expect(read.map(([, s]) => parseInt(s, 16))).toEqual(values);
    }
  });
});
