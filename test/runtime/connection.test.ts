// The connection core without sockets: an in-memory peer stands for each socket. Handshake and renewal
// hooks, requests that wait for a connection within their own timeout, requests in flight at a drop, the
// backoff and its events, fatal errors, reconnects asked for, keep-alive, and close().
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveBackoff, type BackoffOptions } from '../../src/runtime/backoff.js';
import { Connection, type ConnectionEvents, type ConnectionRules, type Link } from '../../src/runtime/connection.js';
import { ClosedError, ConnectError, StratumSdkError, TimeoutError, VersionMismatchError } from '../../src/runtime/errors.js';
import { reconnect } from '../../src/runtime/reconnect.js';
import type { ResultCheck } from '../../src/runtime/session.js';
import type { Connector, TransportHandlers } from '../../src/runtime/transport.js';

afterEach(() => {
  vi.useRealTimers();
});

interface Request {
  readonly id: number;
  readonly method: string;
  readonly params: unknown[];
}

/** One in-memory socket: what the client sent, and the peer's side of it. */
class Peer {
  readonly requests: Request[] = [];
  closedByClient = false;
  constructor(
    readonly handlers: TransportHandlers,
    readonly answer: (request: Request, peer: Peer) => void,
  ) {}
  reply(request: Request, result: unknown): void {
    queueMicrotask(() => this.handlers.message(JSON.stringify({ jsonrpc: '2.0', id: request.id, result })));
  }
  drop(): void {
    this.handlers.close(new ClosedError('the peer closed the connection'));
  }
}

/** A connector whose sockets answer `server.version` with 'v1', echo other methods' names, and stay silent on 'silent.*'. */
function memory(refuse: (attempt: number) => boolean = () => false) {
  const peers: Peer[] = [];
  let attempts = 0;
  const answer = (request: Request, peer: Peer) => {
    if (request.method.startsWith('silent.')) return;
    peer.reply(request, request.method === 'server.version' ? 'v1' : `${request.method} answered`);
  };
  const connector: Connector = async (handlers) => {
    attempts++;
    if (refuse(attempts)) throw new ConnectError(`refused (attempt ${attempts})`);
    const peer = new Peer(handlers, answer);
    peers.push(peer);
    return {
      send: (text) => {
        const request = JSON.parse(text) as Request;
        peer.requests.push(request);
        peer.answer(request, peer);
      },
      close: () => {
        peer.closedByClient = true;
        handlers.close();
        return Promise.resolve();
      },
    };
  };
  return { peers, connector };
}

interface Options {
  readonly backoff?: BackoffOptions;
  readonly whileReconnecting?: 'wait' | 'reject';
  readonly keepAlive?: number | false;
  readonly rules?: Partial<ConnectionRules<string, string>>;
  readonly refuse?: (attempt: number) => boolean;
}

/** A core over the memory connector; `events` records the lifecycle in order. */
function core(options: Options = {}) {
  const { peers, connector } = memory(options.refuse);
  const events: [string, unknown][] = [];
  const checked: string[] = [];
  const check: ResultCheck = (method) => void checked.push(method);
  const record = (name: string) => (arg: unknown) => void events.push([name, arg]);
  const listeners: ConnectionEvents<string, string> = {
    connect: record('connect'),
    disconnect: record('disconnect'),
    reconnecting: record('reconnecting'),
    reconnect: record('reconnect'),
    close: record('close'),
  };
  const rules: ConnectionRules<string, string> = {
    dialect: '2.0',
    timeout: 1000,
    parse: {},
    handshake: async (link) => ({ info: String(await link.session.request('server.version', [])), check }),
    renew: (link) => `renewed ${link.info}`,
    fatal: (error) => error.code === 'VERSION_MISMATCH',
    notification: () => undefined,
    request: () => undefined,
    protocolError: () => undefined,
    ...options.rules,
  };
  const connection = new Connection<string, string>({
    connector,
    rules,
    events: listeners,
    backoff: options.backoff ? resolveBackoff(options.backoff) : undefined,
    keepAlive: options.keepAlive ?? false,
    whileReconnecting: options.whileReconnecting ?? 'wait',
  });
  return { connection, peers, events, checked };
}

const FAST = { initialDelay: 5, maxDelay: 20, jitter: 0 };
const names = (events: [string, unknown][]) => events.map(([name]) => name);
const nextEvent = (events: [string, unknown][], name: string) =>
  vi.waitUntil(() => events.find(([n]) => n === name), { timeout: 2000, interval: 1 });

describe('connecting', () => {
  it('runs the handshake, then carries requests with the check it gave', async () => {
    const { connection, peers, events, checked } = core();
    expect(connection.state).toBe('idle');
    await expect(connection.request('m', [])).rejects.toThrow(/call connect\(\) first/);
    expect(await connection.connect()).toBe('v1');
    expect([connection.state, connection.info, events]).toEqual(['open', 'v1', [['connect', 'v1']]]);
    expect(await connection.request('blockchain.x', [1])).toBe('blockchain.x answered');
    expect(checked).toEqual(['blockchain.x']);
    expect(peers[0]?.requests.map((r) => r.method)).toEqual(['server.version', 'blockchain.x']);
    await expect(connection.connect()).rejects.toThrow(/already called/);
  });

  it('closes when the first connection fails, and does not retry it', async () => {
    const { connection, events } = core({ backoff: FAST, refuse: () => true });
    await expect(connection.connect()).rejects.toBeInstanceOf(ConnectError);
    expect(connection.state).toBe('closed');
    expect(names(events)).toEqual(['close']);
  });
});

describe('after a drop', () => {
  it('rejects what was in flight, holds new requests for the next connection and renews it', async () => {
    const { connection, peers, events } = core({ backoff: FAST });
    await connection.connect();
    const inFlight = connection.request('silent.wait', []);
    peers[0]?.drop();
    await expect(inFlight).rejects.toBeInstanceOf(ClosedError);
    expect(connection.state).toBe('reconnecting');
    const held = connection.request('held', []);
    expect(await held).toBe('held answered');
    expect(peers[1]?.requests.map((r) => r.method)).toEqual(['server.version', 'held']);
    await nextEvent(events, 'reconnect');
    expect(events).toEqual([
      ['connect', 'v1'],
      ['disconnect', expect.any(ClosedError)],
      ['reconnecting', { attempt: 1, delay: 5, error: undefined }],
      ['connect', 'v1'],
      ['reconnect', 'renewed v1'],
    ]);
    expect(connection.reconnecting).toBe(false);
  });

  it('lets a held request wait no longer than its own timeout', async () => {
    const { connection, peers } = core({ backoff: { initialDelay: 10_000, maxDelay: 10_000, jitter: 0 } });
    await connection.connect();
    peers[0]?.drop();
    const started = Date.now();
    await expect(connection.request('held', [], { timeout: 30 })).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
    await connection.close();
  });

  it("in 'reject' mode, fails requests at once while reconnecting", async () => {
    const { connection, peers } = core({ backoff: { initialDelay: 10_000, maxDelay: 10_000, jitter: 0 }, whileReconnecting: 'reject' });
    await connection.connect();
    peers[0]?.drop();
    await expect(connection.request('mining.submit', [])).rejects.toThrow('mining.submit: the client is reconnecting');
    await connection.close();
  });

  it('backs off between failed attempts and says why each failed', async () => {
    const { connection, peers, events } = core({ backoff: { ...FAST, factor: 2 }, refuse: (n) => n === 2 || n === 3 });
    await connection.connect();
    peers[0]?.drop();
    await nextEvent(events, 'reconnect');
    const attempts = events.filter(([n]) => n === 'reconnecting').map(([, a]) => a as { attempt: number; delay: number; error?: StratumSdkError });
    expect(attempts.map(({ attempt, delay }) => [attempt, delay])).toEqual([
      [1, 5],
      [2, 10],
      [3, 20],
    ]);
    expect(attempts[1]?.error?.message).toBe('refused (attempt 2)');
  });

  it('gives up after maxAttempts and rejects what waits', async () => {
    const { connection, peers, events } = core({ backoff: { ...FAST, maxAttempts: 2 }, refuse: (n) => n > 1 });
    await connection.connect();
    peers[0]?.drop();
    const held = connection.request('held', []);
    held.catch(() => undefined);
    await nextEvent(events, 'close');
    expect(names(events)).toEqual(['connect', 'disconnect', 'reconnecting', 'reconnecting', 'close']);
    expect(events.at(-1)?.[1]).toBeInstanceOf(ConnectError);
    const error = await held.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClosedError);
    expect((error as ClosedError).cause).toBeInstanceOf(ConnectError);
  });

  it('stops at a fatal error', async () => {
    let version = 'v1';
    const { connection, peers, events } = core({
      backoff: FAST,
      rules: {
        handshake: async (link) => {
          const answer = String(await link.session.request('server.version', []));
          if (answer !== version) throw new VersionMismatchError(`wanted ${version}`);
          return { info: answer, check: undefined };
        },
      },
    });
    await connection.connect();
    version = 'v2';
    peers[0]?.drop();
    await nextEvent(events, 'close');
    expect(names(events)).toEqual(['connect', 'disconnect', 'reconnecting', 'close']);
    expect(events.at(-1)?.[1]).toBeInstanceOf(VersionMismatchError);
  });

  it('counts a renewal that fails as a failed attempt, and tries again', async () => {
    let renewals = 0;
    const { connection, peers, events } = core({
      backoff: FAST,
      rules: {
        renew: async (link: Link<string>) => {
          renewals++;
          await link.session.request(renewals === 1 ? 'silent.renew' : 'renew', []);
          return `renewed ${renewals}`;
        },
      },
    });
    await connection.connect();
    peers[0]?.drop();
    // The first renewal waits on a request; the peer then drops: that attempt failed.
    await vi.waitUntil(() => peers[1]?.requests.some((r) => r.method === 'silent.renew'), { timeout: 2000, interval: 1 });
    expect(connection.reconnecting).toBe(true);
    peers[1]?.drop();
    await nextEvent(events, 'reconnect');
    expect(names(events)).toEqual(['connect', 'disconnect', 'reconnecting', 'connect', 'reconnecting', 'connect', 'reconnect']);
    expect(events.at(-1)?.[1]).toBe('renewed 2');
    expect(events[4]?.[1]).toMatchObject({ attempt: 2, error: expect.any(ClosedError) });
  });

  it('without a backoff, a drop closes', async () => {
    const { connection, peers, events } = core();
    await connection.connect();
    peers[0]?.drop();
    expect(names(events)).toEqual(['connect', 'close']);
    expect(connection.state).toBe('closed');
    await expect(connection.request('m', [])).rejects.toBeInstanceOf(ClosedError);
  });
});

describe('a reconnect asked for', () => {
  it('drops the current link, waits, connects and resolves with the renewal', async () => {
    const { connection, peers, events } = core();
    await connection.connect();
    const inFlight = connection.request('silent.wait', []).catch((e: unknown) => e);
    const result = await reconnect(connection, 5);
    expect(result).toBe('renewed v1');
    expect(((await inFlight) as ClosedError).message).toBe('the client is reconnecting');
    expect(peers[0]?.closedByClient).toBe(true);
    expect(names(events)).toEqual(['connect', 'reconnecting', 'connect', 'reconnect']);
  });

  it('is allowed after a drop closed the connection, refused while one is under way and after close()', async () => {
    const { connection, peers } = core();
    await connection.connect();
    peers[0]?.drop();
    expect(connection.state).toBe('closed');
    const first = reconnect(connection, 5);
    await expect(reconnect(connection, 0)).rejects.toBeInstanceOf(ConnectError);
    await expect(first).resolves.toBe('renewed v1');
    expect(connection.state).toBe('open');
    await connection.close();
    await expect(reconnect(connection, 0)).rejects.toThrow(new ClosedError('closed by the client'));
  });

  it('is refused before the first connect, and while it is under way', async () => {
    const { connection } = core();
    await expect(reconnect(connection, 0)).rejects.toThrow(new ClosedError('not connected: call connect() first'));
    const connecting = connection.connect();
    await expect(reconnect(connection, 0)).rejects.toThrow(new ClosedError('not connected: call connect() first'));
    await connecting;
    expect(connection.state).toBe('open');
  });

  it('closes with the error when its one attempt fails', async () => {
    const { connection, events } = core({ refuse: (n) => n > 1 });
    await connection.connect();
    await expect(reconnect(connection, 0)).rejects.toBeInstanceOf(ConnectError);
    expect(connection.state).toBe('closed');
    expect(events.at(-1)).toEqual(['close', expect.any(ConnectError)]);
  });
});

describe('keep-alive and close', () => {
  it('pings after the idle time, and not while requests go out', async () => {
    vi.useFakeTimers();
    const pings: string[] = [];
    const { connection } = core({ keepAlive: 4000, rules: { ping: (link) => void pings.push(String(link.info)) } });
    const connecting = connection.connect();
    await vi.advanceTimersByTimeAsync(0);
    await connecting;
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      void connection.request('busy', []);
    }
    expect(pings).toEqual([]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(pings).toEqual(['v1']);
    await connection.close();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(pings).toEqual(['v1']);
  });

  it('closes for good: pending and waiting requests reject, the sleep stops, one close event', async () => {
    const { connection, peers, events } = core({ backoff: { initialDelay: 10_000, maxDelay: 10_000, jitter: 0 } });
    await connection.connect();
    peers[0]?.drop();
    const held = connection.request('held', []).catch((e: unknown) => e);
    await connection.close();
    expect((await held) as ClosedError).toBeInstanceOf(ClosedError);
    expect(names(events)).toEqual(['connect', 'disconnect', 'reconnecting', 'close']);
    expect(events.at(-1)?.[1]).toBeUndefined();
    expect([connection.state, connection.closedByUser, peers.length]).toEqual(['closed', true, 1]);
  });
});
