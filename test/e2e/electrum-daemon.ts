// Drives the real Electrum wallet (Debian's `electrum`, 4.x) as a daemon on 127.0.0.1, through its
// JSON-RPC interface, so a test can point an unmodified wallet at a server and ask what it saw.
// Python starts slowly, so commands go over HTTP to one running daemon rather than one process each.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ELECTRUM_BIN = process.env.ELECTRUM_BIN ?? 'electrum';

/** The installed wallet's version, or undefined when there is none to run. */
export function electrumVersion(): string | undefined {
  const run = spawnSync(ELECTRUM_BIN, ['--offline', 'version'], { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) return undefined;
  return run.stdout.trim().split('\n').at(-1);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface ElectrumDaemon {
  /** A command of the wallet's own (`getinfo`, `getbalance`, `payto`...), with named params. */
  rpc<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Polls `probe` until it returns a value, or fails with what the daemon last logged. */
  waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  readonly dir: string;
  stop(): Promise<void>;
}

/**
 * Starts `electrum --regtest daemon` talking to exactly one server: `host:port` over TCP ('t', the default) or
 * TLS ('s'), with `--serverfingerprint` when a certificate fingerprint (SHA-256 hex) is given.
 */
export async function startElectrumDaemon(server: { host: string; port: number; protocol?: 't' | 's'; fingerprint?: string }): Promise<ElectrumDaemon> {
  const dir = await mkdtemp(join(tmpdir(), 'stratum-sdk-electrum-'));
  const rpcPort = await freePort();
  const auth = `Basic ${Buffer.from('sdk:test').toString('base64')}`;
  // Nothing outside 127.0.0.1: no exchange rates, no update check, the one server only.
  await mkdir(join(dir, 'regtest'), { recursive: true });
  await writeFile(
    join(dir, 'regtest', 'config'),
    JSON.stringify({ rpcuser: 'sdk', rpcpassword: 'test', rpchost: '127.0.0.1', rpcport: rpcPort, use_exchange_rate: false, check_updates: false, auto_connect: false }),
  );
  const pin = server.fingerprint === undefined ? [] : ['--serverfingerprint', server.fingerprint];
  const child: ChildProcess = spawn(ELECTRUM_BIN, ['--regtest', '-D', dir, '-v', 'daemon', '--oneserver', '--server', `${server.host}:${server.port}:${server.protocol ?? 't'}`, ...pin], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  let nextId = 1;
  async function rpc<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${rpcPort}/`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
      // A daemon that accepts and never answers must not hold a poll past its deadline.
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { result?: T; error?: { message?: string } };
    if (body.error) throw new Error(`electrum ${method}: ${body.error.message ?? JSON.stringify(body.error)}`);
    return body.result as T;
  }

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline && !exited) {
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (e) {
        // The daemon answers nothing until its RPC server is up.
        lastError = e;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the Electrum wallet never reached: ${what}${exited ? ' (it exited)' : ''}; last error: ${String(lastError)}\n--- its log ---\n${log.slice(-4000)}`);
  }

  return {
    rpc,
    waitFor,
    dir,
    async stop() {
      if (!exited) {
        await rpc('stop').catch(() => child.kill('SIGTERM'));
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exit;
        clearTimeout(killer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
