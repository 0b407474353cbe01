// stratum-sdk serve --check-clients --record, as a wallet or miner author runs it.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { until } from '../helpers/wait.js';

describe('stratum-sdk serve --check-clients', () => {
  it('prints each violation of a client live, a summary at Ctrl-C, exits 1, and --record keeps a transcript that check reads the same way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stratum-sdk-serve-'));
    try {
      const file = join(dir, 'serve.jsonl');
      const stop = new AbortController();
      let electrum = '';
      const running = runCli(['serve', '--check-clients', '--record', file, '--electrum-port', '0', '--ws-port', '0', '--stratum-port', '0', '--no-tls'], stop.signal, (line) => {
        electrum = /Electrum {2}(tcp:\/\/\S+)/.exec(line)?.[1] ?? electrum;
      });
      await until(() => electrum !== '', 'the world to start');
      const { hostname, port } = new URL(electrum);
      const socket = net.connect(Number(port), hostname);
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (t: string) => (received += t));
      socket.write('{"jsonrpc":"2.0","id":1,"method":"server.version","params":["wrong/1","1.4"]}\n{"jsonrpc":"2.0","id":2,"method":"blockchain.block.header","params":["tip"]}\n');
      await until(() => received.split('\n').length > 2, 'both answers');
      socket.destroy();
      stop.abort();
      const run = await running;
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('checking every client message against the spec');
      expect(run.stderr).toMatch(/VIOLATION conn electrum-1 client->server blockchain\.block\.header params\[0\] \(height\): must be integer/);
      expect(run.stdout).toMatch(/FAIL: 4 messages on 1 connection, 1 violation/);
      const check = await runCli(['check', file]);
      expect(check.code).toBe(1);
      expect(check.stdout).toMatch(/VIOLATION line \d+ conn electrum-1 client->server blockchain\.block\.header params\[0\] \(height\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
