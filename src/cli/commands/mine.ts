// stratum-sdk mine <stratum-url> --user U: the CPU miner on every core against any pool, printing jobs, the
// difficulty in force, the hashrate with the expected time per share, and each share's fate.
import { availableParallelism } from 'node:os';
import { MiningClient } from '../../clients/mining-client.js';
import { parseCommand } from '../args.js';
import { wrongServer } from '../diagnose.js';
import { UsageError, type CliIo } from '../io.js';
import { hashesPerShare, ThreadedMiner } from '../miner-workers.js';
import { SHARED_HELP, SHARED_OPTIONS, sharedOptions } from '../options.js';
import { checkServerUrl } from '../urls.js';

export const MINE_HELP = `Usage: stratum-sdk mine <stratum-url> --user <worker> [--password <p>] [--shares <n>] [--threads <n>]

Mines on every CPU core: subscribes, authorizes, and prints each job with the difficulty in force, each
difficulty the pool sets, every few seconds the hashrate and the expected time per share at the current
difficulty, and each share's result, until Ctrl-C (or --shares accepted shares). With version rolling
granted, each thread rolls its own version bits within the pool's mask. A demo and test tool: at
difficulty 1 (the least most pools allow) a CPU needs about an hour per share; real mining is done by ASICs.

URLs: stratum+tcp://host:port, stratum+ssl://host:port (or stratum+tls://); the port is required.

Options:
  --user <worker>        the worker to authorize (required)
  --password <p>         its password (default "x")
  --shares <n>           stop after n accepted shares
  --threads <n>          worker threads (default ${availableParallelism()}, this machine's cores)
  --version-rolling      ask for BIP310 version rolling (mining.configure) and roll the granted bits
  --quiet                no hashrate lines
  --status-every <s>     seconds between hashrate lines (default 5)

${SHARED_HELP}`;

export async function mine(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    ...SHARED_OPTIONS,
    user: { type: 'string', short: 'u' },
    password: { type: 'string', short: 'p' },
    shares: { type: 'string' },
    threads: { type: 'string', short: 't' },
    'version-rolling': { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    'status-every': { type: 'string' },
  });
  if (values.help) {
    io.stdout(MINE_HELP);
    return 0;
  }
  const [url, ...extra] = positionals;
  if (!url) throw new UsageError('mine needs a stratum+tcp:// or stratum+ssl:// URL');
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const pool = checkServerUrl(url, 'mining');
  if (!values.user) throw new UsageError('mine needs --user <worker>');
  const wanted = values.shares === undefined ? Infinity : Number(values.shares);
  if (!(wanted >= 1) || (wanted !== Infinity && !Number.isInteger(wanted))) throw new UsageError(`--shares must be a whole number of at least 1, got ${JSON.stringify(values.shares)}`);
  const threads = values.threads === undefined ? availableParallelism() : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) throw new UsageError(`--threads must be a whole number from 1 to 1024, got ${JSON.stringify(values.threads)}`);
  const every = values['status-every'] === undefined ? 5 : Number(values['status-every']);
  if (!(every > 0) || !Number.isFinite(every)) throw new UsageError(`--status-every must be a positive number of seconds, got ${JSON.stringify(values['status-every'])}`);
  const shared = sharedOptions(values);
  const client = await MiningClient.connect(url, { timeout: shared.timeout, tls: shared.tls, proxy: shared.proxy, validate: shared.validate });
  const run: MinerRun = { user: values.user, password: values.password ?? 'x', shares: wanted, versionRolling: values['version-rolling'] === true, prefix: '', threads, statusEvery: values.quiet ? 0 : every };
  try {
    return await runMiner(client, run, io);
  } catch (e) {
    throw (await wrongServer(pool, e, shared.tls, shared.proxy)) ?? e;
  }
}

export interface MinerRun {
  readonly user: string;
  readonly password: string;
  readonly shares: number;
  readonly versionRolling: boolean;
  /** Put before each line ("[miner] " in the world). */
  readonly prefix: string;
  /** Worker threads (default: every core). */
  readonly threads?: number;
  /** Seconds between hashrate lines; 0 for none (default 5). */
  readonly statusEvery?: number;
}

/** Starts the session and mines until interrupted, the share count is reached, or the pool goes away. */
export async function runMiner(client: MiningClient, run: MinerRun, io: CliIo): Promise<number> {
  const say = (text: string) => io.stdout(`${run.prefix}${text}`);
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  io.interrupt.addEventListener('abort', onInterrupt, { once: true });
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    // Every mining.set_difficulty is shown, 1 included (the Stratum default, which no change event reports).
    let difficultySet = false;
    client.on('mining.set_difficulty', (difficulty) => {
      difficultySet = true;
      say(`difficulty ${difficulty}${difficulty === 1 ? ' (set by the pool)' : ''}`);
    });
    client.on('job', (job) => {
      const note = difficultySet ? '' : ' (the Stratum default: the pool set none)';
      say(`job ${job.jobId}${job.cleanJobs ? ' (clean)' : ''}: prevhash ${job.prevHash.slice(0, 16)}…, ntime ${job.ntime}, ${job.merkleBranch.length} branch hashes, difficulty ${job.difficulty}${note}`);
    });
    client.on('close', (error) => error && say(`pool connection closed: ${error.message}`));
    const { subscription, configure } = await client.start({
      user: run.user,
      password: run.password,
      ...(run.versionRolling ? { configure: [['version-rolling'], { 'version-rolling.mask': '1fffe000', 'version-rolling.min-bit-count': 2 }] as const } : {}),
    } as Parameters<MiningClient['start']>[0]);
    const rolling = configure ? `, version mask ${client.versionMask ?? 'none (the pool granted no version rolling)'}` : '';
    say(`subscribed: extranonce1 ${subscription.extranonce1}, extranonce2 size ${subscription.extranonce2Size}${rolling}; authorized ${run.user}`);
    const cpu = new ThreadedMiner(client, { worker: run.user, ...(run.threads === undefined ? {} : { threads: run.threads }) });
    say(`mining on ${cpu.threads} thread${cpu.threads === 1 ? '' : 's'}${client.versionMask ? `, each rolling its own version bits within ${client.versionMask}` : ', each on its own extranonce2'}`);
    let accepted = 0;
    cpu.events.on('share', (share) => {
      if (share.accepted) {
        accepted++;
        say(`share accepted: job ${share.job.jobId}, nonce ${share.nonce}, ${share.versionBits === undefined ? '' : `version bits ${share.versionBits}, `}hash ${share.hash}`);
        if (accepted >= run.shares) stop.abort();
      } else say(`share rejected: ${share.error?.message ?? 'false'}`);
    });
    const every = run.statusEvery ?? 5;
    if (every > 0) {
      let last = { at: performance.now(), hashes: 0 };
      let warned = false;
      timer = setInterval(() => {
        const now = { at: performance.now(), hashes: cpu.hashes };
        const rate = ((now.hashes - last.hashes) * 1000) / (now.at - last.at);
        last = now;
        if (!(rate > 0)) return;
        const difficulty = client.currentJob?.difficulty ?? client.difficulty;
        const perShare = hashesPerShare(difficulty) / rate;
        say(`hashrate ${formatRate(rate)} on ${cpu.threads} thread${cpu.threads === 1 ? '' : 's'} (${formatRate(rate / cpu.threads)} each); at difficulty ${difficulty} a share takes ~${formatDuration(perShare)} on average`);
        if (!warned && perShare > 600) {
          warned = true;
          say(`  (a CPU is slow at this difficulty: nothing is wrong if no share comes for a while; a pool for testing sets a lower one, as \`stratum-sdk serve\` does)`);
        }
      }, every * 1000);
      timer.unref?.();
    }
    await cpu.run(stop.signal);
    say(`stopped after ${accepted} accepted share${accepted === 1 ? '' : 's'} and ${cpu.hashes} hashes`);
    return 0;
  } finally {
    if (timer) clearInterval(timer);
    io.interrupt.removeEventListener('abort', onInterrupt);
    client.close();
  }
}

export function formatRate(hashesPerSecond: number): string {
  const units = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s'];
  let value = hashesPerSecond;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(value >= 10 ? 1 : 2)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${(seconds * 1000).toFixed(0)} ms`;
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(0)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(0)} days`;
}
