// The Electrum protocol 1.4 to 1.6 served from a RegtestChain: handlers typed by the generated
// ElectrumServerHandlers, and the notifications a chain event causes. Transport-free: the server wires
// a session's subscriptions to `ElectrumBackendSession`.
import { merkleBranch, merkleRoot } from '../bitcoin/merkle.js';
import { electrumStatus } from '../bitcoin/status.js';
import type { ElectrumServerHandlers } from '../generated/electrum/server-api.js';
import type { HeaderNotification, Status } from '../generated/definitions.js';
import { ServerError } from '../runtime/errors.js';
import { compareVersions } from '../runtime/versions.js';
import type { ElectrumServer } from '../servers/electrum-server.js';
import { TransactionRejected, type ChainBlock, type RegtestChain } from './chain.js';
import { transactionId, type Transaction } from '../bitcoin/tx.js';

/** What the handlers need of the session that called them. */
export interface ElectrumBackendSession {
  /** The negotiated protocol version. */
  readonly protocolVersion: string | undefined;
  subscribe(channel: 'blockchain.headers.subscribe' | 'blockchain.scripthash.subscribe', key: string): void;
  unsubscribe(channel: 'blockchain.scripthash.subscribe', key: string): boolean;
}

export interface ElectrumBackendOptions {
  readonly banner?: string;
  readonly donationAddress?: string;
  readonly serverVersion?: string;
  /** Ports this server listens on, for server.features `hosts`. */
  readonly hosts?: Readonly<Record<string, { tcp_port?: number; ssl_port?: number; ws_port?: number; wss_port?: number }>>;
  readonly protocolRange?: readonly [string, string];
}

// 1 sat/vB: Bitcoin Core's default minimum relay fee, in BTC per kilobyte as Electrum expects.
const RELAY_FEE = 0.00001;
// ElectrumX's MAX_CHUNK_SIZE: the most headers one blockchain.block.headers answer carries.
export const MAX_HEADERS = 2016;

/** Electrum's error codes for bad arguments and daemon errors (observed: 1 and 2). */
const BAD_REQUEST = 1;
const DAEMON_ERROR = 2;

function badRequest(method: string, message: string): ServerError {
  return new ServerError(method, BAD_REQUEST, message);
}

export function headerNotification(block: ChainBlock): HeaderNotification {
  return { height: block.height, hex: block.headerHex };
}

/** The status of a script hash as the server reports it (1.6 mempool ordering, valid for every version). */
export function statusOf(chain: RegtestChain, scripthash: string): Status {
  return electrumStatus(chain.history(scripthash)) as Status;
}

/**
 * Wires a chain's events to a server's subscribers: a block notifies headers subscribers of it and the
 * subscribers of every script hash it touched of their new status; a mempool transaction notifies the statuses
 * it touched. A reorganisation needs nothing more: the chain follows its `reorg` event with a `block` event for
 * each new block, the first naming the script hashes the disconnected blocks touched, so subscribers get the new
 * tip and recomputed statuses. Returns the function that unwires.
 */
export function notifyChainEvents<Ctx>(chain: RegtestChain, server: ElectrumServer<Ctx>): () => void {
  const statuses = (touched: ReadonlySet<string>) => {
    for (const sh of touched) {
      if (server.subscribers('blockchain.scripthash.subscribe', sh).length) server.notifySubscribers('blockchain.scripthash.subscribe', sh, [sh, statusOf(chain, sh)]);
    }
  };
  const offBlock = chain.events.on('block', (block, touched) => {
    server.notifySubscribers('blockchain.headers.subscribe', [headerNotification(block)]);
    statuses(touched);
  });
  const offTx = chain.events.on('transaction', (_txid, touched) => statuses(touched));
  return () => {
    offBlock();
    offTx();
  };
}

export function electrumBackend<Ctx extends ElectrumBackendSession>(chain: RegtestChain, options: ElectrumBackendOptions = {}): ElectrumServerHandlers<Ctx> {
  const range = options.protocolRange ?? ['1.4', '1.6'];
  const is16 = (ctx: Ctx) => ctx.protocolVersion !== undefined && compareVersions(ctx.protocolVersion, '1.6') >= 0;
  const blockAt = (method: string, height: number) => {
    const block = chain.block(height);
    if (!block) throw badRequest(method, `height ${height} out of range`);
    return block;
  };
  /** The checkpoint proof of `height` under `cp`: the merkle tree of block hashes 0..cp (ElectrumX's header_branch_and_root). */
  const proof = (method: string, height: number, cp: number) => {
    if (cp < height) throw badRequest(method, `header height ${height} must be <= cp_height ${cp}`);
    if (cp > chain.height) throw badRequest(method, `cp_height ${cp} must be <= the tip ${chain.height}`);
    const hashes: string[] = [];
    for (let h = 0; h <= cp; h++) hashes.push(blockAt(method, h).hash);
    return { branch: merkleBranch(hashes, height), root: merkleRoot(hashes) };
  };
  const verbose = (parsed: Transaction, raw: string, height: number, blockHash: string | undefined) => {
    const block = height > 0 ? chain.block(height) : undefined;
    return {
      txid: parsed.txid,
      hash: parsed.wtxid,
      hex: raw,
      version: parsed.version,
      size: parsed.size,
      vsize: parsed.vsize,
      weight: parsed.weight,
      locktime: parsed.locktime,
      vin: parsed.inputs.map((i) => ({ txid: i.txid, vout: i.vout, scriptSig: { hex: i.scriptSig }, sequence: i.sequence })),
      vout: parsed.outputs.map((o, n) => ({ value: Number(o.value) / 1e8, n, scriptPubKey: { hex: o.scriptPubKey } })),
      ...(block && blockHash ? { blockhash: blockHash, confirmations: chain.height - height + 1, time: block.time, blocktime: block.time } : {}),
    };
  };
  const feeHistogram = (): [number, number][] => {
    // Fee rate buckets (sat/vB) from high to low with the vsize in each, as ElectrumX builds them.
    const buckets = new Map<number, number>();
    for (const t of chain.mempool()) {
      const rate = Math.floor(t.fee / t.vsize);
      buckets.set(rate, (buckets.get(rate) ?? 0) + t.vsize);
    }
    return [...buckets].sort((a, b) => b[0] - a[0]);
  };

  return {
    'server.banner': () => options.banner ?? 'stratum-sdk regtest world: an in-memory chain for testing wallets and miners',
    'server.donation_address': () => options.donationAddress ?? '',
    'server.peers.subscribe': () => [],
    'server.add_peer': () => false,
    'server.ping': () => null,
    'server.features': () => ({
      genesis_hash: chain.genesisHash,
      hosts: { ...options.hosts },
      protocol_min: range[0],
      protocol_max: range[1],
      server_version: options.serverVersion ?? 'stratum-sdk 0.1.0',
      hash_function: 'sha256',
      pruning: null,
    }),

    'blockchain.headers.subscribe': (_params, ctx) => {
      ctx.subscribe('blockchain.headers.subscribe', '');
      return headerNotification(chain.tip);
    },
    'blockchain.block.header': ([height, cp = 0], _ctx) => {
      const block = blockAt('blockchain.block.header', height);
      if (!cp) return block.headerHex;
      return { header: block.headerHex, ...proof('blockchain.block.header', height, cp) };
    },
    'blockchain.block.headers': ([start, count, cp = 0], ctx) => {
      const take = Math.max(0, Math.min(count, MAX_HEADERS, chain.height + 1 - start));
      const headers: string[] = [];
      for (let h = start; h < start + take; h++) headers.push(blockAt('blockchain.block.headers', h).headerHex);
      const proofPart = cp && take ? proof('blockchain.block.headers', start + take - 1, cp) : {};
      return is16(ctx)
        ? { count: take, headers, max: MAX_HEADERS, ...proofPart }
        : { count: take, hex: headers.join(''), max: MAX_HEADERS, ...proofPart };
    },
    'blockchain.estimatefee': () => RELAY_FEE,
    'blockchain.relayfee': () => RELAY_FEE,
    'mempool.get_fee_histogram': () => feeHistogram(),
    'mempool.get_info': () => ({ mempoolminfee: RELAY_FEE, minrelaytxfee: RELAY_FEE, incrementalrelayfee: RELAY_FEE }),

    'blockchain.scripthash.get_balance': ([sh]) => chain.balance(sh.toLowerCase()),
    'blockchain.scripthash.get_history': ([sh]) => chain.history(sh.toLowerCase()),
    'blockchain.scripthash.get_mempool': ([sh]) => chain.mempoolHistory(sh.toLowerCase()).map((h) => ({ tx_hash: h.tx_hash, height: h.height, fee: h.fee ?? 0 })),
    'blockchain.scripthash.listunspent': ([sh]) =>
      chain.unspent(sh.toLowerCase()).map((o) => ({ tx_hash: o.txid, tx_pos: o.vout, height: o.height, value: o.value })),
    'blockchain.scripthash.subscribe': ([sh], ctx) => {
      ctx.subscribe('blockchain.scripthash.subscribe', sh.toLowerCase());
      return statusOf(chain, sh.toLowerCase());
    },
    'blockchain.scripthash.unsubscribe': ([sh], ctx) => ctx.unsubscribe('blockchain.scripthash.subscribe', sh.toLowerCase()),

    'blockchain.transaction.broadcast': ([raw]) => {
      try {
        return chain.acceptTransaction(raw);
      } catch (e) {
        // ElectrumX's wording for a refused broadcast, with the reason after it.
        if (e instanceof TransactionRejected) throw new ServerError('blockchain.transaction.broadcast', BAD_REQUEST, `the transaction was rejected by network rules.\n\n${e.message}`);
        throw e;
      }
    },
    'blockchain.transaction.broadcast_package': ([raws, isVerbose = false]) => {
      // Accepted one by one in order (parents first), as a package would be; the first refusal stops the rest.
      const errors: { txid: string; error: string }[] = [];
      const results: Record<string, { txid: string; vsize: number }> = {};
      for (const raw of raws) {
        try {
          const txid = chain.acceptTransaction(raw);
          const tx = chain.transaction(txid)?.tx;
          if (tx) results[tx.wtxid] = { txid, vsize: tx.vsize };
        } catch (e) {
          let txid = '';
          try {
            txid = transactionId(raw);
          } catch {
            // unparseable: reported without a txid below
          }
          errors.push({ txid: txid || '00'.repeat(32), error: (e as Error).message });
          break;
        }
      }
      if (isVerbose) return { package_msg: errors.length ? 'transaction failed' : 'success', 'tx-results': results } as never;
      return (errors.length ? { success: false, errors } : { success: true }) as never;
    },
    'blockchain.transaction.get': ([txid, isVerbose = false]) => {
      const found = chain.transaction(txid);
      if (!found) throw new ServerError('blockchain.transaction.get', DAEMON_ERROR, `daemon error: No such mempool or blockchain transaction. Use gettransaction for wallet transactions. (${txid})`);
      return (isVerbose ? verbose(found.tx, found.raw, found.height, found.blockHash) : found.raw) as never;
    },
    'blockchain.transaction.get_merkle': ([txid, givenHeight]) => {
      const found = chain.transaction(txid);
      const height = givenHeight ?? found?.height ?? -1;
      const block = chain.block(height);
      if (!found || !block || found.height !== height || found.pos < 0) throw badRequest('blockchain.transaction.get_merkle', `tx ${txid} not in block at height ${height}`);
      return { block_height: height, merkle: merkleBranch(block.txids, found.pos), pos: found.pos };
    },
    'blockchain.transaction.id_from_pos': ([height, pos, withMerkle = false]) => {
      const block = blockAt('blockchain.transaction.id_from_pos', height);
      const txid = block.txids[pos];
      if (txid === undefined) throw badRequest('blockchain.transaction.id_from_pos', `no tx at position ${pos} in block at height ${height}`);
      return (withMerkle ? { tx_hash: txid, merkle: merkleBranch(block.txids, pos) } : txid) as never;
    },
  };
}
