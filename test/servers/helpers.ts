// Test clients for the servers: a raw newline-JSON socket whose every byte the test chooses, and an
// in-memory connection for driving a session without sockets.
import net from 'node:net';
import tls from 'node:tls';
import type { TransportHandlers } from '../../src/runtime/transport.js';
import type { ServerConnection } from '../../src/runtime/server/connection.js';

export type Json = Record<string, unknown> | Json[];

/** Collects parsed messages and lets the test wait for them; also reports the close. */
class Inbox {
  readonly messages: Json[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];
  #closeWaiters: (() => void)[] = [];
  closed = false;

  push(message: Json): void {
    this.messages.push(message);
    this.#waiters = this.#waiters.filter((w) => {
      if (this.messages.length >= w.count) w.resolve();
      return this.messages.length < w.count;
    });
  }

  end(): void {
    this.closed = true;
    for (const w of this.#closeWaiters) w();
    this.#closeWaiters = [];
    // Anyone still waiting for messages will never get them.
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
  }

  /** Resolves with the first `count` messages once they are all in (or the connection closed). */
  async take(count: number): Promise<Json[]> {
    if (this.messages.length < count && !this.closed) await new Promise<void>((resolve) => this.#waiters.push({ count, resolve }));
    if (this.messages.length < count) throw new Error(`connection closed after ${this.messages.length} of ${count} messages`);
    return this.messages.slice(0, count);
  }

  whenClosed(): Promise<void> {
    return this.closed ? Promise.resolve() : new Promise((resolve) => this.#closeWaiters.push(resolve));
  }
}

export class RawClient {
  readonly socket: net.Socket;
  readonly inbox = new Inbox();
  #buffer = '';
  #read = 0;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        const line = this.#buffer.slice(0, nl);
        this.#buffer = this.#buffer.slice(nl + 1);
        this.inbox.push(JSON.parse(line) as Json);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.inbox.end());
  }

  static connect(port: number, options: { tls?: tls.ConnectionOptions } = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? tls.connect({ host: '127.0.0.1', port, ...options.tls }, () => resolve(new RawClient(socket)))
        : net.connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes text as is (no newline added). */
  raw(text: string): void {
    this.socket.write(text);
  }

  send(message: unknown): void {
    this.raw(`${JSON.stringify(message)}\n`);
  }

  /** The next message not yet returned by recv(). */
  async recv(): Promise<Record<string, unknown>> {
    const all = await this.inbox.take(this.#read + 1);
    this.#read++;
    return all[all.length - 1] as Record<string, unknown>;
  }

  /** The next reply that is an array (a batch reply). */
  async recvBatch(): Promise<Record<string, unknown>[]> {
    const all = await this.inbox.take(this.#read + 1);
    this.#read++;
    const message = all[all.length - 1];
    if (!Array.isArray(message)) throw new Error(`expected a batch reply, got ${JSON.stringify(message)}`);
    return message as Record<string, unknown>[];
  }

  /** Sends a request and returns the next message (tests send one at a time unless they say otherwise). */
  async call(id: number | string, method: string, params: unknown, jsonrpc: boolean = true): Promise<Record<string, unknown>> {
    this.send(jsonrpc ? { jsonrpc: '2.0', id, method, params } : { id, method, params });
    return this.recv();
  }

  closed(): Promise<void> {
    return this.inbox.whenClosed();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A ServerConnection kept in memory: what the session sends is collected, the test feeds messages in. */
export function memoryConnection(options: { pausable?: boolean } = {}) {
  const sent: string[] = [];
  let handlers: TransportHandlers | undefined;
  let buffered = 0;
  const closes: boolean[] = [];
  /** 'pause' and 'resume' calls, in order. */
  const flow: string[] = [];
  const pausing = options.pausable ? { pause: () => void flow.push('pause'), resume: () => void flow.push('resume') } : {};
  const connection: ServerConnection = {
    ...pausing,
    kind: 'custom',
    remoteAddress: '10.0.0.1',
    remotePort: 4242,
    send(text) {
      if (closes.length > 0) throw new Error('closed');
      sent.push(text);
    },
    close(graceful) {
      closes.push(graceful);
      handlers?.close();
    },
    bufferedBytes: () => buffered,
  };
  return {
    connection,
    sent,
    closes,
    flow,
    /** Parsed messages sent so far. */
    parsed: () => sent.map((t) => JSON.parse(t) as Record<string, unknown>),
    attach(h: TransportHandlers) {
      handlers = h;
    },
    receive(text: string) {
      handlers?.message(text);
    },
    setBuffered(n: number) {
      buffered = n;
    },
  };
}

/**
 * Lets pending promise callbacks (and any I/O already due) run: resolves on the next turn of the event
 * loop. Enough to settle work without I/O (an in-memory connection); never a way to wait for something
 * to happen in time (wait for the event itself, or use `until` from ../helpers/wait.js).
 */
export function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A promise the test settles by hand. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
