// Checks whether a Stratum V1 pool follows the spec, over raw connections so that every byte it sends can be
// judged and quoted: mining.configure (version rolling), mining.subscribe with one and with two params,
// mining.extranonce.subscribe, mining.authorize for a good and a bad worker, the first mining.set_difficulty
// and mining.notify (shape and consistency), then shares that are wrong in one way each, and how each
// refusal came back. Independent steps are pipelined (sent together, each awaiting its own answer), every
// wait has the step timeout, and a pool that stops answering gets each pending check reported, not waited on.
import { miningProtocol } from '../../generated/mining/methods.js';
import type { TlsSettings } from '../../runtime/tls-settings.js';
import { documented } from '../deviations.js';
import { buildReport, CheckRunner, fail, pass, skip, type ConformanceReport, type ProgressEvent, type Verdict } from '../report.js';
import { checkJob } from './job-checks.js';
import { judgeAuthorize, judgeBadAuthorize, judgeConfigure, judgeExtranonceSubscribe, judgeSubscribe, VERSION_ROLLING } from './judges.js';
import { LineProbe, type Line } from './line-probe.js';
import { mineOneShare } from './mine.js';
import { describeRefusal, judgeRefusal, noAnswer, readReply, SUBMIT_CODES } from './replies.js';
import { DEFAULT_SOLVE_BUDGET, ShareMaker, submitParams, type PoolFacts, type Share } from './shares.js';

export interface PoolConformanceOptions {
  /** The worker to authorize (a pool account or payout address, as the pool wants it). */
  readonly user: string;
  readonly password?: string | undefined;
  /** A worker the pool should refuse (default BAD_WORKER). */
  readonly badUser?: string | undefined;
  readonly tls?: TlsSettings | undefined;
  /** A SOCKS5 proxy URL every connection goes through (socks5h://127.0.0.1:9050 for Tor). */
  readonly proxy?: string | undefined;
  /** How long each step may wait for the pool, in ms (default DEFAULT_POOL_STEP_TIMEOUT). */
  readonly timeout?: number | undefined;
  /** Also mine one real share with the SDK's miner, for at most this many seconds. */
  readonly mine?: number | undefined;
  /** Hashes the probe may spend solving each bad share (default DEFAULT_SOLVE_BUDGET). */
  readonly solveBudget?: number | undefined;
  /** The clock in Unix seconds, for the out-of-range ntime (default the system clock). */
  readonly now?: (() => number) | undefined;
}

/**
 * A pool answers each step within milliseconds; silence is a legitimate answer to mining.configure and
 * mining.extranonce.subscribe (node-stratum-pool, ckpool), so a longer wait would only slow every report.
 */
export const DEFAULT_POOL_STEP_TIMEOUT = 5_000;
export const CONFORMANCE_AGENT = 'stratum-sdk-conformance/1.0';
/** A worker name no pool has an account for. */
export const BAD_WORKER = 'stratum-sdk-conformance.no-such-worker';

export async function runPoolConformance(url: string, options: PoolConformanceOptions, onProgress?: (event: ProgressEvent) => void): Promise<ConformanceReport> {
  const timeout = options.timeout ?? DEFAULT_POOL_STEP_TIMEOUT;
  const settings = { tls: options.tls, proxy: options.proxy, timeout };
  const runner = new CheckRunner(onProgress);
  const run = runner.run;
  runner.expect(16 + (options.mine ? 1 : 0));
  const worker = options.user;
  const password = options.password ?? 'x';

  // Not reaching the pool at all is not a verdict on it: the caller gets the ConnectError or TlsError.
  const main = await LineProbe.open(url, settings);
  const opened: LineProbe[] = [main];
  // More connections from one address may be refused (a per-address cap): that is a skip, not a verdict.
  const open = async (): Promise<LineProbe | string> => {
    try {
      const probe = await LineProbe.open(url, settings);
      opened.push(probe);
      return probe;
    } catch (e) {
      return `could not open another connection: ${e instanceof Error ? e.message : String(e)}`;
    }
  };

  let mask = 0;
  let subscription: { extranonce1: string; extranonce2Size: number } | undefined;
  let authorized = false;
  let difficulty: number | undefined;
  let facts: PoolFacts | undefined;

  try {
    // Step 1, pipelined: configure first (BIP310 says so), subscribe right behind it.
    const configureId = main.request('mining.configure', VERSION_ROLLING);
    const subscribeId = main.request('mining.subscribe', [CONFORMANCE_AGENT]);

    const configured = run('pool.configure', 'mining.configure version-rolling', async () => {
      const reply = readReply(await main.answer(configureId));
      const verdict = await judgeConfigure(reply, timeout);
      mask = verdict.mask;
      return verdict.verdict;
    });

    const subscribed = run('pool.subscribe', 'mining.subscribe [agent]', async () => {
      const reply = readReply(await main.answer(subscribeId));
      const judged = judgeSubscribe(reply, [CONFORMANCE_AGENT], timeout);
      if (judged.subscription) subscription = judged.subscription;
      return judged.verdict;
    });

    // Step 2, once subscribed: extranonce.subscribe and authorize together.
    const step2 = subscribed.then(() => {
      if (!subscription) return undefined;
      return { extranonce: main.request('mining.extranonce.subscribe', []), authorize: main.request('mining.authorize', [worker, password]) };
    });
    const needsSubscription = 'not sent: mining.subscribe failed';

    const extranonce = run('pool.extranonce.subscribe', 'mining.extranonce.subscribe', async () => {
      const ids = await step2;
      if (!ids) return skip(needsSubscription);
      return judgeExtranonceSubscribe(readReply(await main.answer(ids.extranonce)), timeout);
    });

    const authorize = run('pool.authorize', 'mining.authorize (good worker)', async () => {
      const ids = await step2;
      if (!ids) return skip(needsSubscription);
      const reply = readReply(await main.answer(ids.authorize));
      const verdict = judgeAuthorize(reply, worker, timeout);
      authorized = verdict.status === 'pass';
      return verdict;
    });

    // A second connection: subscribe with two params (resuming the first one's session), then a bad worker.
    const second = run('pool.subscribe.session', 'mining.subscribe [agent, session id]', async () => {
      await subscribed;
      const probe = await open();
      if (typeof probe === 'string') return skip(probe);
      const params = [CONFORMANCE_AGENT, subscription?.extranonce1 ?? null];
      const reply = readReply(await probe.answer(probe.request('mining.subscribe', params)));
      const judged = judgeSubscribe(reply, params, timeout);
      secondProbe = judged.subscription ? probe : undefined;
      return judged.verdict;
    });
    let secondProbe: LineProbe | undefined;
    const badWorker = options.badUser ?? BAD_WORKER;
    const badAuthorize = run('pool.authorize.bad', 'mining.authorize (bad worker)', async () => {
      await second;
      if (!secondProbe) return skip('not sent: the second connection did not subscribe');
      const reply = readReply(await secondProbe.answer(secondProbe.request('mining.authorize', [badWorker, 'x'])));
      return judgeBadAuthorize(reply, badWorker, timeout);
    });

    const setDifficulty = run('pool.set_difficulty', 'first mining.set_difficulty', async () => {
      await authorize;
      if (!authorized) return skip('the worker was not authorized');
      const outcome = await main.message('mining.set_difficulty');
      if (outcome.kind !== 'line') {
        difficulty = 1;
        return skip(`no mining.set_difficulty (${outcome.kind === 'timeout' ? `none within ${timeout} ms of authorize` : 'the pool closed the connection'}): Stratum's default difficulty 1 is assumed`);
      }
      const params = paramsOf(outcome.line);
      const check = miningProtocol.validateNotification('mining.set_difficulty', params);
      if (!check.valid) return fail(`invalid params: ${check.errors.join('; ')}`, outcome.line.text);
      const value = params?.[0];
      if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) return fail(`difficulty ${JSON.stringify(value)} is not a number above 0`, outcome.line.text);
      difficulty = value;
      return pass(`difficulty ${value}`, outcome.line.text);
    });

    const notify = run('pool.notify', 'first mining.notify', async () => {
      await authorize;
      if (!authorized || !subscription) return skip('the worker was not authorized');
      const outcome = await main.message('mining.notify');
      if (outcome.kind !== 'line') return fail(`no mining.notify after authorize: ${noAnswer(outcome, timeout)}`);
      const params = paramsOf(outcome.line) ?? [];
      const check = miningProtocol.validateNotification('mining.notify', params);
      if (!check.valid) return fail(`invalid params: ${check.errors.join('; ')}`, outcome.line.text);
      const job = checkJob(params, subscription.extranonce1, subscription.extranonce2Size);
      if (!job.ok) return fail(job.why, outcome.line.text);
      await setDifficulty;
      facts = { ...subscription, versionMask: mask, difficulty: difficulty ?? 1, job: job.job };
      return pass(`job ${job.job.jobId}: ${job.notes.join(', ')}`, outcome.line.text);
    });

    // A third connection subscribes and submits without authorizing.
    const beforeAuthorize = run('pool.submit.before-authorize', 'share before authorize', async () => {
      await notify;
      if (!facts) return skip('no job to submit to');
      const probe = await open();
      if (typeof probe === 'string') return skip(probe);
      const sub = readReply(await probe.answer(probe.request('mining.subscribe', [CONFORMANCE_AGENT])));
      if (sub.kind !== 'result') return skip(`the third connection did not subscribe: ${sub.kind === 'refused' ? describeRefusal(sub) : sub.kind}`);
      const params = [worker, facts.job.jobId, '00'.repeat(facts.extranonce2Size), facts.job.ntime, '00000000'];
      const reply = readReply(await probe.answer(probe.request('mining.submit', params)));
      return judgeRefusal(reply, { what: 'a share from a worker never authorized', codes: [SUBMIT_CODES.UNAUTHORIZED, SUBMIT_CODES.NOT_SUBSCRIBED], solved: false, timeout });
    });

    await Promise.all([configured, extranonce, notify]);
    await shareChecks(main, facts, { worker, timeout, budget: options.solveBudget ?? DEFAULT_SOLVE_BUDGET, now: options.now ?? (() => Math.floor(Date.now() / 1000)) }, run);
    await Promise.all([badAuthorize, beforeAuthorize]);
  } finally {
    for (const probe of opened) probe.close();
  }
  if (options.mine) {
    // Last, alone: a share that is a block makes a new job, which would make the bad shares' job stale.
    const seconds = options.mine;
    await run('pool.mine', `mine one share (--mine ${seconds})`, () => mineOneShare(url, { user: worker, password, tls: options.tls, proxy: options.proxy, timeout, seconds, agent: CONFORMANCE_AGENT }));
  }
  return buildReport({ target: url, kind: 'pool' }, runner.results());
}

interface ShareSettings {
  readonly worker: string;
  readonly timeout: number;
  readonly budget: number;
  readonly now: () => number;
}

type Run = CheckRunner['run'];

/** The bad shares, pipelined on the main connection; the valid share and its duplicate last. */
async function shareChecks(probe: LineProbe, facts: PoolFacts | undefined, settings: ShareSettings, run: Run): Promise<void> {
  const { worker, timeout } = settings;
  const cases = [
    ['pool.submit.unknown-job', 'share: unknown job'],
    ['pool.submit.extranonce2-size', 'share: wrong extranonce2 size'],
    ['pool.submit.ntime', 'share: ntime out of range'],
    ['pool.submit.version-bits', 'share: version bits outside the mask'],
    ['pool.submit.low-difficulty', 'share: below the difficulty'],
    ['pool.submit.valid', 'share: valid (solved by the probe)'],
    ['pool.submit.duplicate', 'share: duplicate'],
  ] as const;
  if (!facts) {
    await Promise.all(cases.map(([id, title]) => run(id, title, async () => skip('no job and subscription to build shares from'))));
    return;
  }
  const maker = new ShareMaker(facts, settings.budget);
  const [unknownJob, extranonce2, ntime, versionBits, valid] = await Promise.all([
    maker.unknownJob(),
    maker.wrongExtranonce2Size(),
    maker.ntimeOutOfRange(settings.now()),
    maker.versionBitsOutsideMask(),
    maker.solving ? maker.valid() : undefined,
  ]);
  const low = maker.lowDifficulty();
  // All sent at once, in this order; each check awaits its own answer.
  const send = (share: Share) => probe.answer(probe.request('mining.submit', submitParams(worker, share)));
  const answers = {
    unknownJob: send(unknownJob),
    extranonce2: send(extranonce2),
    ntime: send(ntime),
    versionBits: versionBits && send(versionBits),
    low: send(low),
    valid: valid?.solved ? send(valid) : undefined,
    duplicate: valid?.solved ? send(valid) : undefined,
  };
  const unsolved = maker.solving ? '' : ` (unsolved: difficulty ${facts.difficulty} is above what the probe solves)`;
  const expect = (what: string, codes: readonly number[], share: Share) => ({ what, codes, solved: share.solved, timeout });
  const cannotSolve = `difficulty ${facts.difficulty} needs ~${Math.round(2 ** 32 * facts.difficulty)} hashes a share, more than the probe's budget allows (${settings.budget} hashes); --mine checks a real share`;
  await Promise.all([
    run(cases[0][0], cases[0][1], async () => judgeRefusal(readReply(await answers.unknownJob), expect('a share for an unknown job', [SUBMIT_CODES.JOB_NOT_FOUND], unknownJob))),
    run(cases[1][0], cases[1][1], async () => {
      const what = `an extranonce2 of ${facts.extranonce2Size + 1} bytes (size ${facts.extranonce2Size})`;
      const reply = readReply(await answers.extranonce2);
      if (reply.kind === 'result' && reply.result === true) return documented('submit-lenient-params', `accepted ${what}`, reply.line.text);
      return withNote(await judgeRefusal(reply, expect(what, [], extranonce2)), unsolved);
    }),
    run(cases[2][0], cases[2][1], async () => withNote(await judgeRefusal(readReply(await answers.ntime), expect(`ntime ${ntime.ntime} (the job's ${facts.job.ntime} + more than 2 hours)`, [], ntime)), unsolved)),
    run(cases[3][0], cases[3][1], async () => {
      if (!answers.versionBits || !versionBits) return skip(facts.versionMask ? `the granted mask ${hex(facts.versionMask)} leaves no bit outside it` : 'no version rolling was negotiated (mining.configure)');
      return withNote(await judgeRefusal(readReply(await answers.versionBits), expect(`version bits ${versionBits.versionBits ?? ''} (mask ${hex(facts.versionMask)})`, [], versionBits)), unsolved);
    }),
    run(cases[4][0], cases[4][1], async () => {
      if (low.solved) return skip(`difficulty ${facts.difficulty} is so low that every hash meets it`);
      return judgeRefusal(readReply(await answers.low), { what: 'a share below the difficulty', codes: [SUBMIT_CODES.LOW_DIFFICULTY], solved: true, timeout });
    }),
    run(cases[5][0], cases[5][1], async () => {
      if (!answers.valid || !valid) return skip(maker.solving ? `no nonce found within ${settings.budget} hashes` : cannotSolve);
      const reply = readReply(await answers.valid);
      if (reply.kind === 'result' && reply.result === true) return pass(`accepted at difficulty ${facts.difficulty}${valid.isBlock ? ' (it was also a block)' : ''}`, reply.line.text);
      return fail(`refused a share that meets difficulty ${facts.difficulty}: ${reply.kind === 'refused' ? describeRefusal(reply) : reply.kind === 'result' ? `result ${JSON.stringify(reply.result)}` : reply.kind === 'malformed' ? reply.why : noAnswer(reply, timeout)}`, 'line' in reply ? reply.line.text : undefined);
    }),
    run(cases[6][0], cases[6][1], async () => {
      if (!answers.duplicate || !valid) return skip(`needs a share the pool accepts first: ${maker.solving ? `no nonce found within ${settings.budget} hashes` : cannotSolve}`);
      const first = readReply(await (answers.valid as Promise<never>));
      if (!(first.kind === 'result' && first.result === true)) return skip('the pool did not accept the original share');
      const alsoRight = valid.isBlock ? { code: SUBMIT_CODES.JOB_NOT_FOUND, why: 'the original was a block, so its job went stale' } : undefined;
      return judgeRefusal(readReply(await answers.duplicate), { what: 'the same share again', codes: [SUBMIT_CODES.DUPLICATE], solved: true, timeout, alsoRight });
    }),
  ]);
}

/** Adds the unsolved note to a check's reason. */
function withNote(verdict: Verdict, note: string): Verdict {
  return note && verdict.status !== 'skip' ? { ...verdict, reason: `${verdict.reason}${note}` } : verdict;
}

function paramsOf(line: Line): unknown[] | undefined {
  const json = line.json as { params?: unknown };
  return Array.isArray(json.params) ? json.params : undefined;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
