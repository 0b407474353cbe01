// stratum-sdk check: transcripts validated offline, on the repository's real recordings and on broken ones.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTranscriptText } from '../../src/conformance/traffic/transcript-check.js';
import type { TrafficReport } from '../../src/conformance/traffic/report.js';
import { runCli } from '../helpers/cli.js';
import { junitCounts } from '../conformance/junit-xml.js';

const fixture = (name: string) => new URL(`../fixtures/transcripts/${name}`, import.meta.url).pathname;
const CPUMINER = fixture('cpuminer-2.5.0-session.jsonl');
const WALLET = fixture('electrum-wallet-4.3.4-session.jsonl');

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratum-sdk-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (conn: string, dir: 'c2s' | 's2c', message: unknown) => JSON.stringify({ t: 1, conn, dir, line: typeof message === 'string' ? message : JSON.stringify(message) });

describe('stratum-sdk check', () => {
  it('passes the recorded cpuminer session: 22 submits all with id 4, each answered before the next', async () => {
    const run = await runCli(['check', CPUMINER]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/PASS: \d+ messages on 1 connection, 0 violations, \d+ documented deviations/);
    expect(run.stdout).toMatch(/mining\.submit +\| +44 \| +0 \|/);

    const json = await runCli(['check', CPUMINER, '--json']);
    const report = JSON.parse(json.stdout) as TrafficReport;
    expect(report.ok).toBe(true);
    expect(report.kind).toBe('transcript');
    const summary = report.traffic[0]?.summary;
    expect(summary?.violations).toBe(0);
    // The only deviations are cpuminer's every submit with "id":4 while the previous one may be unanswered.
    expect(new Set(summary?.findings.map((f) => `${f.kind} ${f.method}`))).toEqual(new Set(summary?.deviations ? ['deviation mining.submit'] : []));

    const strict = await runCli(['check', CPUMINER, '--fail-on', 'deviation']);
    expect(strict.code).toBe(summary?.deviations ? 1 : 0);
  });

  it('passes the recorded session of the real Electrum wallet (4.3.4) against the world, and both fixtures at once', async () => {
    const run = await runCli(['check', WALLET, CPUMINER, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as TrafficReport;
    expect(report.ok).toBe(true);
    // One report for the run: each file's checks named by the file.
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining([`${WALLET}#transcript.lines`, `${CPUMINER}#traffic.mining.submit`, `${WALLET}#traffic.server.version`]));
    const [wallet, cpuminer] = report.traffic;
    expect(wallet?.summary).toMatchObject({ violations: 0, deviations: 0 });
    expect(wallet?.summary.messages).toBeGreaterThan(900);
    expect(wallet?.summary.connections).toEqual([expect.objectContaining({ protocol: 'electrum', version: '1.4' })]);
    expect(wallet?.malformedCount).toBe(0);
    expect(cpuminer?.summary).toMatchObject({ violations: 0 });
  });

  it('reports malformed transcript lines by number, and violations in the messages, without stopping', async () => {
    const file = join(dir, 'broken.jsonl');
    await writeFile(
      file,
      [
        '{"transcript":"stratum-sdk","version":1,"protocol":"electrum"}',
        line('a', 'c2s', { jsonrpc: '2.0', id: 1, method: 'server.version', params: ['x', '1.4'] }),
        'this is not json',
        '{"t":"yesterday","conn":"a","dir":"c2s","line":"{}"}',
        '{"t":1,"conn":"a","dir":"sideways","line":"{}"}',
        '[1,2,3]',
        line('a', 's2c', { jsonrpc: '2.0', id: 1, result: ['srv', '1.4'] }),
        line('a', 'c2s', { jsonrpc: '2.0', id: 2, method: 'blockchain.block.header', params: [-1] }),
        line('a', 's2c', { jsonrpc: '2.0', id: 2, error: { code: 1, message: 'bad height' } }),
        line('a', 'c2s', '{"jsonrpc":"2.0","id":3,'),
        line('a', 'c2s', { jsonrpc: '2.0', id: 4, method: 'server.banner', params: [] }),
        line('a', 's2c', { jsonrpc: '2.0', id: 4, result: 42 }),
        line('a', 's2c', { jsonrpc: '2.0', id: 9, result: 'nobody asked' }),
        '',
      ].join('\n'),
    );
    const run = await runCli(['check', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('MALFORMED line 3: not JSON');
    expect(run.stdout).toContain('MALFORMED line 4: "t" must be a number');
    expect(run.stdout).toContain('MALFORMED line 5: "dir" must be "c2s" or "s2c"');
    expect(run.stdout).toContain('MALFORMED line 6: not a JSON object');
    expect(run.stdout).toMatch(/VIOLATION line 8 conn a client->server blockchain\.block\.header params\[0\] \(height\)/);
    expect(run.stdout).toMatch(/VIOLATION line 10 conn a client->server \(unknown method\) message: malformed JSON/);
    expect(run.stdout).toMatch(/VIOLATION line 12 conn a server->client server\.banner result: must be string/);
    expect(run.stdout).toMatch(/VIOLATION line 13 conn a server->client \(unknown method\) id: a reply to 9/);
    expect(run.stdout).toContain('4 malformed lines');

    // The same as the shared report: JSON, JUnit that parses, and the exit code of --fail-on.
    const xmlFile = join(dir, 'broken.xml');
    const json = await runCli(['check', file, '--json', '--junit', xmlFile]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as TrafficReport;
    const status = Object.fromEntries(report.checks.map((c) => [c.title, c.status]));
    expect(status).toEqual({
      'transcript lines': 'fail',
      '(unknown)': 'fail', // the malformed JSON and the reply to nothing
      'blockchain.block.header': 'fail',
      'server.banner': 'fail',
      'server.version': 'pass',
    });
    expect(report.checks.find((c) => c.title === 'transcript lines')?.reason).toMatch(/^4 lines are not transcript lines: line 3: not JSON/);
    expect(report.checks.find((c) => c.title === 'server.banner')?.bytes).toBe('{"jsonrpc":"2.0","id":4,"result":42}');
    expect(report.counts).toEqual({ pass: 1, fail: 4, skip: 0, deviation: 0 });
    const junit = junitCounts(await readFile(xmlFile, 'utf8'));
    expect(junit).toMatchObject({ tests: 5, failures: 4, skipped: 0 });
    expect(junit.failing).toEqual(['transcript lines', '(unknown)', 'blockchain.block.header', 'server.banner']);
  });

  it('--junit and --fail-on for documented deviations: a deviation passes by default and fails with --fail-on deviation', async () => {
    const file = join(dir, 'deviation.jsonl');
    await writeFile(
      file,
      [
        line('m', 'c2s', { id: 1, method: 'mining.subscribe', params: [] }),
        line('m', 's2c', { id: 1, result: [[], '00000001', 4], error: null }),
        line('m', 'c2s', { id: 2, method: 'mining.authorize', params: ['w', 'x'] }),
        line('m', 's2c', { id: 2, result: false, error: 'Invalid workername parameter' }),
        line('m', 'c2s', { id: 3, method: 'mining.suggest_difficulty', params: [1] }),
      ].join('\n'),
    );
    const xmlFile = join(dir, 'deviation.xml');
    const lenient = await runCli(['check', file, '--junit', xmlFile]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/unanswered line 5 conn m client->server mining\.suggest_difficulty id: no reply to mining\.suggest_difficulty id 3/);
    expect(junitCounts(await readFile(xmlFile, 'utf8'))).toMatchObject({ tests: 4, failures: 0, skipped: 0 });
    const strict = await runCli(['check', file, '--junit', xmlFile, '--fail-on', 'deviation', '--json']);
    expect(strict.code).toBe(1);
    const report = JSON.parse(strict.stdout) as TrafficReport;
    const authorize = report.checks.find((c) => c.title === 'mining.authorize');
    expect(authorize).toMatchObject({ status: 'deviation', documented: expect.stringContaining('ckpool') });
    expect(report.checks.find((c) => c.title === 'mining.suggest_difficulty')).toMatchObject({ status: 'pass', reason: expect.stringContaining('1 unanswered') });
    expect(report.traffic[0]?.summary.unanswered).toBe(1);
    expect(junitCounts(await readFile(xmlFile, 'utf8'))).toMatchObject({ tests: 4, failures: 1, failing: ['mining.authorize'] });
    expect((await runCli(['check', file, '--fail-on', 'warning'])).code).toBe(2);
    expect((await runCli(['check', file, '--junit', join(dir, 'no-such-dir', 'x.xml')])).code).toBe(2);
  });

  it('bounds an overlong line and a flood of garbage, and never throws on them', () => {
    const long = `{"t":1,"conn":"a","dir":"c2s","line":"${'x'.repeat(5000)}"}`;
    const garbage = Array.from({ length: 500 }, (_, i) => `garbage ${i}`).join('\n');
    const deep = line('a', 'c2s', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const result = checkTranscriptText(`${long}\n${garbage}\n${deep}\n`, { maxLineLength: 4096 });
    expect(result.malformed[0]).toEqual({ lineNumber: 1, reason: expect.stringContaining('longer than 4096 characters') });
    expect(result.malformedCount).toBe(502); // the long line, 500 of garbage, the deep one (too long here)
    expect(result.malformed).toHaveLength(100);
    // The deep message is too long for the line limit here; with a larger one it is a violation, not a crash.
    const deepOnly = checkTranscriptText(`${deep}\n`);
    expect(deepOnly.summary.findings[0]?.message).toMatch(/nested more than 64 levels/);
  });

  it('refuses a missing file and a wrong --protocol as usage errors', async () => {
    expect((await runCli(['check', join(dir, 'nope.jsonl')])).code).toBe(2);
    expect((await runCli(['check', CPUMINER, '--protocol', 'http'])).code).toBe(2);
    expect((await runCli(['check'])).code).toBe(2);
  });
});
