// The regtest pool's logic, driven through its typed handlers with a recording link (no sockets): jobs,
// shares with every standard error code, version rolling, extranonce changes, shares that become blocks, and
// the attacks of issue 12: duplicates re-spelled or replayed, and a difficulty suggested below the floor.
import { describe, expect, it } from 'vitest';
import { buildHeader, meetsDifficulty, parseNotify } from '../../src/bitcoin/job.js';
import { findNonce } from '../../src/bitcoin/search.js';
import { difficultyToTarget, targetToBits } from '../../src/bitcoin/target.js';
import { RegtestChain } from '../../src/regtest/chain.js';
import { bytesToHex, u32ToHex } from '../../src/bitcoin/bytes.js';
import { serializeTransaction } from '../../src/bitcoin/tx.js';
import { RegtestPool, SHARE_ERRORS, type PoolMinerLink } from '../../src/regtest/pool.js';
import { ServerError } from '../../src/runtime/errors.js';

const PAYOUT = `0014${'33'.repeat(20)}`;
const DIFF = 2 ** -20; // ~4,096 hashes a share
/** A fixed clock for chain and pool: jobs, and so the shares found for them, are the same on every run. */
const CLOCK = 1_800_000_000;
/** Every hash meets it (its target is past the largest 256-bit number), so any nonce is a share. */
const ANY_HASH = 2 ** -33;
/** Blocks of difficulty 1: a share is a block once in 2^32, so the job stays. */
const HARD_BITS = targetToBits(difficultyToTarget(1));
/** Blocks chain.mine() finds in ~256 hashes. */
const EASY_BLOCKS = 2 ** -24;

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
  const params = (nonce: string): [string, string, string, string, string] => ['w1', job.jobId, extranonce2, job.ntime, nonce];
  if (!options.miss) return params(findNonce(header, target)!.nonceHex);
  for (let nonce = 0; ; nonce++) if (findNonce(header, target, { startNonce: nonce, maxIterations: 1 }) === null) return params(u32ToHex(nonce));
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

  it('forgets the shares of jobs it no longer keeps, so they cannot grow without a block', async () => {
    const s = setup({ difficulty: ANY_HASH, now: () => CLOCK }, targetToBits(difficultyToTarget(EASY_BLOCKS)), () => CLOCK);
    for (let i = 0; i < 120; i++) s.chain.mine(PAYOUT);
    await ready(s);
    const first = share(s, '00000000', { difficulty: EASY_BLOCKS, miss: true }); // a share, not a block
    expect(await code(() => s.h['mining.submit']!(first, s.miner))).toBe(0);
    expect(s.pool.rememberedShares).toBe(1);
    // Each mempool transaction makes a new, not clean, job; 16 are kept, so 20 push the first one out.
    for (let h = 1; h <= 20; h++) {
      const coinbase = s.chain.block(h)!.txids[0]!;
      s.chain.acceptTransaction(bytesToHex(serializeTransaction({ version: 2, inputs: [{ txid: coinbase, vout: 0, scriptSig: '', sequence: 0, witness: ['00'] }], outputs: [{ value: 1000n, scriptPubKey: PAYOUT }], locktime: 0 })));
      expect(s.pool.currentJob.cleanJobs).toBe(false);
    }
    expect(s.pool.rememberedShares).toBe(0);
    expect(await code(() => s.h['mining.submit']!(first, s.miner))).toBe(SHARE_ERRORS.JOB_NOT_FOUND);
  });

  it('refuses a share sent again with version bits "00000000" where it first had none, and the other way round', async () => {
    const s = setup({ now: () => CLOCK }, HARD_BITS, () => CLOCK);
    await s.h['mining.configure']!([['version-rolling'], { 'version-rolling.mask': '1fffe000' }], s.miner);
    await ready(s);
    // The job's version has no bit in the mask, so zero version bits build the very same header.
    expect(Number.parseInt(s.pool.currentJob.version, 16) & 0x1fffe000).toBe(0);
    const a = share(s, '00000000');
    expect(await code(() => s.h['mining.submit']!(a, s.miner))).toBe(0);
    expect(await code(() => s.h['mining.submit']!([...a, '00000000'], s.miner))).toBe(SHARE_ERRORS.DUPLICATE);
    const b = share(s, '00000001');
    expect(await code(() => s.h['mining.submit']!([...b, '00000000'], s.miner))).toBe(0);
    expect(await code(() => s.h['mining.submit']!(b, s.miner))).toBe(SHARE_ERRORS.DUPLICATE);
  });

  it('refuses a duplicate however its hex is spelled: upper or mixed case, ntime and nonce as numbers', async () => {
    const s = setup({ difficulty: ANY_HASH, now: () => CLOCK }, HARD_BITS, () => CLOCK);
    await s.h['mining.configure']!([['version-rolling'], { 'version-rolling.mask': '1fffe000' }], s.miner);
    await ready(s);
    const [worker, jobId, extranonce2, ntime, nonce] = share(s, 'abcdef01', { difficulty: ANY_HASH });
    expect(ntime).toMatch(/[a-f]/);
    expect(await code(() => s.h['mining.submit']!([worker, jobId, extranonce2, ntime, nonce, '0000a000'], s.miner))).toBe(0);
    const spellings: Parameters<NonNullable<typeof s.h['mining.submit']>>[0][] = [
      [worker, jobId, 'ABCDEF01', ntime, nonce, '0000a000'],
      [worker, jobId, 'AbCdEf01', ntime.toUpperCase(), nonce.toUpperCase(), '0000A000'],
      [worker, jobId, extranonce2, Number.parseInt(ntime, 16), Number.parseInt(nonce, 16), '0000a000'],
      // Version bits outside the mask are refused as such (20), never taken for a new share.
      [worker, jobId, extranonce2, ntime, nonce, 'e000a000'],
    ];
    const codes = [];
    for (const params of spellings) codes.push(await code(() => s.h['mining.submit']!(params, s.miner)));
    expect(codes).toEqual([SHARE_ERRORS.DUPLICATE, SHARE_ERRORS.DUPLICATE, SHARE_ERRORS.DUPLICATE, SHARE_ERRORS.OTHER]);
  });

  it('remembers every share a live job took: 10,000 shares later the first is still a duplicate', async () => {
    const s = setup({ difficulty: ANY_HASH, now: () => CLOCK }, HARD_BITS, () => CLOCK);
    await ready(s);
    const job = s.pool.currentJob;
    const submit = (nonce: number) => s.h['mining.submit']!(['w1', job.jobId, '00000000', job.ntime, u32ToHex(nonce)], s.miner);
    for (let nonce = 0; nonce <= 10_000; nonce++) expect(await submit(nonce)).toBe(true);
    expect(s.pool.currentJob).toBe(job); // none was a block
    expect(await code(() => submit(0))).toBe(SHARE_ERRORS.DUPLICATE);
    expect(s.pool.rememberedShares).toBe(10_001);
  });

  it('a job that took maxSharesPerJob shares refuses new ones with code 20, still knows its duplicates, and the next job takes shares', async () => {
    const s = setup({ difficulty: ANY_HASH, maxSharesPerJob: 3, now: () => CLOCK }, targetToBits(difficultyToTarget(EASY_BLOCKS)), () => CLOCK);
    await ready(s);
    const shares = ['00000000', '00000001', '00000002', '00000003'].map((e2) => share(s, e2, { difficulty: EASY_BLOCKS, miss: true }));
    const submit = (params: (typeof shares)[number]) => code(() => s.h['mining.submit']!(params, s.miner));
    for (const params of shares.slice(0, 3)) expect(await submit(params)).toBe(0);
    await expect((async () => s.h['mining.submit']!(shares[3]!, s.miner))()).rejects.toMatchObject({ serverCode: SHARE_ERRORS.OTHER, serverMessage: expect.stringMatching(/full/) });
    expect(await submit(shares[0]!)).toBe(SHARE_ERRORS.DUPLICATE);
    expect(s.pool.rememberedShares).toBe(3);
    s.chain.mine(PAYOUT);
    expect(s.pool.rememberedShares).toBe(0);
    expect(await submit(shares[3]!)).toBe(SHARE_ERRORS.JOB_NOT_FOUND);
    expect(await submit(share(s, '00000003', { difficulty: EASY_BLOCKS, miss: true }))).toBe(0);
  });

  it('a miner that resumes its session on a new connection cannot submit its shares again', async () => {
    const s = setup({ now: () => CLOCK }, HARD_BITS, () => CLOCK);
    const { extranonce1 } = await ready(s);
    const good = share(s);
    expect(await code(() => s.h['mining.submit']!(good, s.miner))).toBe(0);
    s.pool.disconnect(s.miner);
    const again = s.pool.connect({ notify: () => undefined, request: async () => null });
    expect(await s.h['mining.subscribe']!(['test/1.0', extranonce1], again)).toEqual([expect.anything(), extranonce1, 4]);
    await s.h['mining.authorize']!(['w1', 'x'], again);
    expect(await code(() => s.h['mining.submit']!(good, again))).toBe(SHARE_ERRORS.DUPLICATE);
  });

  it('checks shares against the extranonce1 of a second subscribe that changed it', async () => {
    const s = setup({ now: () => CLOCK }, HARD_BITS, () => CLOCK);
    await ready(s);
    expect(await code(() => s.h['mining.submit']!(share(s, '00000000'), s.miner))).toBe(0);
    await s.h['mining.subscribe']!(['test/1.0', 'abcdef01'], s.miner);
    expect(s.miner.extranonce1).toBe('abcdef01');
    expect(await code(() => s.h['mining.submit']!(share(s, '00000001'), s.miner))).toBe(0);
  });

  it('a suggestion cannot take a fixed difficulty below the configured one, and unusable numbers are ignored', async () => {
    const s = setup({ now: () => CLOCK }, HARD_BITS, () => CLOCK);
    await ready(s);
    expect(await s.h['mining.suggest_difficulty']!([1e-12], s.miner)).toBe(true);
    expect(s.sent.at(-1)).toEqual(['mining.set_difficulty', [DIFF]]);
    expect(s.miner.difficulty).toBe(DIFF);
    expect(await code(() => s.h['mining.submit']!(share(s, '00000001', { miss: true }), s.miner))).toBe(SHARE_ERRORS.LOW_DIFFICULTY);
    // Random nonces: only those that meet the configured difficulty pass.
    const job = parseNotify(s.pool.currentJob.notify);
    let accepted = 0;
    for (let nonce = 0; nonce < 200; nonce++) {
      const params: [string, string, string, string, string] = ['w1', job.jobId, '00000002', job.ntime, u32ToHex(nonce)];
      const meets = meetsDifficulty(buildHeader(job, { extranonce1: s.miner.extranonce1, extranonce2: '00000002', nonce: u32ToHex(nonce) }).header, DIFF);
      expect(await code(() => s.h['mining.submit']!(params, s.miner))).toBe(meets ? 0 : SHARE_ERRORS.LOW_DIFFICULTY);
      if (meets) accepted++;
    }
    expect(accepted).toBeLessThan(3);
    // More than the floor is honoured; zero, negative and non-finite numbers change nothing.
    expect(await s.h['mining.suggest_difficulty']!([DIFF * 4], s.miner)).toBe(true);
    expect(s.sent.at(-1)).toEqual(['mining.set_difficulty', [DIFF * 4]]);
    const sent = s.sent.length;
    for (const bad of [0, -1, -0, Number.NaN, Infinity, -Infinity]) expect(await s.h['mining.suggest_difficulty']!([bad], s.miner)).toBe(false);
    expect(s.sent.length).toBe(sent);
    expect(s.miner.difficulty).toBe(DIFF * 4);
  });

  it('BIP310 minimum-difficulty raises a miner\'s difficulty within the bounds, never lowers it', async () => {
    const s = setup({ difficulty: { initial: DIFF, min: DIFF / 4, max: 1 } });
    const configure = (value: number) => s.h['mining.configure']!([['minimum-difficulty'], { 'minimum-difficulty.value': value }], s.miner);
    expect(await configure(1e-12)).toEqual({ 'minimum-difficulty': true });
    expect(s.miner.difficulty).toBe(DIFF);
    expect(await configure(Infinity)).toEqual({ 'minimum-difficulty': false });
    expect(await configure(0)).toEqual({ 'minimum-difficulty': false });
    expect(s.miner.difficulty).toBe(DIFF);
    await configure(DIFF * 2);
    expect(s.miner.difficulty).toBe(DIFF * 2);
    await configure(1e300);
    expect(s.miner.difficulty).toBe(1);
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
