// Wallet data checked against the verified header chain before it is used: headers, transactions against their
// txid, merkle proofs against the verified block, histories against the status the server announced, balances and
// unspent outputs against the transactions of the history. A mismatch is looked at again before it is called a lie.
import { blockHash, parseHeader, splitHeaders } from '../bitcoin/header.js';
import { bytesToHex } from '../bitcoin/bytes.js';
import { electrumStatus } from '../bitcoin/status.js';
import { parseTransaction, type Transaction } from '../bitcoin/tx.js';
import type { Status } from '../generated/definitions.js';
import type { ElectrumMethods } from '../generated/electrum/types.js';
import { ServerError } from '../runtime/errors.js';
import type { RequestOptions } from '../runtime/session.js';
import { each, type BatchWindow } from './batch-window.js';
import type { ChainTip, HeaderChain } from './header-chain.js';
import { ask, lie, limitOf, truncated, txidOf, type Peer } from './peer.js';
import { ProvenNodes } from './proven-nodes.js';
import type { ServerPool } from './server-pool.js';
import { rawHasTxid } from './txid.js';
import type { VerifiedHistoryEntry } from './types.js';
import { deriveWalletData, sameUnspent } from './wallet-data.js';

/** Raw transactions kept once checked against their txid (they never change). */
const TRANSACTION_CACHE = 2_000;
/** Merkle proofs kept once checked, by txid: the block they put it in. */
const PROOF_CACHE = 20_000;

export type History = ElectrumMethods['blockchain.scripthash.get_history']['result'];
type MerkleProofResult = ElectrumMethods['blockchain.transaction.get_merkle']['result'];
type Balance = ElectrumMethods['blockchain.scripthash.get_balance']['result'];
type Unspent = ElectrumMethods['blockchain.scripthash.listunspent']['result'];

export interface CheckedHistory {
  readonly history: History;
  readonly entries: VerifiedHistoryEntry[];
  readonly status: Status;
}

/**
 * A merkle proof as fetchProofs leaves it: the server's answer, REFUSED (an error of its own), or, for one proven as
 * it came, the hash of the block it was proven in (a string: the proof itself is not kept, nor an object made, as a
 * wallet's sync holds thousands at once).
 */
export type FetchedProof = MerkleProofResult | typeof REFUSED | BlockHash;
type BlockHash = string;
export const REFUSED = 'refused';

type ProofOutcome = { kind: 'proven'; blockHash: string } | { kind: 'unverifiable' } | { kind: 'refused' };

export class WalletVerifier {
  readonly #verify: boolean;
  readonly #maxBatch: number;
  readonly #chain: HeaderChain;
  readonly #pool: ServerPool;
  readonly #window: BatchWindow;
  /** Transactions proven, by txid: the hash of the verified block they were proven in (proofs from any server). */
  readonly #proven = new Map<string, BlockHash>();
  readonly #nodes = new ProvenNodes();
  readonly #transactions = new Map<string, Transaction>();

  constructor(verify: boolean, maxBatch: number, chain: HeaderChain, pool: ServerPool, window: BatchWindow) {
    this.#verify = verify;
    this.#maxBatch = maxBatch;
    this.#chain = chain;
    this.#pool = pool;
    this.#window = window;
  }

  /**
   * Whether a server's answer to `method` has been checked without a wait (true), or needs `checked` (false); throws
   * the LyingServerError a check finds. The common answers of a sync (transactions, headers, histories whose proofs
   * came with them) are checked here, with none of the promises that thousands of `checked` calls would make.
   */
  checkedAtOnce(peer: Peer, method: string, params: readonly unknown[], result: unknown, proofs?: ReadonlyMap<string, FetchedProof>): boolean {
    if (!this.#verify) return true;
    switch (method) {
      case 'blockchain.block.header':
        this.#checkHeaders(peer, [typeof result === 'string' ? result : (result as { header: string }).header]);
        return true;
      case 'blockchain.block.headers': {
        const r = result as { headers: string[] } | { hex: string };
        this.#checkHeaders(peer, 'headers' in r ? r.headers : splitHeaders(r.hex).map(bytesToHex));
        return true;
      }
      case 'blockchain.transaction.get': {
        const raw = typeof result === 'string' ? result : (result as { hex?: unknown }).hex;
        // rawHasTxid reads the txid in either case: lowered only to say what is wrong.
        const txid = params[0];
        if (typeof raw === 'string' && !(typeof txid === 'string' && rawHasTxid(raw, txid))) this.#checkTransaction(peer, String(txid).toLowerCase(), raw, 'blockchain.transaction.get'); // says what is wrong
        return true;
      }
      case 'blockchain.transaction.broadcast': {
        const expected = txidOf(String(params[0]));
        if (expected !== undefined && String(result).toLowerCase() !== expected) lie(peer, 'transaction', 'blockchain.transaction.broadcast', `it answered ${String(result)} for a transaction whose txid is ${expected}`);
        return true;
      }
      case 'blockchain.scripthash.get_history':
        return this.#historyAtOnce(peer, String(params[0]).toLowerCase(), result as History, proofs);
      case 'blockchain.transaction.get_merkle':
      case 'blockchain.scripthash.get_balance':
      case 'blockchain.scripthash.listunspent':
        return false;
      default:
        return true;
    }
  }

  /** A server's answer to `method`, checked when `verify` is on: returned as is, or thrown as a LyingServerError. */
  async checked(peer: Peer, method: string, params: readonly unknown[], result: unknown, options: RequestOptions, proofs?: ReadonlyMap<string, FetchedProof>): Promise<unknown> {
    if (!this.#verify) return result;
    switch (method) {
      case 'blockchain.transaction.get_merkle': {
        const proof = result as ElectrumMethods['blockchain.transaction.get_merkle']['result'];
        await this.#prove(peer, String(params[0]).toLowerCase(), proof.block_height, options, proof);
        return result;
      }
      case 'blockchain.scripthash.get_history':
        return (await this.checkedHistory(peer, String(params[0]).toLowerCase(), options, result as History, proofs)).history;
      case 'blockchain.scripthash.get_balance':
        return this.#checkedBalance(peer, String(params[0]).toLowerCase(), options, result as Balance);
      case 'blockchain.scripthash.listunspent':
        return this.#checkedUnspent(peer, String(params[0]).toLowerCase(), options, result as Unspent);
      default:
        this.checkedAtOnce(peer, method, params, result);
        return result;
    }
  }

  /**
   * checkedHistory's common case, without a wait: no status announced, or the one announced matches; every confirmed
   * entry proven in the verified block at its height (as its proof came, or before). False for anything else (a
   * status to look at again, an empty history, a proof not proven yet), which checkedHistory then takes the long way.
   */
  #historyAtOnce(peer: Peer, sh: string, history: History, proofs: ReadonlyMap<string, FetchedProof> | undefined): boolean {
    const announced = peer.statuses.get(sh);
    if (announced !== undefined) {
      if (electrumStatus(history, { mempoolOrder: peer.mempoolOrder }) !== announced) return false;
    } else if (history.length === 0) return false;
    for (const e of history) {
      if (e.height <= 0) continue;
      const hash = this.#chain.cachedHash(e.height);
      if (hash === undefined) return false;
      const txid = e.tx_hash.toLowerCase();
      const proof = proofs?.get(txid);
      // Proven as it came (REFUSED is no block's hash), or earlier; a proof that did not prove takes the long way.
      if (typeof proof === 'string' ? proof !== hash : proof !== undefined || this.#proven.get(txid) !== hash) return false;
    }
    return true;
  }

  #checkHeaders(peer: Peer, headers: readonly string[]) {
    for (const [i, header] of headers.entries()) {
      const problem = this.#chain.checkHeader(header);
      if (problem) lie(peer, 'header', 'blockchain.block.headers', `header ${i} of its answer: ${problem}`);
      if (i > 0 && blockHash(headers[i - 1] as string) !== parseHeader(header).prevHash) lie(peer, 'header', 'blockchain.block.headers', `header ${i} of its answer does not link to the one before`);
    }
  }

  #checkTransaction(peer: Peer, txid: string, raw: string, method: string): Transaction {
    let tx: Transaction;
    try {
      tx = parseTransaction(raw);
    } catch {
      lie(peer, 'transaction', method, `what it sent as ${txid} is not a transaction`);
    }
    if (tx.txid !== txid.toLowerCase()) lie(peer, 'transaction', method, `it sent transaction ${tx.txid} as ${txid}`);
    return tx;
  }

  async #transaction(peer: Peer, txid: string, options: RequestOptions): Promise<Transaction> {
    const cached = this.#transactions.get(txid);
    if (cached) return cached;
    const raw = await ask(peer, 'blockchain.transaction.get', [txid], options);
    const tx = this.#checkTransaction(peer, txid, raw as string, 'blockchain.transaction.get');
    remember(this.#transactions, txid, tx, TRANSACTION_CACHE);
    return tx;
  }

  /**
   * The merkle proofs of a history's confirmed entries not proven before, asked in batches of `maxBatch` (a wallet's
   * sync asks thousands). 'refused': the server answered with an error of its own.
   */
  async fetchProofs(peer: Peer, history: History, options: RequestOptions): Promise<Map<string, FetchedProof>> {
    const out = new Map<string, FetchedProof>();
    // Parallel arrays rather than an object a proof: a wallet's sync asks thousands.
    const txids: string[] = [];
    const heights: number[] = [];
    // Nothing proven yet (a wallet's first sync): no cache to look in for each transaction.
    const anyProven = this.#proven.size > 0;
    for (const e of history) {
      if (e.height <= 0) continue;
      const txid = e.tx_hash.toLowerCase();
      // A transaction in several histories of one batch (a payment between two of the wallet's addresses) is asked
      // once. One proven before is not asked again, unless the block at its height now is another one (a block not
      // in memory is looked at by checkedHistory, which asks again if it must).
      const cached = anyProven ? this.#proven.get(txid) : undefined;
      if (cached !== undefined) {
        const now = this.#chain.cachedHash(e.height);
        if (now === undefined || now === cached) continue;
      }
      const size = out.size;
      out.set(txid, REFUSED); // a place held (one lookup for the test and the hold); set from its answer below
      if (out.size === size) continue;
      txids.push(txid);
      heights.push(e.height);
    }
    // The blocks they name, read into the chain's memory first, so that each answer is proven as it comes (while the
    // server works on the next), and only a proof that does not prove so is kept for checkedHistory to look at.
    for (let k = 0, last = -1; k < heights.length; k++) {
      const height = heights[k] as number;
      if (height !== last && this.#chain.cachedHash(height) === undefined) await this.#block(height);
      last = height;
    }
    const starts: number[] = [];
    for (let from = 0; from < txids.length; from += this.#maxBatch) starts.push(from);
    await each(starts, (from) => {
      const to = Math.min(from + this.#maxBatch, txids.length);
      return this.#window.onWire(
        () => {
          // The calls made once the batch may go on the wire, not all of them at once: kept waiting, thousands would
          // outlive the young generation's collections for nothing.
          const calls: (readonly ['blockchain.transaction.get_merkle', [string, number]])[] = [];
          for (let k = from; k < to; k++) calls.push(['blockchain.transaction.get_merkle', [txids[k] as string, heights[k] as number]] as const);
          return peer.client.batch(calls, options);
        },
        (answers) => {
          for (let k = from; k < to; k++) {
            const answer = answers[k - from] as (typeof answers)[number];
            const txid = txids[k] as string;
            const height = heights[k] as number;
            if (answer.ok) {
              const proof = answer.value;
              const hash = proof.block_height === height ? this.#chain.cachedHash(height) : undefined;
              const header = hash === undefined ? undefined : this.#chain.cachedHeader(height);
              if (hash !== undefined && header !== undefined && this.#nodes.verify(txid, proof, header, hash)) {
                remember(this.#proven, txid, hash, PROOF_CACHE, true);
                out.set(txid, hash);
              } else out.set(txid, proof);
            } else if (!(answer.error instanceof ServerError)) throw answer.error; // a timeout, a lost connection: the server failed
            else {
              const limit = limitOf(peer.url, 'blockchain.transaction.get_merkle', [txid], answer.error);
              if (limit) throw limit; // its cost: asked elsewhere
              out.set(txid, REFUSED);
            }
          }
        },
      );
    });
    return out;
  }

  /** The verified header and hash at `height` (read from the store when not in memory), or undefined off the chain. */
  async #block(height: number): Promise<{ readonly header: string; readonly hash: string } | undefined> {
    const header = await this.#chain.header(height);
    return header === undefined ? undefined : { header, hash: (await this.#chain.hashAt(height)) as string };
  }

  /**
   * Proves that `txid` is in the verified block at `height` with the server's merkle proof (`given`, else fetched).
   * A proof that fails against a header the server agrees with is looked at twice, then called a lie; when the
   * server's header differs, the chain first follows the server (it may be ahead), and if its block is still not on
   * the chain followed, nothing can be proven ('unverifiable'). A server refusing the proof: 'refused'.
   */
  async #prove(peer: Peer, txid: string, height: number, options: RequestOptions, given?: { block_height: number; merkle: string[]; pos: number }): Promise<ProofOutcome> {
    const cached = this.#proven.get(txid);
    if (cached !== undefined && (await this.#chain.contains(height, cached))) return { kind: 'proven', blockHash: cached };
    const tip = this.#chain.tip as ChainTip;
    if (height > tip.height) {
      await this.#pool.syncWith(peer, options);
      if (height > (this.#chain.tip as ChainTip).height) return { kind: 'unverifiable' };
    }
    let proof = given;
    for (let look = 0; look < 2; look++) {
      if (proof === undefined) {
        try {
          proof = await ask(peer, 'blockchain.transaction.get_merkle', [txid, height], options);
        } catch (e) {
          if (e instanceof ServerError) return { kind: 'refused' };
          throw e;
        }
      }
      const header = await this.#chain.header(height);
      if (header === undefined) return { kind: 'unverifiable' };
      const hash = (await this.#chain.hashAt(height)) as string;
      if (proof.block_height === height && this.#nodes.verify(txid, proof, header, hash)) {
        remember(this.#proven, txid, hash, PROOF_CACHE);
        return { kind: 'proven', blockHash: hash };
      }
      proof = undefined;
      const theirs = ((await ask(peer, 'blockchain.block.header', [height], options)) as string).toLowerCase();
      if (theirs !== header) {
        await this.#pool.syncWith(peer, options);
        if (!(await this.#chain.contains(height, blockHash(theirs)))) return { kind: 'unverifiable' };
      }
    }
    lie(peer, 'merkle', 'blockchain.transaction.get_merkle', `its proof does not put ${txid} in block ${height}, whose header it gives`);
  }

  /**
   * get_history from one server, checked: its status against the status the server announced (when it did), each
   * confirmed entry's merkle proof against the verified header at its height. A mismatch is looked at twice before
   * it is called a lie, so a chain that moved between two answers is not taken for one.
   */
  async checkedHistory(peer: Peer, sh: string, options: RequestOptions, given?: History, givenProofs?: ReadonlyMap<string, FetchedProof>): Promise<CheckedHistory> {
    for (let look = 0; ; look++) {
      const history = look === 0 && given !== undefined ? given : await ask(peer, 'blockchain.scripthash.get_history', [sh], options);
      const announced = peer.statuses.get(sh);
      // Hashed only when there is a status to hold it against, or when the caller reads it (a subscription).
      const status = announced === undefined ? undefined : (electrumStatus(history, { mempoolOrder: peer.mempoolOrder }) as Status);
      if (announced !== undefined && announced !== status) {
        if (look === 0) {
          peer.statuses.set(sh, await ask(peer, 'blockchain.scripthash.subscribe', [sh], options));
          continue;
        }
        if (history.length === 0) throw truncated(peer, 'blockchain.scripthash.get_history', sh, `it sent an empty history, but its status for it is ${announced}`);
        lie(peer, 'status', 'blockchain.scripthash.subscribe', `it announced status ${announced} for ${sh}, but the status of the history it returns is ${status}`);
      }
      if (history.length === 0 && announced === undefined) {
        // No status to hold it against: an empty history costs a balance, which Fulcrum still tells above max_history.
        const balance = await ask(peer, 'blockchain.scripthash.get_balance', [sh], options);
        if (balance.confirmed !== 0 || balance.unconfirmed !== 0) throw truncated(peer, 'blockchain.scripthash.get_history', sh, `it sent an empty history, but a balance of ${balance.confirmed} confirmed and ${balance.unconfirmed} unconfirmed`);
      }
      const proofs = look === 0 && givenProofs !== undefined ? givenProofs : await this.fetchProofs(peer, history, options);
      // The verified blocks the entries name, read once each; then each proof is checked without a wait, and only
      // one that fails (or a block not reached yet) takes the long way, which tells a lie from a chain that moved.
      const blocks = new Map<number, { readonly header: string; readonly hash: string } | undefined>();
      for (const e of history) {
        if (e.height <= 0 || blocks.has(e.height)) continue;
        blocks.set(e.height, this.#chain.cachedBlock(e.height) ?? (await this.#block(e.height)));
      }
      // Settled here without a wait when proven (most are, often by fetchProofs as their answers came); only the
      // others wait, on #prove.
      const outcomes: (ProofOutcome | undefined)[] = new Array<ProofOutcome | undefined>(history.length);
      const slow: Promise<void>[] = [];
      history.forEach((e, i) => {
        if (e.height <= 0) return;
        const txid = e.tx_hash.toLowerCase();
        const proof = proofs.get(txid);
        if (proof === REFUSED) {
          outcomes[i] = { kind: 'refused' };
          return;
        }
        const block = blocks.get(e.height);
        // Proven as it came (in the block at this height, as the proof was asked for it), or earlier.
        const provenIn = typeof proof === 'string' ? proof : this.#proven.get(txid);
        const given = typeof proof === 'string' ? undefined : proof;
        if (block && provenIn === block.hash) outcomes[i] = { kind: 'proven', blockHash: block.hash };
        else if (block && given?.block_height === e.height && this.#nodes.verify(txid, given, block.header, block.hash)) {
          remember(this.#proven, txid, block.hash, PROOF_CACHE);
          outcomes[i] = { kind: 'proven', blockHash: block.hash };
        } else slow.push(this.#prove(peer, txid, e.height, options, given).then((o) => void (outcomes[i] = o)));
      });
      if (slow.length > 0) await Promise.all(slow);
      const refused = history.find((_, i) => outcomes[i]?.kind === 'refused');
      if (refused) {
        if (look === 0) continue;
        lie(peer, 'history', 'blockchain.scripthash.get_history', `it lists ${refused.tx_hash} at height ${refused.height} for ${sh} but refuses its merkle proof`);
      }
      // Built when read (verifiedHistory): a batch of get_history returns the history itself.
      const entriesOf = () =>
        history.map((e, i): VerifiedHistoryEntry => {
          const outcome = outcomes[i];
          const base = { tx_hash: e.tx_hash, height: e.height, ...('fee' in e && typeof e.fee === 'number' ? { fee: e.fee } : {}) };
          return outcome?.kind === 'proven' ? { ...base, confirmed: true, blockHash: outcome.blockHash } : { ...base, confirmed: false };
        });
      const mempoolOrder = peer.mempoolOrder;
      let computed = status;
      return {
        history,
        get entries() {
          return entriesOf();
        },
        get status() {
          return (computed ??= electrumStatus(history, { mempoolOrder }) as Status);
        },
      };
    }
  }

  /** The history's transactions, each checked to hash to its txid. */
  async #historyTransactions(peer: Peer, history: readonly { tx_hash: string }[], options: RequestOptions): Promise<Map<string, Transaction>> {
    const txs = await Promise.all(history.map((e) => this.#transaction(peer, e.tx_hash.toLowerCase(), options)));
    return new Map(txs.map((t) => [t.txid, t]));
  }

  async #checkedBalance(peer: Peer, sh: string, options: RequestOptions, given?: Balance): Promise<Balance> {
    for (let look = 0; ; look++) {
      const balance = look === 0 && given !== undefined ? given : await ask(peer, 'blockchain.scripthash.get_balance', [sh], options);
      const { history } = await this.checkedHistory(peer, sh, options);
      const derived = deriveWalletData(sh, history, await this.#historyTransactions(peer, history, options)).balance;
      if (derived.confirmed === balance.confirmed && derived.unconfirmed === balance.unconfirmed) return balance;
      if (history.length === 0 && look > 0) throw truncated(peer, 'blockchain.scripthash.get_balance', sh, `it sent an empty history, but a balance of ${balance.confirmed} confirmed and ${balance.unconfirmed} unconfirmed`);
      if (look > 0) lie(peer, 'balance', 'blockchain.scripthash.get_balance', `it says ${balance.confirmed} confirmed and ${balance.unconfirmed} unconfirmed for ${sh}; its history's transactions make ${derived.confirmed} and ${derived.unconfirmed}`);
    }
  }

  async #checkedUnspent(peer: Peer, sh: string, options: RequestOptions, given?: Unspent): Promise<Unspent> {
    for (let look = 0; ; look++) {
      const unspent = look === 0 && given !== undefined ? given : await ask(peer, 'blockchain.scripthash.listunspent', [sh], options);
      const { history } = await this.checkedHistory(peer, sh, options);
      const derived = deriveWalletData(sh, history, await this.#historyTransactions(peer, history, options)).unspent;
      if (sameUnspent(unspent, derived)) return unspent;
      if (look > 0) lie(peer, 'unspent', 'blockchain.scripthash.listunspent', `its ${unspent.length} unspent outputs for ${sh} are not the ${derived.length} its history's transactions leave`);
    }
  }
}

/**
 * A bounded map: when it is full, its oldest eighth goes, in one pass. (One at a time, each eviction would cost more
 * than the last: V8 walks over the holes that deletions leave at the front of a Map, until it rehashes.)
 */
function remember<K, V>(map: Map<K, V>, key: K, value: V, limit: number, fresh = false) {
  // To the back of the line (a miss, the common case, costs one lookup). `fresh`: the caller has just looked (or the
  // map was empty), so the lookup is skipped; a key there after all (another block now, or set by a call running
  // beside it) has its value replaced and keeps its place in line.
  if (!fresh && map.has(key)) map.delete(key);
  map.set(key, value);
  if (map.size > limit) {
    let drop = map.size - limit + (limit >> 3);
    for (const oldest of map.keys()) {
      if (drop-- <= 0) break;
      map.delete(oldest);
    }
  }
}
