// The embedded regtest world: one in-memory chain, an Electrum server over it (TCP and WebSocket) and a
// Stratum pool mining on it, all on 127.0.0.1. A share that is a block reaches Electrum subscribers as a
// header notification and as the payout address's status change.
import { hash160 } from '../bitcoin/hash.js';
import { addressToScriptPubKey, scriptPubKeyToAddress } from '../bitcoin/address.js';
import { bytesToHex } from '../bitcoin/bytes.js';
import { scriptHash } from '../bitcoin/scripthash.js';
import { ConnectError } from '../runtime/errors.js';
import { createElectrumServer, type ElectrumServer, type ElectrumSession } from '../servers/electrum-server.js';
import { createMiningServer, type MiningServer } from '../servers/mining-server.js';
import { RegtestChain } from './chain.js';
import { electrumBackend, headerNotification, statusOf } from './electrum-backend.js';
import { RegtestPool, type PoolMiner, type VarDiff } from './pool.js';

export interface WorldOptions {
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Ports; 0 picks a free one. Defaults: Electrum TCP 50001, Electrum WebSocket 50003, Stratum 3333. */
  readonly ports?: { readonly electrumTcp?: number; readonly electrumWs?: number; readonly stratum?: number };
  /** The regtest address block rewards pay (default: a fixed address nobody holds the key of). */
  readonly payoutAddress?: string;
  /** Pool share difficulty (default 1/4096: a share every few seconds from one CPU core). */
  readonly shareDifficulty?: number | VarDiff;
  /** Compact target of blocks (default regtest's 0x207fffff: every share is a block). */
  readonly blockBits?: number;
  readonly banner?: string;
  /** The clock, in Unix seconds, for block times and share ntime checks (default the system clock); a fixed one makes every job reproducible. */
  readonly now?: () => number;
}

export interface World {
  readonly chain: RegtestChain;
  readonly pool: RegtestPool;
  readonly electrum: ElectrumServer<undefined>;
  readonly stratum: MiningServer<{ miner: PoolMiner | undefined }>;
  readonly urls: { readonly electrumTcp: string; readonly electrumWs: string; readonly stratum: string };
  readonly payoutAddress: string;
  readonly payoutScripthash: string;
  close(): Promise<void>;
}

export const DEFAULT_WORLD_PORTS = { electrumTcp: 50001, electrumWs: 50003, stratum: 3333 } as const;
/**
 * The world's connection caps, above the servers' defaults (1,000 in all, 12 per address): it is a
 * development server whose clients all run on this machine, so every one of them comes from the same
 * loopback address, and benches open many at once (bench/world-notify.mjs opens 1,000). A cap is kept
 * so that a runaway test still meets a bound.
 */
export const WORLD_CONNECTION_LIMITS = Object.freeze({ maxConnections: 10_000, maxConnectionsPerAddress: 10_000 });
/** P2WPKH of hash160("stratum-sdk regtest world"): a valid address whose key no one has. */
export const DEFAULT_PAYOUT_ADDRESS = scriptPubKeyToAddress(`0014${bytesToHex(hash160(new TextEncoder().encode('stratum-sdk regtest world')))}`, 'regtest');

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const host = options.host ?? '127.0.0.1';
  const ports = { ...DEFAULT_WORLD_PORTS, ...options.ports };
  const payoutAddress = options.payoutAddress ?? DEFAULT_PAYOUT_ADDRESS;
  const payoutScript = addressToScriptPubKey(payoutAddress, 'regtest');
  const clock = options.now === undefined ? {} : { now: options.now };
  const chain = new RegtestChain({ ...clock, ...(options.blockBits === undefined ? {} : { bits: options.blockBits }) });
  const pool = new RegtestPool(chain, { payoutScript, ...clock, ...(options.shareDifficulty === undefined ? {} : { difficulty: options.shareDifficulty }) });

  const started: { close(): Promise<void> }[] = [];
  try {
    const electrum = await listenOrExplain('Electrum', () =>
      createElectrumServer({
        handlers: electrumBackend<ElectrumSession<undefined>>(chain, { ...(options.banner === undefined ? {} : { banner: options.banner }), hosts: { [host]: { tcp_port: ports.electrumTcp, ws_port: ports.electrumWs } } }),
        listen: { tcp: { host, port: ports.electrumTcp }, ws: { host, port: ports.electrumWs } },
        serverSoftware: 'stratum-sdk regtest 0.1.0',
        limits: WORLD_CONNECTION_LIMITS,
      }),
    );
    started.push(electrum);
    const stratum = await listenOrExplain('Stratum', () =>
      createMiningServer({
        context: () => ({ miner: undefined as PoolMiner | undefined }),
        handlers: Object.fromEntries(
          Object.entries(pool.handlers).map(([method, handler]) => [
            method,
            (params: never, session: { context: { miner: PoolMiner | undefined } }) => (handler as (p: never, m: PoolMiner) => unknown)(params, session.context.miner as PoolMiner),
          ]),
        ),
        listen: { tcp: { host, port: ports.stratum } },
        limits: WORLD_CONNECTION_LIMITS,
      }),
    );
    started.push(stratum);
    stratum.on('connection', (session) => {
      session.context.miner = pool.connect({
        notify: (method, params) => void session.notify(method, params as never),
        request: (method, params, requestOptions) => session.request(method, params, requestOptions),
      });
    });
    stratum.on('disconnect', (session) => session.context.miner && pool.disconnect(session.context.miner));

    const onChange = (touched: ReadonlySet<string>) => {
      for (const sh of touched) {
        if (electrum.subscribers('blockchain.scripthash.subscribe', sh).length) {
          electrum.notifySubscribers('blockchain.scripthash.subscribe', sh, [sh, statusOf(chain, sh)]);
        }
      }
    };
    const offBlock = chain.events.on('block', (block, touched) => {
      electrum.notifySubscribers('blockchain.headers.subscribe', [headerNotification(block)]);
      onChange(touched);
    });
    const offTx = chain.events.on('transaction', (_txid, touched) => onChange(touched));

    const electrumTcp = electrum.url('tcp') as string;
    const electrumWs = electrum.url('ws') as string;
    const stratumUrl = (stratum.url('tcp') as string).replace(/^tcp:/, 'stratum+tcp:');
    return {
      chain,
      pool,
      electrum,
      stratum,
      urls: { electrumTcp, electrumWs, stratum: stratumUrl },
      payoutAddress,
      payoutScripthash: scriptHash(payoutScript),
      close: async () => {
        offBlock();
        offTx();
        pool.close();
        await Promise.all([electrum.close(), stratum.close()]);
      },
    };
  } catch (e) {
    await Promise.all(started.map((s) => s.close()));
    throw e;
  }
}

/** A busy port is the likeliest failure; say which and what to do. */
async function listenOrExplain<T>(what: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    if (error.code === 'EADDRINUSE') {
      throw new ConnectError(`the ${what} port is already in use (${error.message}); stop what uses it or choose other ports (--electrum-port, --ws-port, --stratum-port, or 0 for any free one)`, { cause: e });
    }
    throw e;
  }
}
