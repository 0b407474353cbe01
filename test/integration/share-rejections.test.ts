// Share rejections carry a pool-neutral reason: every wording in spec/share-rejections.json maps as the
// file says, every encoding of a refusal gets one, unknown wording falls back to the code and then to
// 'other', and the regtest world's own pool refusals come out with the right reasons.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHeader } from '../../src/bitcoin/job.js';
import { findNonce } from '../../src/bitcoin/search.js';
import { difficultyToTarget, targetToBits } from '../../src/bitcoin/target.js';
import { u32ToHex } from '../../src/bitcoin/bytes.js';
import { MiningClient } from '../../src/clients/mining-client.js';
import { MAX_COMPARED_MESSAGE_LENGTH, SHARE_REJECTION_REASONS, ShareRejectedError, shareRejectionReason, type ShareRejectionReason } from '../../src/clients/share-rejections.js';
import { startWorld, type World } from '../../src/regtest.js';
import { ServerError } from '../../src/runtime/errors.js';
import { startFakePool, type FakePool, type PoolConnection, type PoolMessage } from '../helpers/fake-pool.js';
import { SPEC_DIR } from '../helpers/spec-files.js';

interface Data {
  reasons: Record<string, string>;
  codes: { code: number; reason: ShareRejectionReason }[];
  pools: { pool: string; messages: { message: string; match: 'exact' | 'prefix'; code?: number; reason: ShareRejectionReason; example?: string }[] }[];
}
const data = JSON.parse(fs.readFileSync(path.join(SPEC_DIR, 'share-rejections.json'), 'utf8')) as Data;
const patterns = data.pools.flatMap((p) => p.messages.map((m) => ({ pool: p.pool, ...m })));

describe('shareRejectionReason', () => {
  it('knows exactly the reasons the spec declares', () => {
    expect([...SHARE_REJECTION_REASONS]).toEqual(Object.keys(data.reasons));
    expect(SHARE_REJECTION_REASONS).toEqual(
      expect.arrayContaining(['job-not-found', 'stale', 'duplicate', 'low-difficulty', 'unauthorized', 'not-subscribed', 'bad-ntime', 'bad-version-bits', 'other']),
    );
  });

  it.each(patterns.map((p) => [p.pool, p.message, p] as const))('%s: "%s" maps as the spec says', (_pool, _message, p) => {
    const sent = p.code ?? null;
    expect(shareRejectionReason(sent, p.message)).toBe(p.reason);
    // Case and surrounding spaces do not matter, and the wording wins over any code.
    expect(shareRejectionReason(sent, ` ${p.message.toUpperCase()} `)).toBe(p.reason);
    expect(shareRejectionReason(null, p.message)).toBe(p.reason);
    expect(shareRejectionReason(99, p.message)).toBe(p.reason);
    if (p.match === 'prefix') {
      expect(shareRejectionReason(sent, `${p.message} 0.000244`)).toBe(p.reason);
      if (p.example !== undefined) expect(shareRejectionReason(sent, p.example)).toBe(p.reason);
    } else if (!patterns.some((q) => q.match === 'prefix' && p.message.toLowerCase().startsWith(q.message.toLowerCase()))) {
      // An exact wording is only that: with more after it, it is not the known message.
      expect(shareRejectionReason(null, `${p.message} and then some`)).toBe('other');
    }
  });

  it.each(data.codes.map((c) => [c.code, c.reason] as const))('code %i with unknown wording is %s', (code, reason) => {
    expect(shareRejectionReason(code, 'something no pool says')).toBe(reason);
    expect(shareRejectionReason(code, '')).toBe(reason);
  });

  it('is "other" for unknown wording with no code or an unknown one', () => {
    expect(shareRejectionReason(null, 'Your share smells funny')).toBe('other');
    expect(shareRejectionReason(-1, 'Your share smells funny')).toBe('other');
    expect(shareRejectionReason(-32601, 'unknown method "mining.submit"')).toBe('other');
    expect(shareRejectionReason(null, '')).toBe('other');
    expect(shareRejectionReason(null, '__proto__')).toBe('other');
    expect(shareRejectionReason(null, 'constructor')).toBe('other');
  });

  it('reads only the start of a huge message', () => {
    const huge = `low difficulty share of ${'9'.repeat(5_000_000)}`;
    expect(shareRejectionReason(null, huge)).toBe('low-difficulty');
    expect(shareRejectionReason(22, `Stale${' '.repeat(MAX_COMPARED_MESSAGE_LENGTH)}x`)).toBe('duplicate');
  });
});

describe('a refused mining.submit, in every encoding', () => {
  let pools: FakePool[] = [];
  let miners: MiningClient[] = [];
  afterAll(async () => {
    for (const m of miners) m.close();
    await Promise.all(pools.map((p) => p.close()));
    pools = [];
    miners = [];
  });

  const SHARE = ['w', 'bf', '00000001', '504e86ed', 'b2957c02'] as const;
  const cases: [string, (m: PoolMessage, c: PoolConnection) => void, { serverCode: number | null; serverMessage: string; reason: ShareRejectionReason }][] = [
    ['an error array (node-stratum-pool)', (m, c) => c.fail(m, [23, 'low difficulty share of 0.0004']), { serverCode: 23, serverMessage: 'low difficulty share of 0.0004', reason: 'low-difficulty' }],
    ['an error array with code 20 and known wording', (m, c) => c.fail(m, [20, 'ntime out of range']), { serverCode: 20, serverMessage: 'ntime out of range', reason: 'bad-ntime' }],
    ['an error array with unknown wording', (m, c) => c.fail(m, [21, 'Gone fishing', null]), { serverCode: 21, serverMessage: 'Gone fishing', reason: 'job-not-found' }],
    ['an error object', (m, c) => c.fail(m, { code: 22, message: 'Invalid share' }), { serverCode: 22, serverMessage: 'Invalid share', reason: 'duplicate' }],
    ['a bare error string (ckpool)', (m, c) => c.fail(m, 'Invalid version mask'), { serverCode: null, serverMessage: 'Invalid version mask', reason: 'bad-version-bits' }],
    ['result false with a reject-reason (ckpool)', (m, c) => c.send({ id: m.id, result: false, error: null, 'reject-reason': 'Stale' }), { serverCode: null, serverMessage: 'Stale', reason: 'stale' }],
    ['error: true', (m, c) => c.fail(m, true), { serverCode: null, serverMessage: 'error: true', reason: 'other' }],
  ];
  it.each(cases)('%s is a ShareRejectedError with its reason beside the code and message', async (_name, answer, expected) => {
    const pool = await startFakePool((m, c) => answer(m, c));
    pools.push(pool);
    const miner = await MiningClient.connect(pool.url);
    miners.push(miner);
    const error = await miner.mining.submit(...SHARE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShareRejectedError);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ code: 'SERVER', method: 'mining.submit', ...expected });
  });

  it('gives no reason to refusals of other requests', async () => {
    const pool = await startFakePool((m, c) => c.fail(m, [24, 'unauthorized worker', null]));
    pools.push(pool);
    const miner = await MiningClient.connect(pool.url);
    miners.push(miner);
    const error = await miner.mining.authorize('w', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).not.toBeInstanceOf(ShareRejectedError);
  });
});

describe("the regtest world's pool", { timeout: 30_000 }, () => {
  // Easy shares (~4,096 hashes) on hard blocks: a share is not a block, so its job stays and can be sent again.
  const SHARE_DIFFICULTY = 2 ** -20;
  let world: World;
  let miner: MiningClient;

  beforeAll(async () => {
    world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 }, shareDifficulty: SHARE_DIFFICULTY, blockBits: targetToBits(difficultyToTarget(1)) });
    miner = await MiningClient.connect(world.urls.stratum);
    await miner.start({ user: 'w1', password: 'x' });
  });

  afterAll(async () => {
    miner?.close();
    await world?.close();
  });

  async function reasonOf(submit: Promise<unknown>): Promise<ShareRejectionReason | 'accepted'> {
    try {
      await submit;
      return 'accepted';
    } catch (e) {
      expect(e).toBeInstanceOf(ShareRejectedError);
      return (e as ShareRejectedError).reason;
    }
  }

  function work(extranonce2: string) {
    const job = miner.currentJob!;
    const { header } = buildHeader(job, { extranonce1: job.extranonce1!, extranonce2, nonce: '00000000' });
    const target = difficultyToTarget(SHARE_DIFFICULTY);
    const hit = findNonce(header, target)!.nonceHex;
    let miss = 0;
    while (findNonce(header, target, { startNonce: miss, maxIterations: 1 }) !== null) miss++;
    return { job, hit, miss: u32ToHex(miss) };
  }

  it('refuses each bad share with the reason it means', async () => {
    const { job, hit, miss } = work('00000001');
    const submit = (worker: string, jobId: string, ntime: string, nonce: string, versionBits?: string) =>
      versionBits === undefined ? miner.mining.submit(worker, jobId, '00000001', ntime, nonce) : miner.mining.submit(worker, jobId, '00000001', ntime, nonce, versionBits);
    expect(await reasonOf(submit('w1', 'ffffffff', job.ntime, hit))).toBe('job-not-found');
    expect(await reasonOf(submit('someone-else', job.jobId, job.ntime, hit))).toBe('unauthorized');
    expect(await reasonOf(submit('w1', job.jobId, '00000001', hit))).toBe('bad-ntime');
    expect(await reasonOf(submit('w1', job.jobId, job.ntime, hit, '00002000'))).toBe('bad-version-bits');
    expect(await reasonOf(submit('w1', job.jobId, job.ntime, miss))).toBe('low-difficulty');
    expect(await reasonOf(submit('w1', job.jobId, job.ntime, hit))).toBe('accepted');
    expect(await reasonOf(submit('w1', job.jobId, job.ntime, hit))).toBe('duplicate');
  });

  it('refuses a share of a connection that has not subscribed', async () => {
    const fresh = await MiningClient.connect(world.urls.stratum);
    try {
      expect(await reasonOf(fresh.mining.submit('w1', miner.currentJob!.jobId, '00000001', miner.currentJob!.ntime, '00000000'))).toBe('not-subscribed');
    } finally {
      fresh.close();
    }
  });
});
