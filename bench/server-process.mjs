// Starts bench/electrum-echo-server.mjs in its own process and talks to it over the IPC channel, so
// the benchmarks measure the client on one thread while the server works on another.
import { fork } from 'node:child_process';

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
