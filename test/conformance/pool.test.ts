// The pool probe: the regtest world's pool passes every applicable check (and mines a share with --mine);
// deliberately broken pools fail the check that names what they break, with the bytes; a pool that never
// answers mining.configure gets a skip, one that stops answering is reported within the step timeouts;
// ckpool's refusal encodings are deviations the spec documents, which --fail-on deviation turns into exit 1.
import net from 'node:net';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPoolConformance, type ConformanceReport } from '../../src/conformance/index.js';
import { BAD_WORKER } from '../../src/conformance/pool/probe.js';
import type { PoolMiner } from '../../src/regtest/pool.js';
import { startWorld, type World } from '../../src/regtest/world.js';
import { runCli } from '../helpers/cli.js';
import { brokenPool, HARD_BLOCKS, rewritingProxy } from './pool-helpers.js';

const STEP = 1_500;
const statusOf = (report: ConformanceReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
const check = (report: ConformanceReport, id: string) => report.checks.find((c) => c.id === id);

let world: World;
beforeAll(async () => {
  world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 }, shareDifficulty: 1 / 1_000_000, blockBits: HARD_BLOCKS });
});
afterAll(() => world.close());

const pools: { close(): Promise<void> }[] = [];
afterAll(() => Promise.all(pools.map((p) => p.close())));
async function keep<T extends { close(): Promise<void> }>(pool: Promise<T>): Promise<T> {
  const p = await pool;
  pools.push(p);
  return p;
}

describe('the pool probe against the regtest world', { timeout: 60_000 }, () => {
  it('passes every applicable check and mines an accepted share with --mine, JSON out', async () => {
    const r = await runCli(['conformance', world.urls.stratum, '--user', 'me', '--mine', '60', '--json', '--timeout', String(STEP * 4)]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ConformanceReport;
    expect(report.kind).toBe('pool');
    expect(statusOf(report)).toEqual({
      'pool.configure': 'pass',
      'pool.subscribe': 'pass',
      'pool.extranonce.subscribe': 'pass',
      'pool.authorize': 'pass',
      'pool.subscribe.session': 'pass',
      // The world takes any worker name: nothing to refuse.
      'pool.authorize.bad': 'skip',
      'pool.set_difficulty': 'pass',
      'pool.notify': 'pass',
      'pool.submit.before-authorize': 'pass',
      'pool.submit.unknown-job': 'pass',
      'pool.submit.extranonce2-size': 'pass',
      'pool.submit.ntime': 'pass',
      'pool.submit.version-bits': 'pass',
      'pool.submit.low-difficulty': 'pass',
      'pool.submit.valid': 'pass',
      'pool.submit.duplicate': 'pass',
      'pool.mine': 'pass',
    });
    expect(check(report, 'pool.configure')?.reason).toBe('version rolling granted, mask 1fffe000');
    expect(check(report, 'pool.submit.unknown-job')).toMatchObject({ reason: 'a share for an unknown job refused: error array, code 21 "Job not found"', bytes: expect.stringMatching(/"error":\[21,"Job not found",null\]/) });
    expect(check(report, 'pool.submit.duplicate')?.reason).toMatch(/error array, code 22/);
    expect(check(report, 'pool.submit.low-difficulty')?.reason).toMatch(/error array, code 23/);
    expect(check(report, 'pool.submit.before-authorize')?.reason).toMatch(/code 24/);
    expect(check(report, 'pool.mine')?.reason).toMatch(/^accepted the SDK miner's share at difficulty 0\.000001/);
    expect(report.counts).toEqual({ pass: 16, fail: 0, skip: 1, deviation: 0 });
    // Progress on stderr: each check with how many are left.
    expect(r.stderr).toMatch(/^pass first mining\.notify \(\d+ done, \d+ left\)$/m);
  });

  it('skips what cannot be solved at a difficulty above the budget, and says why', async () => {
    const report = await runPoolConformance(world.urls.stratum, { user: 'me', timeout: STEP * 4, solveBudget: 1024 });
    expect(check(report, 'pool.submit.valid')).toMatchObject({ status: 'skip', reason: expect.stringMatching(/difficulty 0\.000001 needs ~4295 hashes a share, more than the probe's budget/) });
    expect(check(report, 'pool.submit.duplicate')).toMatchObject({ status: 'skip', reason: expect.stringMatching(/^needs a share the pool accepts first/) });
    // The world checks everything else before the difficulty: real refusals, noted as unsolved.
    expect(check(report, 'pool.submit.ntime')).toMatchObject({ status: 'pass', reason: expect.stringMatching(/Ntime out of range.*\(unsolved/) });
    expect(report.ok).toBe(true);
  });

  it('writes JUnit XML with --junit, one testcase per check', async () => {
    const file = join(tmpdir(), `conformance-${process.pid}-${Date.now()}.xml`);
    try {
      const r = await runCli(['conformance', world.urls.stratum, '--user', 'me', '--junit', file, '--timeout', String(STEP * 4)]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^PASS: 16 checks, 15 passed, 0 failed, 1 skipped, 0 deviations$/m);
      const xml = await readFile(file, 'utf8');
      expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="stratum-sdk conformance" tests="16" failures="0" skipped="1">/);
      expect(xml.match(/<testcase /g)).toHaveLength(16);
      expect(xml).toContain('<testcase classname="conformance.pool" name="share: unknown job" id="pool.submit.unknown-job">');
      expect(xml).toMatch(/<skipped message="authorized &quot;stratum-sdk-conformance.no-such-worker&quot;: the pool takes any worker name/);
      expect(xml.match(/<testcase /g)?.length).toBe(xml.match(/<\/testcase>/g)?.length);
    } finally {
      await rm(file, { force: true });
    }
  });
});

describe('the pool probe over TLS', { timeout: 60_000 }, () => {
  it('probes a stratum+ssl:// pool with the shared TLS options', async () => {
    const secure = await keep(startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0, electrumTls: 0, electrumWss: 0, stratumTls: 0 }, shareDifficulty: 1 / 1_000_000, blockBits: HARD_BLOCKS }));
    const url = secure.urls.stratumTls as string;
    expect(url).toMatch(/^stratum\+ssl:/);
    const r = await runCli(['conformance', url, '--user', 'me', '--tls-pin', secure.tls?.fingerprint as string, '--timeout', String(STEP * 4)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^share: duplicate +\| pass +\| the same share again refused: error array, code 22/m);
  });
});

describe('the pool probe against broken pools', { timeout: 60_000 }, () => {
  it('fails a notify of the wrong shape, quoting its bytes', async () => {
    const pool = await keep(brokenPool({ notify: (method, params) => (method === 'mining.notify' ? params.slice(0, 8) : params) }));
    const report = await runPoolConformance(pool.url, { user: 'me', timeout: STEP });
    expect(check(report, 'pool.notify')).toMatchObject({ status: 'fail', reason: expect.stringMatching(/^invalid params: /), bytes: expect.stringMatching(/"method":"mining\.notify"/) });
    // No job: the shares have nothing to be built from.
    expect(check(report, 'pool.submit.unknown-job')).toMatchObject({ status: 'skip', reason: 'no job and subscription to build shares from' });
    expect(report.ok).toBe(false);
  });

  it('fails a branch entry of the wrong length and a coinbase that does not fit the extranonce sizes', async () => {
    const withBranch = (branch: string[]) => (method: string, params: readonly unknown[]) => (method === 'mining.notify' ? [...params.slice(0, 4), branch, ...params.slice(5)] : params);
    // A 31-byte entry: the spec's schema already says so.
    const short = await keep(brokenPool({ notify: withBranch(['ab'.repeat(31)]) }));
    expect(check(await runPoolConformance(short.url, { user: 'me', timeout: STEP }), 'pool.notify')).toMatchObject({ status: 'fail', reason: expect.stringMatching(/^invalid params: params\[4\] \(merkle_branch\)\[0\]/) });
    // 33 well-formed entries: a tree for more than 2^32 transactions, which only the consistency check sees.
    const long = await keep(brokenPool({ notify: withBranch(Array.from({ length: 33 }, () => 'ab'.repeat(32))) }));
    expect(check(await runPoolConformance(long.url, { user: 'me', timeout: STEP }), 'pool.notify')).toMatchObject({ status: 'fail', reason: 'merkle_branch has 33 entries (at most 32 for any block)' });

    // The subscription says 8 bytes of extranonce2; coinb1 and coinb2 were built for 4.
    const sizes = await keep(
      brokenPool({
        handlers: (pool) => ({
          'mining.subscribe': ((params: never, miner: PoolMiner) => {
            const [subs, extranonce1] = (pool.handlers['mining.subscribe'] as (p: never, m: PoolMiner) => [unknown, string, number])(params, miner);
            return [subs, extranonce1, 8];
          }) as never,
        }),
      }),
    );
    const report = await runPoolConformance(sizes.url, { user: 'me', timeout: STEP });
    expect(check(report, 'pool.subscribe')).toMatchObject({ status: 'pass', reason: 'extranonce1 00000001, extranonce2_size 8' });
    expect(check(report, 'pool.notify')).toMatchObject({ status: 'fail', reason: expect.stringMatching(/does not parse as a transaction|do not fall inside the coinbase scriptSig/) });
  });

  it('fails a pool that accepts bad shares, naming each', async () => {
    const pool = await keep(brokenPool({ handlers: () => ({ 'mining.submit': (() => true) as never }) }));
    const report = await runPoolConformance(pool.url, { user: 'me', timeout: STEP });
    for (const id of ['pool.submit.unknown-job', 'pool.submit.ntime', 'pool.submit.version-bits', 'pool.submit.low-difficulty', 'pool.submit.duplicate', 'pool.submit.before-authorize']) {
      expect(check(report, id), id).toMatchObject({ status: 'fail', reason: expect.stringMatching(/^accepted /), bytes: expect.stringMatching(/"result":true/) });
    }
    // Taking a longer extranonce2 is what the spec documents ckpool doing (pad or truncate): a deviation.
    expect(check(report, 'pool.submit.extranonce2-size')).toMatchObject({ status: 'deviation', documented: expect.stringMatching(/^mining\.submit \(ckpool\): ckpool .*pads or truncates extranonce2/) });
    expect(check(report, 'pool.submit.valid')?.status).toBe('pass');
  });

  it('skips version rolling when the pool never answers mining.configure, after the step timeout', async () => {
    const pool = await keep(brokenPool({ handlers: () => ({ 'mining.configure': (() => new Promise(() => undefined)) as never }) }));
    const report = await runPoolConformance(pool.url, { user: 'me', timeout: STEP });
    expect(check(report, 'pool.configure')).toMatchObject({ status: 'skip', reason: expect.stringMatching(new RegExp(`^no answer within ${STEP} ms: the pool does not speak BIP310`)) });
    expect(check(report, 'pool.submit.version-bits')).toMatchObject({ status: 'skip', reason: 'no version rolling was negotiated (mining.configure)' });
    // Everything else goes on: configure's silence held nothing up.
    expect(check(report, 'pool.submit.duplicate')?.status).toBe('pass');
    expect(report.ok).toBe(true);
  });

  it('reports a pool that stops answering, check by check, within the step timeouts', async () => {
    const never = () => new Promise(() => undefined);
    const pool = await keep(brokenPool({ handlers: () => ({ 'mining.submit': never as never, 'mining.extranonce.subscribe': never as never }) }));
    const started = performance.now();
    const report = await runPoolConformance(pool.url, { user: 'me', timeout: STEP });
    // The steps run in at most four rounds (subscribe, authorize, the job, the shares), each bounded by the timeout.
    expect(performance.now() - started).toBeLessThan(STEP * 4 + 5_000);
    for (const id of ['pool.submit.unknown-job', 'pool.submit.low-difficulty', 'pool.submit.before-authorize']) {
      expect(check(report, id), id).toMatchObject({ status: 'fail', reason: expect.stringMatching(new RegExp(`: no answer within ${STEP} ms$`)) });
    }
    expect(check(report, 'pool.submit.valid')).toMatchObject({ status: 'fail', reason: expect.stringMatching(/no answer within/) });
    // No answer to mining.extranonce.subscribe is what ckpool and node-stratum-pool do: documented.
    expect(check(report, 'pool.extranonce.subscribe')).toMatchObject({ status: 'deviation', documented: expect.stringMatching(/send no reply at all/) });
  });

  it('fails a pool that never answers authorize, and skips what depends on it', async () => {
    const pool = await keep(brokenPool({ handlers: () => ({ 'mining.authorize': (() => new Promise(() => undefined)) as never }) }));
    const report = await runPoolConformance(pool.url, { user: 'me', timeout: STEP });
    expect(check(report, 'pool.authorize')).toMatchObject({ status: 'fail', reason: `no answer within ${STEP} ms` });
    expect(check(report, 'pool.notify')).toMatchObject({ status: 'skip', reason: 'the worker was not authorized' });
  });

  it('refuses with ckpool encodings: deviations, exit 0 by default and 1 with --fail-on deviation', async () => {
    const pool = await keep(brokenPool());
    // ckpool's share refusals: "result": false, "error": null and a "reject-reason".
    const proxy = await keep(
      rewritingProxy(pool.port, (message, request) => {
        // And its format errors as bare strings, for a share and for a worker name it will not take.
        if (request?.method === 'mining.authorize' && request.params[0] === BAD_WORKER) return { id: message['id'], result: false, error: 'Invalid character in username' };
        if (request?.method !== 'mining.submit' || !Array.isArray(message['error'])) return message;
        const reason = String((message['error'] as unknown[])[1]);
        if (/extranonce2/.test(reason)) return { id: message['id'], result: false, error: 'Invalid array size' };
        return { id: message['id'], result: false, error: null, 'reject-reason': reason };
      }),
    );
    const report = await runPoolConformance(proxy.url, { user: 'me', timeout: STEP });
    expect(check(report, 'pool.submit.unknown-job')).toMatchObject({
      status: 'deviation',
      reason: 'a share for an unknown job refused: "result": false, "reject-reason": "Job not found"',
      documented: expect.stringMatching(/^mining\.submit \(ckpool\): ckpool rejects shares with "result": false, "error": null and a "reject-reason"/),
    });
    expect(check(report, 'pool.submit.extranonce2-size')).toMatchObject({ status: 'deviation', reason: expect.stringMatching(/refused: error string "Invalid array size"/), documented: expect.stringMatching(/a bare error string/) });
    expect(check(report, 'pool.authorize.bad')).toMatchObject({ status: 'deviation', reason: `refused "${BAD_WORKER}": error string "Invalid character in username"`, documented: expect.stringMatching(/^mining\.authorize \(ckpool\): ckpool reports failures as bare error strings/) });
    expect(report.ok).toBe(true);
    expect(report.counts.deviation).toBeGreaterThanOrEqual(8);

    const lenient = await runCli(['conformance', proxy.url, '--user', 'me', '--timeout', String(STEP)]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/^share: duplicate +\| deviation \| the same share again refused: "result": false, "reject-reason": "Duplicate share"$/m);
    expect(lenient.stdout).toMatch(/^ +\| +\| +documented: mining\.submit \(ckpool\): ckpool rejects shares/m);
    const strict = await runCli(['conformance', proxy.url, '--user', 'me', '--timeout', String(STEP), '--fail-on', 'deviation']);
    expect(strict.code).toBe(1);
  });

  it('fails a refusal with the wrong code, and one the probe cannot read', async () => {
    const pool = await keep(brokenPool());
    const proxy = await keep(
      rewritingProxy(pool.port, (message, request) => {
        if (request?.method !== 'mining.submit' || !Array.isArray(message['error'])) return message;
        const [code, text] = message['error'] as [number, string];
        // Every refusal as code 20, and a low-difficulty one as a bare number.
        return code === 23 ? { id: message['id'], result: null, error: 23 } : { id: message['id'], result: null, error: { code: 20, message: text } };
      }),
    );
    const report = await runPoolConformance(proxy.url, { user: 'me', timeout: STEP });
    expect(check(report, 'pool.submit.unknown-job')).toMatchObject({ status: 'fail', reason: 'a share for an unknown job refused: error object, code 20 "Job not found"; the spec\'s code for a share for an unknown job is 21' });
    expect(check(report, 'pool.submit.ntime')).toMatchObject({ status: 'pass', reason: expect.stringMatching(/error object, code 20 "Ntime out of range"/) });
    expect(check(report, 'pool.submit.low-difficulty')).toMatchObject({ status: 'fail', reason: expect.stringMatching(/not an error encoding Stratum uses$/), bytes: expect.stringMatching(/^\{"id":\d+,"result":null,"error":23\}$/) });
  });

  it('survives a hostile pool: garbage, deep nesting, a flood and a hang-up give failures, never a crash or a hang', async () => {
    const answers: ((socket: net.Socket, id: unknown) => void)[] = [
      (socket) => socket.write('this is not JSON\n'),
      (socket, id) => socket.write(`{"id":${JSON.stringify(id)},"result":${'['.repeat(5000)}${']'.repeat(5000)},"error":null}\n`),
      (socket) => {
        for (let i = 0; i < 3000; i++) socket.write('{"id":null,"method":"mining.set_difficulty","params":[1]}\n');
      },
      (socket) => socket.destroy(),
    ];
    for (const [n, answer] of answers.entries()) {
      const server = net.createServer((socket) => {
        socket.on('error', () => undefined);
        socket.on('data', (chunk) => {
          for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
            let id: unknown = null;
            try {
              id = (JSON.parse(line) as { id?: unknown }).id;
            } catch {
              // answered all the same
            }
            if (!socket.destroyed) answer(socket, id);
          }
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      pools.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
      const url = `stratum+tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
      const r = await runCli(['conformance', url, '--user', 'me', '--timeout', String(STEP), '--json']);
      expect(r.code, `answer ${n}`).toBe(1);
      const report = JSON.parse(r.stdout) as ConformanceReport;
      expect(check(report, 'pool.subscribe')?.status, `answer ${n}`).toBe('fail');
      for (const c of report.checks) expect((c.bytes ?? '').length).toBeLessThanOrEqual(400);
      server.close();
    }
  });

  it('is not a verdict when the pool cannot be reached: the CLI says why, exit 1', async () => {
    const pool = await brokenPool();
    await pool.close();
    const r = await runCli(['conformance', pool.url, '--user', 'me']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CONNECT: .*ECONNREFUSED/);
  });
});
