// stratum-sdk mine <stratum-url> --user U: the CPU miner against any pool, printing jobs, difficulty and shares.
import { parseArgs } from 'node:util';
import { CpuMiner } from '../../clients/cpu-miner.js';
import { MiningClient } from '../../clients/mining-client.js';
import { UsageError, type CliIo } from '../io.js';
import { SHARED_HELP, SHARED_OPTIONS, sharedOptions } from '../options.js';

export const MINE_HELP = `Usage: stratum-sdk mine <stratum-url> --user <worker> [--password <p>] [--shares <n>]

Mines on one CPU core: subscribes, authorizes, and prints each job, difficulty change and share result
until Ctrl-C (or --shares accepted shares). A demo and test tool; real mining is done by ASICs.

Options:
  --user <worker>      the worker to authorize (required)
  --password <p>       its password (default "x")
  --shares <n>         stop after n accepted shares
  --version-rolling    ask for BIP310 version rolling (mining.configure)

${SHARED_HELP}`;

export async function mine(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...SHARED_OPTIONS, user: { type: 'string', short: 'u' }, password: { type: 'string', short: 'p' }, shares: { type: 'string' }, 'version-rolling': { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(MINE_HELP);
    return 0;
  }
  const [url] = positionals;
  if (!url || !/^stratum\+(tcp|ssl|tls):\/\//i.test(url)) throw new UsageError('mine needs a stratum+tcp:// or stratum+ssl:// URL');
  if (!values.user) throw new UsageError('mine needs --user');
  const wanted = values.shares === undefined ? Infinity : Number(values.shares);
  if (!(wanted >= 1) || (wanted !== Infinity && !Number.isInteger(wanted))) throw new UsageError(`--shares must be a whole number of at least 1, got ${JSON.stringify(values.shares)}`);
  const shared = sharedOptions(values);
  const client = await MiningClient.connect(url, { timeout: shared.timeout, tls: shared.tls, validate: shared.validate });
  return runMiner(client, { user: values.user, password: values.password ?? 'x', shares: wanted, versionRolling: values['version-rolling'] === true, prefix: '' }, io);
}

export interface MinerRun {
  readonly user: string;
  readonly password: string;
  readonly shares: number;
  readonly versionRolling: boolean;
  /** Put before each line ("[miner] " in the world). */
  readonly prefix: string;
}

/** Starts the session and mines until interrupted, the share count is reached, or the pool goes away. */
export async function runMiner(client: MiningClient, run: MinerRun, io: CliIo): Promise<number> {
  const say = (text: string) => io.stdout(`${run.prefix}${text}`);
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  io.interrupt.addEventListener('abort', onInterrupt, { once: true });
  try {
    client.on('difficulty', (difficulty) => say(`difficulty ${difficulty}`));
    client.on('job', (job) => say(`job ${job.jobId}${job.cleanJobs ? ' (clean)' : ''}: prevhash ${job.prevHash.slice(0, 16)}…, ntime ${job.ntime}, ${job.merkleBranch.length} branch hashes`));
    client.on('close', (error) => error && say(`pool connection closed: ${error.message}`));
    const { subscription, configure } = await client.start({
      user: run.user,
      password: run.password,
      ...(run.versionRolling ? { configure: [['version-rolling'], { 'version-rolling.mask': '1fffe000', 'version-rolling.min-bit-count': 2 }] as const } : {}),
    } as Parameters<MiningClient['start']>[0]);
    say(`subscribed: extranonce1 ${subscription.extranonce1}, extranonce2 size ${subscription.extranonce2Size}${configure ? `, version mask ${client.versionMask ?? 'none'}` : ''}; authorized ${run.user}`);
    const cpu = new CpuMiner(client, { worker: run.user });
    let accepted = 0;
    cpu.events.on('share', (share) => {
      if (share.accepted) {
        accepted++;
        say(`share accepted: job ${share.job.jobId}, nonce ${share.nonce}, hash ${share.hash}`);
        if (accepted >= run.shares) stop.abort();
      } else say(`share rejected: ${share.error?.message ?? 'false'}`);
    });
    await cpu.run(stop.signal);
    say(`stopped after ${accepted} accepted share${accepted === 1 ? '' : 's'} and ${cpu.hashes} hashes`);
    return 0;
  } finally {
    io.interrupt.removeEventListener('abort', onInterrupt);
    client.close();
  }
}
