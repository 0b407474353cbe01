// Clients for the connection-limit tests: a newline-JSON socket that can choose its local address
// (127.0.0.2 is loopback too on Linux), and a hand-made WebSocket whose frames the test writes byte by byte.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

type Message = Record<string, unknown>;

/** Resolves when `socket` has closed (at once if it already has). */
function closeOf(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed && socket.closed ? resolve() : socket.once('close', () => resolve())));
}

export class LineClient {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  readonly #messages: Message[] = [];
  #waiter: (() => void) | undefined;
  #read = 0;
  #buffer = '';

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closed = closeOf(socket);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) >= 0) {
        this.#messages.push(JSON.parse(this.#buffer.slice(0, nl)) as Message);
        this.#buffer = this.#buffer.slice(nl + 1);
      }
      this.#waiter?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.#waiter?.());
  }

  /** Connects to 127.0.0.1:port, from `localAddress` when given. */
  static connect(port: number, localAddress?: string): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, ...(localAddress === undefined ? {} : { localAddress }) }, () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** The next message; rejects if the connection closes first. */
  async next(): Promise<Message> {
    while (this.#messages.length <= this.#read) {
      if (this.socket.destroyed) throw new Error(`connection closed after ${this.#read} messages`);
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
    return this.#messages[this.#read++]!;
  }

  async call(id: number, method: string, params: unknown[] = []): Promise<Message> {
    this.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    return this.next();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A WebSocket spoken by hand over a raw socket, so the test decides where each frame is cut. */
export class RawWebSocket {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closed = closeOf(socket);
    socket.on('error', () => undefined);
  }

  /** Opens the connection and completes the upgrade; rejects with the status line if it is refused. */
  static open(port: number): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        const key = randomBytes(16).toString('base64');
        socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      });
      let head = '';
      const onData = (chunk: Buffer) => {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        const status = head.slice(0, head.indexOf('\r\n'));
        if (!status.includes(' 101 ')) {
          socket.destroy();
          reject(new Error(status));
          return;
        }
        resolve(new RawWebSocket(socket));
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
  }

  /** Writes raw bytes of the stream (part of a frame, or several). */
  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A client's text frame (FIN, masked with a zero key so the payload reads as is). Payloads up to 65,535 bytes. */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const length = payload.length < 126 ? Buffer.from([0x80 | payload.length]) : Buffer.from([0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([Buffer.from([0x81]), length, Buffer.alloc(4), payload]);
}

/** Resolves once `condition()` holds, checking every few milliseconds; rejects after `timeout` ms. */
export async function until(condition: () => boolean, what: string, timeout = 4_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
