// Seeded fuzz of the regtest pool's share checks (issue 12), through its typed handlers with no sockets, so
// it also meets values the server's param validation would stop (huge numbers, NaN, wrong types): valid
// shares in every spelling and replayed (from the same connection and from one that resumed its session),
// every field mutated, stale and unknown jobs, full jobs, and difficulty suggestions from 0 to 1e300. A model
// of the pool's rules, built on the toolkit's own header code, says what each answer must be: accepted, or
// refused with the standard code. No share is accepted twice, and the shares the pool remembers are exactly
// those of its live jobs, never more than KEPT_JOBS × maxSharesPerJob.
// Replay one seed: STRATUM_FUZZ_SEED=2 npx vitest run test/fuzz/pool-shares.test.ts
import { describe, expect, it } from 'vitest';
import { bytesToHex, u32ToHex } from '../../src/bitcoin/bytes.js';
import { buildHeader, meetsDifficulty, parseNotify, type StratumJob } from '../../src/bitcoin/job.js';
import { findNonce } from '../../src/bitcoin/search.js';
import { difficultyToTarget, targetToBits } from '../../src/bitcoin/target.js';
import { serializeTransaction } from '../../src/bitcoin/tx.js';
import { RegtestChain } from '../../src/regtest/chain.js';
import { KEPT_JOBS, RegtestPool, SHARE_ERRORS, type PoolMiner } from '../../src/regtest/pool.js';
import { ServerError } from '../../src/runtime/errors.js';
import { fuzzSeeds, Rng } from './helpers.js';

const PAYOUT = `0014${'44'.repeat(20)}`;
const CLOCK = 1_800_000_000;
/** One hash in ~4 is a share, so valid shares cost the test almost nothing to find. */
const FLOOR = 2 ** -30;
/** One share in ~16 is a block (a clean job); chain.mine() needs ~64 hashes. */
const BLOCK_DIFFICULTY = 2 ** -26;
/** Small, so jobs fill up and the refusal past the cap is exercised too. */
const CAP = 10;
/** Operations a seed runs: 3 seeds take ~0.7 s on an idle 2-core machine. */
const STEPS = 700;
const ACCEPTED = 0;

type Params = unknown[];

interface MinerModel {
  readonly miner: PoolMiner;
  readonly sent: [string, readonly unknown[]][];
  readonly worker: string;
  extranonce1: string;
  subscribed: boolean;
  authorized: boolean;
  mask: number;
  difficulty: number;
  previous: number;
}

/** A share as the model knows it: canonical fields, and who submitted it on which job. */
interface Share {
  model: MinerModel;
  readonly jobId: string;
  readonly extranonce2: string;
  readonly ntime: number;
  readonly nonce: number;
  readonly versionBits: number | undefined;
}

const hex = /^[0-9a-fA-F]{8}$/;
const u32 = (value: unknown): number | null =>
  typeof value === 'number'
    ? Number.isInteger(value) && value >= 0 && value <= 0xffffffff
      ? value
      : null
    : typeof value === 'string' && hex.test(value)
      ? Number.parseInt(value, 16)
      : null;

async function answer(run: () => unknown): Promise<number> {
  try {
    expect(await run()).toBe(true);
    return ACCEPTED;
  } catch (e) {
    // Anything but a ServerError (a TypeError, a BitcoinError) would be the pool failing on hostile input.
    if (!(e instanceof ServerError)) throw e;
    return e.serverCode ?? -1;
  }
}

describe('regtest pool: fuzzed shares', () => {
  for (const seed of fuzzSeeds([1, 2, 3])) {
    it(`answers every submit as the rules say, never takes a share twice, and keeps its memory bounded (seed ${seed})`, async () => {
      const rng = new Rng(seed);
      const chain = new RegtestChain({ bits: targetToBits(difficultyToTarget(BLOCK_DIFFICULTY)), now: () => CLOCK });
      for (let i = 0; i < 100; i++) chain.mine(PAYOUT); // block 1's coinbase is spendable
      const pool = new RegtestPool(chain, { payoutScript: PAYOUT, difficulty: FLOOR, maxSharesPerJob: CAP, now: () => CLOCK });
      const h = pool.handlers;

      // The model's view of the jobs: the live ones with the shares each took, and every id ever sent.
      const live = new Map<string, { job: StratumJob; count: number }>();
      const everyJob: string[] = [];
      const track = (notify: readonly unknown[]) => {
        const job = parseNotify(notify);
        if (job.cleanJobs) live.clear();
        live.set(job.jobId, { job, count: 0 });
        while (live.size > KEPT_JOBS) live.delete(live.keys().next().value as string);
        everyJob.push(job.jobId);
      };
      track(pool.currentJob.notify);
      pool.events.on('job', (job) => track(job.notify));

      const connect = (worker: string): MinerModel => {
        const sent: [string, readonly unknown[]][] = [];
        const miner = pool.connect({ notify: (method, params) => void sent.push([method, params]), request: async () => null });
        return { miner, sent, worker, extranonce1: '', subscribed: false, authorized: false, mask: 0, difficulty: FLOOR, previous: FLOOR };
      };
      const subscribe = async (m: MinerModel, sessionId?: string) => {
        const reply = await h['mining.subscribe']!(sessionId === undefined ? ['fuzz/1.0'] : ['fuzz/1.0', sessionId], m.miner);
        m.extranonce1 = reply[1] as string;
        m.subscribed = true;
      };
      const authorize = async (m: MinerModel) => {
        await h['mining.authorize']!([m.worker, 'x'], m.miner);
        m.authorized = true;
      };
      const rolling = connect('rolling');
      const result = await h['mining.configure']!([['version-rolling'], { 'version-rolling.mask': 'ffffffff' }], rolling.miner);
      rolling.mask = Number.parseInt((result as Record<string, string>)['version-rolling.mask']!, 16);
      let plain = connect('plain');
      const unsubscribed = connect('unsubscribed');
      const unauthorized = connect('unauthorized');
      const flooder = connect('flooder'); // never suggests anything, so it stays at the floor
      for (const m of [rolling, plain, unauthorized, flooder]) await subscribe(m);
      for (const m of [rolling, plain, flooder]) await authorize(m);

      /** Every header accepted, with the params that got it accepted. */
      const accepted = new Map<string, Params>();
      const shares: Share[] = [];
      const seen = new Map<number, number>();
      // Duplicates refused though spelled otherwise than when accepted: hex case, numbers, version bits.
      const respelled = { case: 0, number: 0, versionBits: 0 };
      let spendable = { txid: chain.block(1)!.txids[0]!, value: 0n };
      spendable.value = chain.transaction(spendable.txid)!.tx.outputs[0]!.value;

      /** What the pool must answer, and the header of the share when it gets that far. */
      const expected = (m: MinerModel, params: Params): { code: number; header?: string; jobId?: string } => {
        const [worker, jobId, extranonce2, ntime, nonce, versionBits] = params;
        if (!m.subscribed) return { code: SHARE_ERRORS.NOT_SUBSCRIBED };
        if (!m.authorized || worker !== m.worker) return { code: SHARE_ERRORS.UNAUTHORIZED };
        const entry = live.get(jobId as string);
        if (!entry) return { code: SHARE_ERRORS.JOB_NOT_FOUND };
        const time = u32(ntime);
        const n = u32(nonce);
        const jobTime = Number.parseInt(entry.job.ntime, 16);
        if (typeof extranonce2 !== 'string' || !hex.test(extranonce2) || time === null || n === null) return { code: SHARE_ERRORS.OTHER };
        if (time < jobTime || time > Math.max(CLOCK, jobTime) + 7200) return { code: SHARE_ERRORS.OTHER };
        if (versionBits !== undefined && (m.mask === 0 || typeof versionBits !== 'string' || !hex.test(versionBits) || (Number.parseInt(versionBits, 16) & ~m.mask) !== 0)) return { code: SHARE_ERRORS.OTHER };
        const rolled = versionBits === undefined ? {} : { versionBits: versionBits as string, versionMask: m.mask };
        const { header } = buildHeader(entry.job, { extranonce1: m.extranonce1, extranonce2, ntime: u32ToHex(time), nonce: u32ToHex(n), ...rolled });
        const at = { header, jobId: jobId as string };
        if (accepted.has(header)) return { code: SHARE_ERRORS.DUPLICATE, ...at };
        if (!meetsDifficulty(header, Math.min(m.difficulty, m.previous))) return { code: SHARE_ERRORS.LOW_DIFFICULTY, ...at };
        if (entry.count >= CAP) return { code: SHARE_ERRORS.OTHER, ...at };
        return { code: ACCEPTED, ...at };
      };

      const submit = async (m: MinerModel, params: Params) => {
        const want = expected(m, params);
        const got = await answer(() => h['mining.submit']!(params as never, m.miner));
        if (got !== want.code) expect.fail(`seed ${seed}: ${JSON.stringify(params)} from ${m.worker} got ${got}, the rules say ${want.code}`);
        seen.set(got, (seen.get(got) ?? 0) + 1);
        if (got === SHARE_ERRORS.DUPLICATE) {
          const first = accepted.get(want.header!)!;
          if (first[5] !== params[5] && (first[5] === undefined || params[5] === undefined)) respelled.versionBits++;
          if (typeof first[3] !== typeof params[3] || typeof first[4] !== typeof params[4]) respelled.number++;
          if (first[2] !== params[2]) respelled.case++;
        }
        if (got === ACCEPTED && want.header !== undefined) {
          expect(accepted.has(want.header)).toBe(false);
          accepted.set(want.header, params);
          const entry = live.get(want.jobId!);
          if (entry) entry.count++; // unless the share was a block and its job is gone already
          m.previous = m.difficulty;
        }
        return got;
      };

      /** A spelling of a share's fields: hex in any case, ntime and nonce as numbers, zero version bits or none. */
      const spell = (s: Share): Params => {
        const anyCase = (text: string) => [...text].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c)).join('');
        const word = (value: number) => (rng.chance(0.3) ? value : anyCase(u32ToHex(value)));
        const zeroBits = s.model.mask !== 0 && (s.versionBits ?? 0) === 0;
        const bits = zeroBits ? (rng.chance(0.5) ? undefined : 0) : s.versionBits;
        return [s.model.worker, s.jobId, anyCase(s.extranonce2), word(s.ntime), word(s.nonce), ...(bits === undefined ? [] : [anyCase(u32ToHex(bits))])];
      };

      /** A new share on a live job: meeting the difficulty most of the time, a random nonce otherwise. */
      const fresh = (m: MinerModel): Share => {
        const jobs = [...live.values()];
        const { job } = rng.chance(0.7) ? jobs[jobs.length - 1]! : rng.pick(jobs);
        const extranonce2 = u32ToHex(rng.int(0, 0xffffffff));
        const ntime = Number.parseInt(job.ntime, 16) + rng.int(0, 30);
        const versionBits = m.mask !== 0 && rng.chance(0.5) ? (rng.int(0, 0xffffffff) & m.mask) >>> 0 : undefined;
        const rolled = versionBits === undefined ? {} : { versionBits: u32ToHex(versionBits), versionMask: m.mask };
        let nonce = rng.int(0, 0xfffff000);
        if (rng.chance(0.75)) {
          const { header } = buildHeader(job, { extranonce1: m.extranonce1, extranonce2, ntime: u32ToHex(ntime), nonce: '00000000', ...rolled });
          const found = findNonce(header, difficultyToTarget(Math.min(m.difficulty, m.previous)), { startNonce: nonce, maxIterations: 64 });
          if (found) nonce = found.nonce;
        }
        return { model: m, jobId: job.jobId, extranonce2, ntime, nonce, versionBits };
      };

      /** One field of a share made wrong: a size, the hex, a number no 32-bit field holds, the job, the worker. */
      const mutate = (s: Share): Params => {
        const p = spell(s);
        const huge = [2 ** 32, -1, 1.5, Number.NaN, Infinity, -Infinity, 1e300, Number.MAX_SAFE_INTEGER, -0.5];
        const badWord = () => rng.pick<unknown>(['0000000', '000000000', 'zzzzzzzz', '', ' 0000000', '0x000000', null, {}, ...huge]);
        const stale = everyJob.filter((id) => !live.has(id));
        switch (rng.int(0, 9)) {
          case 0: p[2] = rng.pick<unknown>(['', '00', '000000', '0000000000', 'zz000000', '0000000g', 'abcdef0', 12345678, null, ['00000000']]); break;
          case 1: p[3] = badWord(); break;
          case 2: p[4] = badWord(); break;
          case 3: p[3] = u32ToHex(rng.chance(0.5) ? s.ntime - rng.int(31, 1000) : Math.max(CLOCK, s.ntime) + 7201 + rng.int(0, 1e6)); break;
          case 4: p[5] = rng.pick<unknown>(['ffffffff', 'e0000000', '00000001', '0000000', 'zzzzzzzz', 8192, null]); break;
          case 5: p[1] = rng.pick<unknown>(['', 'zz', 'ffffffff', '0', 'x'.repeat(1000), 7, null]); break;
          case 6: p[1] = stale.length ? rng.pick(stale) : 'gone'; break;
          case 7: p[0] = rng.pick<unknown>(['', 'someone', s.model.worker.toUpperCase(), null, 0]); break;
          case 8: p.length = rng.int(0, 4); break;
          default: p.push('00000000', 'extra'); break;
        }
        return p;
      };

      const suggest = async (m: MinerModel) => {
        const value = rng.weighted<unknown>([
          [6, FLOOR],
          [3, FLOOR * rng.int(2, 8)],
          [2, FLOOR / rng.int(2, 1000)],
          [1, rng.pick([0, -0, -1, -FLOOR, Number.NaN, Infinity, -Infinity, 1e-300, 5e-324, 1e-12, 1e300, '1000', null])],
        ]);
        const usable = typeof value === 'number' && value > 0 && value < Infinity;
        const before = m.sent.length;
        if (rng.chance(0.7)) {
          expect(await h['mining.suggest_difficulty']!([value as number], m.miner)).toBe(usable);
          if (!usable) return expect(m.sent.length).toBe(before);
          m.previous = m.difficulty;
          m.difficulty = Math.max(FLOOR, value);
          expect(m.sent.at(-1)).toEqual(['mining.set_difficulty', [m.difficulty]]);
        } else {
          const reply = await h['mining.configure']!([['minimum-difficulty'], { 'minimum-difficulty.value': value as number }], m.miner);
          expect(reply).toEqual({ 'minimum-difficulty': usable });
          if (usable && Math.max(FLOOR, value) > m.difficulty) m.difficulty = m.previous = Math.max(FLOOR, value);
        }
        expect(m.miner.difficulty).toBeGreaterThanOrEqual(FLOOR);
      };

      /** A new, not clean, job: a transaction spending the last one's output. */
      const transaction = () => {
        const value = spendable.value - 1000n;
        const raw = serializeTransaction({ version: 2, inputs: [{ txid: spendable.txid, vout: 0, scriptSig: '', sequence: 0, witness: ['00'] }], outputs: [{ value, scriptPubKey: PAYOUT }], locktime: 0 });
        spendable = { txid: chain.acceptTransaction(bytesToHex(raw)), value };
      };

      /** A share of the flooder's that meets the floor and is not a block (a block would clear every job). */
      const quietShare = (job: StratumJob): Params => {
        for (;;) {
          const work = { extranonce1: flooder.extranonce1, extranonce2: u32ToHex(rng.int(0, 0xffffffff)), nonce: '00000000' };
          const found = findNonce(buildHeader(job, work).header, difficultyToTarget(FLOOR), { startNonce: rng.int(0, 0xfffff000) })!;
          if (!buildHeader(job, { ...work, nonce: found.nonceHex }).meetsNetworkTarget) return [flooder.worker, job.jobId, work.extranonce2, job.ntime, found.nonceHex];
        }
      };
      /** The most the pool may remember: KEPT_JOBS jobs, each filled to the cap. */
      const flood = async () => {
        for (let n = 0; n < KEPT_JOBS; n++) transaction();
        for (const entry of live.values()) while (entry.count < CAP) expect(await submit(flooder, quietShare(entry.job))).toBe(ACCEPTED);
        expect(pool.rememberedShares).toBe(KEPT_JOBS * CAP);
        expect(await submit(flooder, quietShare(rng.pick([...live.values()]).job))).toBe(SHARE_ERRORS.OTHER); // full
      };

      for (let step = 0; step < STEPS; step++) {
        if (step === STEPS / 2) await flood();
        const op = rng.weighted<string>([
          [30, 'fresh'],
          [20, 'replay'],
          [25, 'mutate'],
          [4, 'suggest'],
          [3, 'outsider'],
          [3, 'transaction'],
          [1, 'block'],
          [1, 'resume'],
        ]);
        const m = rng.chance(0.6) ? rolling : plain;
        if (op === 'fresh') {
          const s = fresh(m);
          if ((await submit(m, spell(s))) === ACCEPTED) shares.push(s);
        } else if (op === 'replay' && shares.length) {
          // Mostly shares of live jobs (duplicates); the others make stale jobs.
          const recent = shares.filter((x) => live.has(x.jobId));
          const s = rng.pick(recent.length && rng.chance(0.8) ? recent : shares);
          await submit(s.model, spell(s));
        } else if (op === 'mutate') {
          await submit(m, mutate(shares.length && rng.chance(0.5) ? rng.pick(shares) : fresh(m)));
        } else if (op === 'suggest') {
          await suggest(m);
        } else if (op === 'outsider') {
          const who = rng.pick([unsubscribed, unauthorized]);
          await submit(who, spell({ ...fresh(m), model: who }));
        } else if (op === 'transaction') {
          // In bursts, so that more than KEPT_JOBS jobs pile up between blocks and the oldest go.
          for (let n = rng.int(1, 12); n > 0; n--) transaction();
        } else if (op === 'block') {
          chain.mine(PAYOUT);
        } else if (op === 'resume') {
          // The same extranonce1 on a new connection: its old shares are the same headers, still duplicates.
          pool.disconnect(plain.miner);
          const again = connect('plain');
          await subscribe(again, plain.extranonce1);
          expect(again.extranonce1).toBe(plain.extranonce1);
          await authorize(again);
          for (const s of shares) if (s.model === plain) s.model = again;
          plain = again;
        }
        let remembered = 0;
        for (const entry of live.values()) remembered += entry.count;
        expect(pool.rememberedShares).toBe(remembered);
        expect(pool.rememberedShares).toBeLessThanOrEqual(KEPT_JOBS * CAP);
      }

      // The run met every answer, so a seed that stops exercising one fails here rather than passing quietly.
      for (const code of [ACCEPTED, ...Object.values(SHARE_ERRORS)]) expect(seen.get(code) ?? 0, `answers with code ${code}`).toBeGreaterThan(0);
      expect(Math.min(...Object.values(respelled)), JSON.stringify(respelled)).toBeGreaterThan(0);
      pool.close();
    });
  }
});
