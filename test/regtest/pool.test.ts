// The regtest pool's logic, driven through its typed handlers with a recording link (no sockets): jobs,
// shares with every standard error code, version rolling, extranonce changes, and shares that become blocks.
import { describe, expect, it } from 'vitest';
import { buildHeader, parseNotify } from '../../src/bitcoin/job.js';
import { findNonce } from '../../src/bitcoin/search.js';
import { difficultyToTarget, targetToBits } from '../../src/bitcoin/target.js';
import { RegtestChain } from '../../src/regtest/chain.js';
import { bytesToHex } from '../../src/bitcoin/bytes.js';
import { serializeTransaction } from '../../src/bitcoin/tx.js';
import { RegtestPool, SHARE_ERRORS, type PoolMiner, type PoolMinerLink } from '../../src/regtest/pool.js';
import { ServerError } from '../../src/runtime/errors.js';

const PAYOUT = `0014${'33'.repeat(20)}`;
const DIFF = 2 ** -20; // ~4,096 hashes a share

function setup(options: Partial<ConstructorParameters<typeof RegtestPool>[1]> = {}, bits?: number, chainNow?: () => number) {
  const chain = new RegtestChain({ ...(bits === undefined ? {} : { bits }), ...(chainNow === undefined ? {} : { now: chainNow }) });
  const pool = new RegtestPool(chain, { payoutScript: PAYOUT, difficulty: DIFF, ...options });
  const sent: [string, readonly unknown[]][] = [];
  const link: PoolMinerLink = {
    notify: (method, params) => void sent.push([method, params]),
    request: async () => 'test-miner/1.0',
  };
  const miner = pool.connect(link);
  const h = pool.handlers;
  return { chain, pool, miner, sent, h };
}

async function ready(s: ReturnType<typeof setup>) {
  const [, extranonce1, size] = (await s.h['mining.subscribe']!(['test/1.0'], s.miner)) as [unknown, string, number];
  await s.h['mining.authorize']!(['w1', 'x'], s.miner);
  return { extranonce1, size };
}

/** A share for the current job meeting `difficulty` (or, with `miss`, one that does not). */
function share(s: ReturnType<typeof setup>, extranonce2 = '00000000', options: { miss?: boolean; difficulty?: number } = {}) {
  const notify = [...s.sent].reverse().find(([m]) => m === 'mining.notify')?.[1] as unknown[];
  const job = parseNotify(notify);
  const { header } = buildHeader(job, { extranonce1: s.miner.extranonce1, extranonce2, nonce: '00000000' });
  const target = difficultyToTarget(options.difficulty ?? DIFF);
  let nonce = 0;
  for (;;) {
    const found = findNonce(header, options.miss ? (1n << 256n) - 1n : target, { startNonce: nonce, maxIterations: 1 });
    const meets = findNonce(header, target, { startNonce: nonce, maxIterations: 1 }) !== null;
    if (found && meets !== options.miss) return [ 'w1', job.jobId, extranonce2, job.ntime, found.nonceHex ] as [string, string, string, string, string];
    nonce++;
  }
}

async function code(submit: () => unknown): Promise<number | null> {
  try {
    await submit();
    return 0;
  } catch (e) {
    expect(e).toBeInstanceOf(ServerError);
    return (e as ServerError).serverCode;
  }
}

describe('RegtestPool', () => {
  it('subscribes with a unique extranonce1, and sends difficulty and a job before answering authorize', async () => {
    const s = setup();
    const other = s.pool.connect({ notify: () => undefined, request: async () => null });
    const { extranonce1, size } = await ready(s);
    expect(extranonce1).toMatch(/^[0-9a-f]{8}$/);
    expect(extranonce1).not.toBe(other.extranonce1);
    expect(size).toBe(4);
    expect(s.sent.map(([m]) => m)).toEqual(['mining.set_difficulty', 'mining.notify']);
    expect(s.sent[0]![1]).toEqual([DIFF]);
    const notify = s.sent[1]![1];
    expect(notify).toHaveLength(9);
    expect(notify[8]).toBe(true);
  });

  it('accepts a good share, and on regtest it is a block that pays the pool', async () => {
    const s = setup();
    await ready(s);
    const blocks: number[] = [];
    s.pool.events.on('block', (b) => blocks.push(b.height));
    expect(await s.h['mining.submit']!(share(s), s.miner)).toBe(true);
    expect(s.chain.height).toBe(1);
    expect(blocks).toEqual([1]);
    const coinbase = s.chain.transaction(s.chain.tip.txids[0]!)!.tx;
    expect(coinbase.outputs[0]!.scriptPubKey).toBe(PAYOUT);
    // The new block made a clean job for every subscribed miner.
    const last = s.sent.at(-1)!;
    expect(last[0]).toBe('mining.notify');
    expect(last[1][8]).toBe(true);
  });

  it('refuses shares with the standard codes', async () => {
    const s = setup();
    const early = share({ ...s, sent: [['mining.notify', s.pool.currentJob.notify]] });
    expect(await code(() => s.h['mining.submit']!(early, s.miner))).toBe(SHARE_ERRORS.NOT_SUBSCRIBED);
    await s.h['mining.subscribe']!([], s.miner);
    expect(await code(() => s.h['mining.submit']!(early, s.miner))).toBe(SHARE_ERRORS.UNAUTHORIZED);
    await s.h['mining.authorize']!(['w1'], s.miner);
    const good = share(s);
    expect(await code(() => s.h['mining.submit']!(['w1', 'ffff', ...good.slice(2)] as typeof good, s.miner))).toBe(SHARE_ERRORS.JOB_NOT_FOUND);
    expect(await code(() => s.h['mining.submit']!([...good.slice(0, 2), '0000', ...good.slice(3)] as typeof good, s.miner))).toBe(SHARE_ERRORS.OTHER);
    expect(await code(() => s.h['mining.submit']!([...good.slice(0, 3), '00000001', good[4]] as typeof good, s.miner))).toBe(SHARE_ERRORS.OTHER);
    expect(await code(() => s.h['mining.submit']!(share(s, '00000001', { miss: true }), s.miner))).toBe(SHARE_ERRORS.LOW_DIFFICULTY);
    // Version bits without mining.configure.
    expect(await code(() => s.h['mining.submit']!([...good, '00002000'], s.miner))).toBe(SHARE_ERRORS.OTHER);
  });

  it('never refuses the ntime of its own job, even when fast blocks put the chain time hours ahead of the clock', async () => {
    // Found with cpuminer at a block per share: past 7,200 blocks the job times ran 2 h ahead and every share
    // on a fresh job got "Ntime out of range".
    const clock = 1_800_000_000;
    const s = setup({ now: () => clock }, undefined, () => clock + 10_000);
    await ready(s);
    const good = share(s);
    expect(await code(() => s.h['mining.submit']!(good, s.miner))).toBe(0);
    const next = share(s);
    const tooFar = (Number.parseInt(next[3], 16) + 7201).toString(16).padStart(8, '0');
    expect(await code(() => s.h['mining.submit']!([...next.slice(0, 3), tooFar, next[4]] as typeof next, s.miner))).toBe(SHARE_ERRORS.OTHER);
  });

  it('refuses a duplicate share, and a share is a block only when it meets the network target', async () => {
    // A network target far harder than the share target: shares are not blocks.
    const s = setup({}, targetToBits(difficultyToTarget(1)));
    await ready(s);
    const good = share(s);
    expect(await code(() => s.h['mining.submit']!(good, s.miner))).toBe(0);
    expect(s.chain.height).toBe(0);
    expect(await code(() => s.h['mining.submit']!(good, s.miner))).toBe(SHARE_ERRORS.DUPLICATE);
  });

  it('forgets share state of jobs it no longer keeps, so it cannot grow without a block', async () => {
    const chain = new RegtestChain();
    for (let i = 0; i < 120; i++) chain.mine(PAYOUT);
    const pool = new RegtestPool(chain, { payoutScript: PAYOUT, difficulty: DIFF });
    const miner = pool.connect({ notify: () => undefined, request: async () => null });
    const first = pool.currentJob.jobId;
    miner.seen.set(first, new Set(['a share']));
    // Each mempool transaction makes a new, not clean, job; 16 are kept, so 20 push the first one out.
    for (let h = 1; h <= 20; h++) {
      const coinbase = chain.block(h)!.txids[0]!;
      chain.acceptTransaction(bytesToHex(serializeTransaction({ version: 2, inputs: [{ txid: coinbase, vout: 0, scriptSig: '', sequence: 0, witness: ['00'] }], outputs: [{ value: 1000n, scriptPubKey: PAYOUT }], locktime: 0 })));
      expect(pool.currentJob.cleanJobs).toBe(false);
    }
    expect(miner.seen.has(first)).toBe(false);
  });

  it('negotiates version rolling as the intersection of masks and checks the bits', async () => {
    const s = setup();
    const result = await s.h['mining.configure']!([['version-rolling', 'unknown-ext'], { 'version-rolling.mask': '00ffff00', 'version-rolling.min-bit-count': 2 }], s.miner);
    expect(result).toEqual({ 'version-rolling': true, 'version-rolling.mask': '00ffe000', 'unknown-ext': false });
    await ready(s);
    const good = share(s);
    expect(await code(() => s.h['mining.submit']!([...good, '01000000'], s.miner))).toBe(SHARE_ERRORS.OTHER);
  });

  it('changes a miner\'s extranonce1 with mining.set_extranonce once it asked for it', async () => {
    const s = setup();
    await ready(s);
    expect(s.pool.changeExtranonce(s.miner)).toBe(false);
    expect(await s.h['mining.extranonce.subscribe']!([], s.miner)).toBe(true);
    const before = s.miner.extranonce1;
    expect(s.pool.changeExtranonce(s.miner)).toBe(true);
    expect(s.sent.at(-2)).toEqual(['mining.set_extranonce', [s.miner.extranonce1, 4]]);
    expect(s.miner.extranonce1).not.toBe(before);
    expect(await s.h['mining.submit']!(share(s), s.miner)).toBe(true);
  });

  it('honours suggest_difficulty within variable-difficulty bounds', async () => {
    const s = setup({ difficulty: { initial: DIFF, min: 2 ** -24, max: 1 } });
    await ready(s);
    await s.h['mining.suggest_difficulty']!([1e-12], s.miner);
    expect(s.sent.at(-1)).toEqual(['mining.set_difficulty', [2 ** -24]]);
  });
});
