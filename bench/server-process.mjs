// Starts bench/electrum-echo-server.mjs in its own process and talks to it over the IPC channel, so
// the benchmarks measure the client on one thread while the server works on another.
import { fork } from 'node:child_process';
import net from 'node:net';

const SERVER = new URL('./electrum-echo-server.mjs', import.meta.url);

/**
 * @returns {Promise<{
 *   port: number,
 *   url: string,
 *   request: (message: object, replyType: string) => Promise<any>,
 *   cpuMicros: () => Promise<number>,
 *   stop: () => Promise<void>,
 * }>}
 */
export async function startServer() {
  const child = fork(SERVER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  /** @type {{ type: string, resolve: (m: any) => void, reject: (e: Error) => void }[]} */
  const waiting = [];
  let exited = false;
  child.on('message', (message) => {
    if (message?.type === 'error') {
      const w = waiting.shift();
      w?.reject(new Error(`bench server: ${message.message}`));
      return;
    }
    const index = waiting.findIndex((w) => w.type === message?.type);
    if (index !== -1) waiting.splice(index, 1)[0].resolve(message);
  });
  child.on('exit', (code, signal) => {
    exited = true;
    for (const w of waiting.splice(0)) w.reject(new Error(`bench server exited (code ${code}, signal ${signal})`));
  });
  const expect = (type) => new Promise((resolve, reject) => waiting.push({ type, resolve, reject }));

  const { port } = await expect('listening');
  return {
    port,
    url: `tcp://127.0.0.1:${port}`,
    request(message, replyType) {
      const reply = expect(replyType);
      child.send(message);
      return reply;
    },
    async cpuMicros() {
      const reply = expect('cpu');
      child.send({ type: 'cpu' });
      const { usage } = await reply;
      return usage.user + usage.system;
    },
    stop() {
      if (exited) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      });
    },
  };
}

/** The median of some samples. */
export function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * `count` distinct scripthash-shaped keys (64 hex digits). Each is one flat string made by hex-encoding
 * bytes, as a wallet's would be (string concatenation would leave ropes, which weigh more).
 */
export function scripthashes(count) {
  const out = new Array(count);
  const bytes = Buffer.alloc(32);
  let seed = 7;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < 32; j += 4) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      bytes.writeUInt32BE(seed, j);
    }
    out[i] = bytes.toString('hex');
  }
  return out;
}

/**
 * The floor both client benchmarks measure against: the least a client must do to pipeline newline
 * JSON-RPC, hand back one promise per request and pass notifications to a listener. Requests made in one
 * turn go out in one socket write when `coalesce` is true, as any client that cares about throughput does;
 * with false every request is its own write (a system call), as the peers do.
 */
export async function bareConnection(port, { name, coalesce = true, onNotification = () => undefined }) {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.setNoDelay(true);
  socket.setEncoding('utf8');
  const pending = new Map();
  let nextId = 1;
  let buffer = '';
  socket.on('data', (chunk) => {
    const text = buffer.length ? buffer + chunk : chunk;
    let start = 0;
    let nl;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      const message = JSON.parse(text.slice(start, nl));
      start = nl + 1;
      if (message.id === undefined || message.id === null) {
        onNotification(message.method, message.params);
        continue;
      }
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      resolve(message.result);
    }
    buffer = text.slice(start);
  });
  let queued = [];
  const flush = () => {
    socket.write(queued.join(''));
    queued = [];
  };
  const write = coalesce
    ? (line) => {
        if (queued.push(line) === 1) queueMicrotask(flush);
      }
    : (line) => socket.write(line);
  const call = (method, params) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  await call('server.version', [name, '1.4']);
  return { call, close: () => socket.destroy() };
}
