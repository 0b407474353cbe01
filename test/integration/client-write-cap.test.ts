// A server that floods a client with requests and never reads the answers: the client's writes are
// capped (maxBufferedBytes), past which its connection fails with an OverflowError and every pending
// request rejects, instead of the answers piling up in memory.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ElectrumClient } from '../../src/electrum.js';
import { MiningClient } from '../../src/mining.js';
import { ClosedError, OverflowError } from '../../src/runtime/errors.js';

interface FloodServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Answers the client's first line with `greeting` (when given), then stops reading and writes
 * `request(i)` lines in a loop, as fast as the socket takes them, until the client goes away.
 */
async function startFlood(request: (i: number) => string, greeting?: (id: unknown) => string): Promise<FloodServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let i = 0;
    const flood = () => {
      // Batches of lines per write; 'drain' resumes when the client reads them.
      while (!socket.destroyed) {
        let text = '';
        for (let n = 0; n < 500; n++) text += `${request(i++)}\n`;
        if (!socket.write(text)) {
          socket.once('drain', flood);
          return;
        }
      }
    };
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const nl = buffered.indexOf('\n');
      if (nl === -1) return;
      socket.off('data', onData);
      // Never read again: whatever the client writes now stays in its buffers.
      socket.pause();
      if (greeting) socket.write(`${greeting((JSON.parse(buffered.slice(0, nl)) as { id: unknown }).id)}\n`);
      flood();
    };
    if (greeting) socket.on('data', onData);
    else {
      socket.pause();
      flood();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let flood: FloodServer | undefined;
afterEach(async () => {
  await flood?.close();
  flood = undefined;
});

const MAX_BUFFERED = 256 * 1024;

describe('a server that floods requests and never reads', () => {
  it('fails an ElectrumClient with an OverflowError and rejects what was pending', async () => {
    flood = await startFlood(
      (i) => `{"jsonrpc":"2.0","id":${i},"method":"server.ping","params":[]}`,
      (id) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":["Flood 1.0","1.4"]}`,
    );
    const client = new ElectrumClient(`tcp://127.0.0.1:${flood.port}`, { keepAlive: false, maxBufferedBytes: MAX_BUFFERED });
    const closed = new Promise<unknown>((resolve) => client.on('close', resolve));
    await client.connect();
    const pending = client.request('server.banner', []);
    const error = await closed;
    expect(error).toBeInstanceOf(OverflowError);
    expect((error as OverflowError).message).toMatch(/not reading: more than 262144 bytes/);
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
    await expect(pending).rejects.toHaveProperty('cause', error);
  });

  it('fails a MiningClient the same way', async () => {
    flood = await startFlood((i) => `{"id":${i},"method":"client.get_version","params":[]}`);
    const miner = await MiningClient.connect(`stratum+tcp://127.0.0.1:${flood.port}`, { maxBufferedBytes: MAX_BUFFERED });
    const closed = new Promise<unknown>((resolve) => miner.on('close', resolve));
    const pending = miner.mining.subscribe('test/1.0');
    const error = await closed;
    expect(error).toBeInstanceOf(OverflowError);
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
    await expect(pending).rejects.toHaveProperty('cause', error);
  });
});
