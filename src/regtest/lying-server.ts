// An Electrum server over a RegtestChain that lies on purpose, for testing clients that must not believe one server
// (the ElectrumNetwork). It is the regtest backend (electrum-backend.ts) served by createElectrumServer, with the
// chosen answers altered, and can stall methods (never answer them) or claim another chain's genesis. It can also
// reproduce real servers' limits (a batch or subscription cap, ElectrumX's "history too large" and cost refusals,
// Fulcrum's silent empty history above max_history) and announce peers. Without a lie, it is an honest server on
// 127.0.0.1 and a free port.
import { bytesToHex, hexToBytes, writeU32LE } from '../bitcoin/bytes.js';
import { sha256, sha256d } from '../bitcoin/hash.js';
import { parseHeader } from '../bitcoin/header.js';
import { bitsToTarget, hashMeetsTarget } from '../bitcoin/target.js';
import { parseTransaction, serializeTransaction } from '../bitcoin/tx.js';
import type { HeaderNotification, Status } from '../generated/definitions.js';
import { ServerError } from '../runtime/errors.js';
import type { ServerLimitOptions } from '../runtime/server/limits.js';
import { createElectrumServer, type ElectrumHandlers, type ElectrumServer, type ElectrumSession } from '../servers/electrum-server.js';
import type { RegtestChain } from './chain.js';
import { electrumBackend, headerNotification, statusOf } from './electrum-backend.js';

/**
 * What the server lies about:
 * - `header`: every header above genesis it sends (headers.subscribe and its notifications, block.header(s)) has its
 *   nonce changed so that its proof of work fails;
 * - `merkle`: get_merkle branches that do not lead to the block's merkle root;
 * - `transaction`: transaction.get sends the transaction with its first output worth one satoshi more (another txid);
 * - `status`: scripthash.subscribe answers and notifications carry a made-up status;
 * - `history`: get_history lists a made-up transaction as confirmed at height 1 first;
 * - `balance`: get_balance says one bitcoin more confirmed;
 * - `unspent`: listunspent says each output is worth one satoshi more.
 */
export type Lie = 'header' | 'merkle' | 'transaction' | 'status' | 'history' | 'balance' | 'unspent';

export interface LyingServerOptions {
  readonly lie?: Lie | readonly Lie[] | undefined;
  /** Methods it never answers (until closed); change `server.stalled` to start or stop. */
  readonly stall?: Iterable<string> | undefined;
  /** The genesis hash server.features reports (another chain's, to be set apart). */
  readonly genesisHash?: string | undefined;
  readonly host?: string | undefined;
  /** Default 0: any free port. */
  readonly port?: number | undefined;
  readonly protocolVersion?: string | readonly [string, string] | undefined;
  /** The server's limits (createElectrumServer's: maxBatchSize, maxSubscriptions, ...). */
  readonly limits?: ServerLimitOptions | undefined;
  /**
   * Histories longer than `limit` are not sent: 'electrumx' answers error 1 "history too large" to every script hash
   * method; 'fulcrum' (above its max_history) sends an empty history and no unspent outputs, while its status and
   * balance still tell the truth.
   */
  readonly maxHistory?: { readonly limit: number; readonly style: 'electrumx' | 'fulcrum' } | undefined;
  /** Requests answered before every later one is refused for its cost (aiorpcx's -101 "excessive resource usage"); see LyingServer.costLimit. */
  readonly costLimit?: number | undefined;
  /** What server.peers.subscribe answers (default none): [ip, host, features] entries. */
  readonly peers?: readonly (readonly [string, string, readonly string[]])[] | undefined;
}

export interface LyingServer {
  readonly server: ElectrumServer<undefined>;
  /** tcp://host:port */
  readonly url: string;
  /** What it lies about now (mutable). */
  readonly lies: Set<Lie>;
  /** Methods it does not answer now (mutable). */
  readonly stalled: Set<string>;
  /** How many answers and notifications it has altered so far. */
  readonly told: number;
  /** Requests received, by method. */
  readonly received: ReadonlyMap<string, number>;
  /** Requests answered before every later one is refused for its cost (mutable; undefined: never). */
  costLimit: number | undefined;
  close(): Promise<void>;
}

export async function startLyingElectrumServer(chain: RegtestChain, options: LyingServerOptions = {}): Promise<LyingServer> {
  const lies = new Set<Lie>(options.lie === undefined ? [] : typeof options.lie === 'string' ? [options.lie as Lie] : (options.lie as readonly Lie[]));
  const stalled = new Set<string>(options.stall ?? []);
  const received = new Map<string, number>();
  const parked = new Set<() => void>();
  let told = 0;
  const lying = (lie: Lie) => {
    if (!lies.has(lie)) return false;
    told++;
    return true;
  };

  const honest = electrumBackend<ElectrumSession<undefined>>(chain) as unknown as Record<string, (params: unknown[], session: ElectrumSession<undefined>) => unknown>;
  const alter: Record<string, (result: unknown, params: unknown[]) => unknown> = {
    'server.peers.subscribe': (r) => options.peers ?? r,
    'server.features': (r) => (options.genesisHash ? { ...(r as object), genesis_hash: options.genesisHash } : r),
    'blockchain.headers.subscribe': (r) => (lying('header') ? badHeaderNotification(r as HeaderNotification) : r),
    'blockchain.block.header': (r) => {
      if (!lying('header')) return r;
      return typeof r === 'string' ? badPow(r) : { ...(r as { header: string }), header: badPow((r as { header: string }).header) };
    },
    'blockchain.block.headers': (r) => {
      if (!lying('header')) return r;
      const result = r as { headers?: string[]; hex?: string };
      if (result.headers) return { ...result, headers: result.headers.map(badPow) };
      const hex = result.hex ?? '';
      let out = '';
      for (let i = 0; i < hex.length; i += 160) out += badPow(hex.slice(i, i + 160));
      return { ...result, hex: out };
    },
    'blockchain.transaction.get_merkle': (r) => {
      if (!lying('merkle')) return r;
      const proof = r as { merkle: string[] };
      const [first, ...rest] = proof.merkle;
      return { ...proof, merkle: first === undefined ? ['ab'.repeat(32)] : [flipHex(first), ...rest] };
    },
    'blockchain.transaction.get': (r) => {
      if (!lying('transaction')) return r;
      return typeof r === 'string' ? otherTransaction(r) : { ...(r as { hex: string }), hex: otherTransaction((r as { hex: string }).hex) };
    },
    'blockchain.scripthash.subscribe': (r) => (lying('status') ? fakeStatus(r as Status) : r),
    'blockchain.scripthash.get_history': (r, params) => (lying('history') ? [{ tx_hash: fakeTxid(String(params[0])), height: 1 }, ...(r as object[])] : r),
    'blockchain.scripthash.get_balance': (r) => (lying('balance') ? { ...(r as { confirmed: number }), confirmed: (r as { confirmed: number }).confirmed + 100_000_000 } : r),
    'blockchain.scripthash.listunspent': (r) => (lying('unspent') ? (r as { value: number }[]).map((u) => ({ ...u, value: u.value + 1 })) : r),
  };
  const handlers: Record<string, (params: unknown[], session: ElectrumSession<undefined>) => unknown> = {};
  let answered = 0;
  let costLimit = options.costLimit;
  const tooLong = (sh: unknown) => options.maxHistory !== undefined && typeof sh === 'string' && chain.history(sh).length + chain.mempoolHistory(sh).length > options.maxHistory.limit;
  for (const [method, handler] of Object.entries(honest)) {
    handlers[method] = (params, session) => {
      received.set(method, (received.get(method) ?? 0) + 1);
      if (costLimit !== undefined && ++answered > costLimit) throw new ServerError(method, -101, 'excessive resource usage');
      if (method.startsWith('blockchain.scripthash.') && tooLong(params[0])) {
        if (options.maxHistory?.style === 'electrumx') throw new ServerError(method, 1, 'history too large');
        if (method === 'blockchain.scripthash.get_history' || method === 'blockchain.scripthash.listunspent') return [];
      }
      if (stalled.has(method)) {
        // Never answered; released (as an error reply no one reads) when the server closes, so closing does not wait.
        return new Promise((_resolve, reject) => parked.add(() => reject(new ServerError(method, 2, 'the server is closing'))));
      }
      const result = handler(params, session);
      const change = alter[method];
      return change ? change(result, params) : result;
    };
  }

  const server = await createElectrumServer<undefined>({
    handlers: handlers as unknown as ElectrumHandlers<undefined>,
    listen: { tcp: { host: options.host ?? '127.0.0.1', port: options.port ?? 0 } },
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    serverSoftware: `stratum-sdk regtest${lies.size ? ' (lying)' : ''} 0.1.0`,
    ...(options.protocolVersion === undefined ? {} : { protocolVersion: options.protocolVersion }),
  });

  // The chain's events as notifications, altered the same way.
  const statuses = (touched: ReadonlySet<string>) => {
    for (const sh of touched) {
      if (!server.subscribers('blockchain.scripthash.subscribe', sh).length) continue;
      const status = statusOf(chain, sh);
      server.notifySubscribers('blockchain.scripthash.subscribe', sh, [sh, lying('status') ? fakeStatus(status) : status]);
    }
  };
  const offBlock = chain.events.on('block', (block, touched) => {
    const header = headerNotification(block);
    server.notifySubscribers('blockchain.headers.subscribe', [lying('header') ? badHeaderNotification(header) : header]);
    statuses(touched);
  });
  const offTx = chain.events.on('transaction', (_txid, touched) => statuses(touched));

  return {
    server,
    url: server.url('tcp') as string,
    lies,
    stalled,
    get told() {
      return told;
    },
    received,
    get costLimit() {
      return costLimit;
    },
    set costLimit(limit: number | undefined) {
      costLimit = limit;
      answered = 0;
    },
    close: async () => {
      offBlock();
      offTx();
      for (const release of parked) release();
      parked.clear();
      await server.close();
    },
  };
}

/** The header with another nonce, one whose hash misses the header's own target (genesis is left alone). */
export function badPow(headerHex: string): string {
  const bytes = hexToBytes(headerHex, 'header', 80);
  const header = parseHeader(bytes);
  if (/^0+$/.test(header.prevHash)) return headerHex;
  const target = bitsToTarget(header.bits);
  for (let nonce = (header.nonce + 1) >>> 0; ; nonce = (nonce + 1) >>> 0) {
    writeU32LE(bytes, 76, nonce);
    if (!hashMeetsTarget(sha256d(bytes), target)) return bytesToHex(bytes);
  }
}

function badHeaderNotification(header: HeaderNotification): HeaderNotification {
  return { height: header.height, hex: badPow(header.hex) };
}

function flipHex(hash: string): string {
  return (hash[0] === '0' ? '1' : '0') + hash.slice(1);
}

function otherTransaction(raw: string): string {
  const tx = parseTransaction(raw);
  const [first, ...rest] = tx.outputs;
  if (!first) return raw;
  return bytesToHex(serializeTransaction({ ...tx, outputs: [{ ...first, value: first.value + 1n }, ...rest] }));
}

function fakeStatus(status: Status): string {
  return bytesToHex(sha256(new TextEncoder().encode(`lie:${status ?? 'none'}`)));
}

function fakeTxid(scripthash: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(`made-up transaction of ${scripthash}`)));
}
