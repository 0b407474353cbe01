// `--mine <seconds>`: the SDK's own miner (MiningClient and CpuMiner) on a connection of its own mines one
// share at the pool's difficulty, and the check reports whether the pool accepted it. Bounded by the seconds
// given: a difficulty a CPU cannot meet in time is a skip that says so, not a wait.
import { MiningClient } from '../../clients/mining-client.js';
import { CpuMiner, type ShareResult } from '../../clients/cpu-miner.js';
import { StratumSdkError } from '../../runtime/errors.js';
import type { TlsSettings } from '../../runtime/tls-settings.js';
import { fail, pass, skip, type Verdict } from '../report.js';
import { expectedHashes } from './shares.js';

export interface MineSettings {
  readonly user: string;
  readonly password?: string | undefined;
  readonly tls?: TlsSettings | undefined;
  readonly proxy?: string | undefined;
  readonly timeout: number;
  readonly seconds: number;
  readonly agent: string;
}

export async function mineOneShare(url: string, settings: MineSettings): Promise<Verdict> {
  let client: MiningClient;
  try {
    client = await MiningClient.connect(url, { agent: settings.agent, timeout: settings.timeout, optionalReplyTimeout: settings.timeout, connectTimeout: settings.timeout, tls: settings.tls, proxy: settings.proxy });
  } catch (e) {
    return fail(`the SDK's client could not connect: ${describe(e)}`);
  }
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), settings.seconds * 1000);
  try {
    try {
      await client.start({ user: settings.user, password: settings.password ?? 'x' });
    } catch (e) {
      return fail(`the SDK's client could not subscribe and authorize: ${describe(e)}`);
    }
    const miner = new CpuMiner(client, { worker: settings.user });
    let first: ShareResult | undefined;
    miner.events.on('share', (share) => {
      first ??= share;
      stop.abort();
    });
    try {
      await miner.run(stop.signal);
    } catch (e) {
      return fail(`mining stopped: ${describe(e)}`);
    }
    const difficulty = client.currentJob?.difficulty ?? client.difficulty;
    if (!first) {
      return skip(`no share found in ${settings.seconds} s (${miner.hashes} hashes; difficulty ${difficulty} needs ~${Math.round(expectedHashes(difficulty))} on average)`);
    }
    const what = `share at difficulty ${difficulty} (job ${first.job.jobId}, nonce ${first.nonce}, after ${miner.hashes} hashes)`;
    if (first.accepted) return pass(`accepted the SDK miner's ${what}`);
    return fail(`refused the SDK miner's ${what}: ${first.error ? describe(first.error) : 'result false'}`);
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

function describe(e: unknown): string {
  if (e instanceof StratumSdkError) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
