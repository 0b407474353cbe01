// Shared setup for the ElectrumNetwork tests: a regtest chain, Electrum servers over it (honest or lying, from
// src/regtest/lying-server.ts), a network over them, and waiting for its events instead of sleeping.
import { scriptHash } from '../../src/bitcoin/scripthash.js';
import { bytesToHex, serializeTransaction, type TransactionData } from '../../src/bitcoin.js';
import { RegtestChain } from '../../src/regtest/chain.js';
import { startLyingElectrumServer, type LyingServer, type LyingServerOptions } from '../../src/regtest/lying-server.js';
import { ElectrumNetwork } from '../../src/network/electrum-network.js';
import type { ElectrumNetworkEvents, ElectrumNetworkOptions } from '../../src/network/types.js';

export const PAY_A = `0014${'11'.repeat(20)}`;
export const PAY_B = `0014${'22'.repeat(20)}`;
export const SH_A = scriptHash(PAY_A);
export const SH_B = scriptHash(PAY_B);

const cleanups: (() => Promise<void>)[] = [];

/** Closes everything the test opened (call it in afterEach). */
export async function cleanup(): Promise<void> {
  const all = cleanups.splice(0).reverse();
  for (const close of all) await close().catch(() => undefined);
}

export async function startServers(chain: RegtestChain, specs: readonly LyingServerOptions[]): Promise<LyingServer[]> {
  const servers = await Promise.all(specs.map((spec) => startLyingElectrumServer(chain, spec)));
  for (const s of servers) cleanups.push(() => s.close());
  return servers;
}

/** Test defaults: regtest, no keep-alive, a short timeout, no retry of a dropped server within the test. */
export function networkOptions(urls: readonly string[], extra: Partial<ElectrumNetworkOptions> = {}): ElectrumNetworkOptions {
  return { servers: urls, network: 'regtest', keepAlive: false, timeout: 2_000, retryDelay: 60_000, clientName: 'network-test', ...extra };
}

/** A network whose events are recorded from before it connects. */
export async function startNetwork(options: ElectrumNetworkOptions, connect = true) {
  const network = new ElectrumNetwork(options);
  cleanups.push(() => network.close());
  const seen = record(network);
  if (connect) await network.connect();
  return { network, seen };
}

export function record(network: ElectrumNetwork) {
  const seen = {
    servers: [] as string[],
    dropped: [] as ElectrumNetworkEvents['server-dropped'][],
    statuses: [] as ElectrumNetworkEvents['blockchain.scripthash.subscribe'][],
    reorgs: [] as ElectrumNetworkEvents['reorg'][0][],
    headers: [] as ElectrumNetworkEvents['header'][0][],
  };
  network.on('server', (url) => seen.servers.push(url));
  network.on('server-dropped', (url, error) => seen.dropped.push([url, error]));
  network.on('blockchain.scripthash.subscribe', (sh, status) => seen.statuses.push([sh, status]));
  network.on('reorg', (r) => seen.reorgs.push(r));
  network.on('header', (tip) => seen.headers.push(tip));
  return seen;
}

/** Resolves with the args of the next `event` that passes `match` (rejects, naming it, after `timeout` ms). */
export function next<E extends keyof ElectrumNetworkEvents>(network: ElectrumNetwork, event: E, match: (...args: ElectrumNetworkEvents[E]) => boolean = () => true, timeout = 4_000): Promise<ElectrumNetworkEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`gave up after ${timeout} ms waiting for the network's ${String(event)} event`));
    }, timeout);
    const off = network.on(event, (...args) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      off();
      resolve(args);
    });
  });
}

/** A regtest chain with `blocks` blocks paying A. */
export function chainWith(blocks: number): RegtestChain {
  const chain = new RegtestChain();
  for (let i = 0; i < blocks; i++) chain.mine(PAY_A);
  return chain;
}

/** A transaction spending `outpoints` to `outputs`; no signatures (the regtest chain does not run scripts). */
export function spend(outpoints: [string, number][], outputs: [string, number][]): string {
  const tx: TransactionData = {
    version: 2,
    inputs: outpoints.map(([txid, vout]) => ({ txid, vout, scriptSig: '', sequence: 0xfffffffd, witness: ['01'] })),
    outputs: outputs.map(([scriptPubKey, value]) => ({ scriptPubKey, value: BigInt(value) })),
    locktime: 0,
  };
  return bytesToHex(serializeTransaction(tx));
}
