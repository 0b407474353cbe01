// Pools for the conformance probe's tests: the regtest pool behind createMiningServer with handlers replaced
// and notifications rewritten (deliberately broken pools), and a proxy that rewrites a pool's lines (for
// encodings a handler cannot produce, such as ckpool's "reject-reason").
import net from 'node:net';
import { RegtestChain } from '../../src/regtest/chain.js';
import { RegtestPool, type PoolMiner } from '../../src/regtest/pool.js';
import { createMiningServer } from '../../src/servers/mining-server.js';

export const PAYOUT = '0014' + '22'.repeat(20);
/** Difficulty 1: shares at 1/1,000,000 are never blocks, so jobs stay put while the probe submits. */
export const HARD_BLOCKS = 0x1d00ffff;

type Handler = (params: never, miner: PoolMiner) => unknown;

export interface BrokenPoolOptions {
  /** Replaces handlers by wire name; each gets the params and the pool's miner state. */
  readonly handlers?: (pool: RegtestPool) => Record<string, Handler>;
  /** Rewrites a notification before it goes out; undefined drops it. */
  readonly notify?: (method: string, params: readonly unknown[]) => readonly unknown[] | undefined;
  readonly difficulty?: number;
}

export interface TestPool {
  readonly url: string;
  readonly pool: RegtestPool;
  readonly port: number;
  close(): Promise<void>;
}

export async function brokenPool(options: BrokenPoolOptions = {}): Promise<TestPool> {
  const chain = new RegtestChain({ bits: HARD_BLOCKS });
  const pool = new RegtestPool(chain, { payoutScript: PAYOUT, difficulty: options.difficulty ?? 1 / 1_000_000 });
  const overrides = options.handlers?.(pool) ?? {};
  const handlers = Object.fromEntries(
    Object.entries({ ...pool.handlers, ...overrides }).map(([method, handler]) => [
      method,
      (params: never, session: { context: { miner: PoolMiner | undefined } }) => (handler as Handler)(params, session.context.miner as PoolMiner),
    ]),
  );
  const server = await createMiningServer({
    context: () => ({ miner: undefined as PoolMiner | undefined }),
    handlers: handlers as never,
    listen: { tcp: { host: '127.0.0.1', port: 0 } },
  });
  server.on('connection', (session) => {
    session.context.miner = pool.connect({
      notify: (method, params) => {
        const out = options.notify ? options.notify(method, params) : params;
        if (out) session.notify(method, out as never);
      },
      request: (method, params, requestOptions) => session.request(method, params, requestOptions),
    });
  });
  server.on('disconnect', (session) => session.context.miner && pool.disconnect(session.context.miner));
  const url = (server.url('tcp') as string).replace(/^tcp:/, 'stratum+tcp:');
  return {
    url,
    pool,
    port: Number(new URL(url).port),
    close: async () => {
      pool.close();
      await server.close();
    },
  };
}

/**
 * A proxy in front of a pool that rewrites each line the pool sends (undefined drops it), told which request
 * (method and params) a reply answers.
 */
export async function rewritingProxy(port: number, rewrite: (message: Record<string, unknown>, request: { method: string; params: unknown[] } | undefined) => Record<string, unknown> | undefined): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    const requests = new Map<unknown, { method: string; params: unknown[] }>();
    const lines = (socket: net.Socket, each: (line: string) => void) => {
      let buffer = '';
      socket.on('data', (chunk) => {
        buffer += chunk.toString('utf8');
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          each(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
        }
      });
    };
    lines(client, (line) => {
      try {
        const m = JSON.parse(line) as { id?: unknown; method?: string; params?: unknown[] };
        if (m.method) requests.set(m.id, { method: m.method, params: m.params ?? [] });
      } catch {
        // passed on as it is
      }
      upstream.write(`${line}\n`);
    });
    lines(upstream, (line) => {
      const m = JSON.parse(line) as Record<string, unknown>;
      const out = rewrite(m, 'method' in m && m['method'] !== null ? undefined : requests.get(m['id']));
      if (out) client.write(`${JSON.stringify(out)}\n`);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `stratum+tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
