// stratum-sdk serve --check-clients --record, as a wallet or miner author runs it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrafficReport } from '../../src/conformance/traffic/report.js';
import { junitCounts } from '../conformance/junit-xml.js';
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

  it('--json (stdout holds the report alone), --junit and --fail-on at exit, and they need --check-clients', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stratum-sdk-serve-'));
    try {
      const xmlFile = join(dir, 'clients.xml');
      const stop = new AbortController();
      let stratum = '';
      const running = runCli(
        ['serve', '--check-clients', '--json', '--junit', xmlFile, '--fail-on', 'deviation', '--electrum-port', '0', '--ws-port', '0', '--stratum-port', '0', '--no-tls'],
        stop.signal,
        undefined,
        (line) => {
          stratum = /Stratum +(stratum\+tcp:\/\/\S+)/.exec(line)?.[1] ?? stratum;
        },
      );
      await until(() => stratum !== '', 'the world to start');
      const { hostname, port } = new URL(stratum.replace('stratum+tcp:', 'http:'));
      const socket = net.connect(Number(port), hostname);
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (t: string) => (received += t));
      // A miner that subscribes, then sends a submit with a bad param type.
      socket.write('{"id":1,"method":"mining.subscribe","params":["m/1"]}\n{"id":2,"method":"mining.submit","params":[1,2,3,4,5]}\n');
      await until(() => /"id":2/.test(received), 'the answer to the submit');
      stop.abort();
      const run = await running;
      socket.destroy();
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout) as TrafficReport;
      expect(report).toMatchObject({ kind: 'client', ok: false });
      expect(report.checks.find((c) => c.title === 'mining.submit')).toMatchObject({ status: 'fail', reason: expect.stringContaining('client->server params') });
      expect(report.checks.find((c) => c.title === 'mining.subscribe')?.status).toBe('pass');
      const junit = junitCounts(await readFile(xmlFile, 'utf8'));
      expect(junit.failing).toContain('mining.submit');
      expect(junit.tests).toBe(report.checks.length);
      expect(run.stderr).toContain('checking every client message against the spec');
      expect((await runCli(['serve', '--json'])).code).toBe(2);
      expect((await runCli(['serve', '--check-clients', '--fail-on', 'never'])).code).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
