// An in-memory regtest chain: the real regtest genesis block, blocks mined with valid proof of work,
// a mempool, and the indexes an Electrum server needs (headers, transactions, outputs by script hash).
//
// Checks on a broadcast transaction: it parses; it is new; it is not a coinbase; every input exists (in a
// block or in the mempool) and is unspent, with no double spend against the mempool; coinbase outputs are
// 100 blocks deep; inputs cover outputs. Scripts and signatures are NOT checked, nor standardness, locktime,
// witness commitments or block weight: this chain is for testing wallets and miners, not for consensus.
// A block's time must be later than the median of the last 11, as in Bitcoin Core; new blocks take
// max(that + 1, now), so blocks mined faster than the clock do not each push the time a second ahead.
// Reorgs: `reorg(depth)` replaces the last blocks with new ones (see there); the dropped blocks' transactions
// go back to the mempool where still valid.
import { bytesToHex, hexToBytes, writeU32LE } from '../bitcoin/bytes.js';
import { BitcoinError } from '../bitcoin/errors.js';
import { sha256d } from '../bitcoin/hash.js';
import { blockHash, parseHeader, serializeHeaderBytes, type BlockHeader } from '../bitcoin/header.js';
import { merkleRoot } from '../bitcoin/merkle.js';
import { scriptHash } from '../bitcoin/scripthash.js';
import { bitsToTarget, hashMeetsTarget } from '../bitcoin/target.js';
import { Emitter } from '../runtime/emitter.js';
import { isCoinbase, parseTransaction, serializeTransaction, type Transaction, type TransactionData } from '../bitcoin/tx.js';

/** The regtest genesis block (Bitcoin Core chainparams.cpp, CRegTestParams): header and its one transaction. */
export const REGTEST_GENESIS_HEADER =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f2002000000';
export const REGTEST_GENESIS_HASH = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
export const GENESIS_COINBASE =
  '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000';
const REGTEST_BITS = 0x207fffff;
const HALVING_INTERVAL = 150; // regtest's nSubsidyHalvingInterval
export const COINBASE_MATURITY = 100;
/** Blocks in the median time past (Bitcoin Core's nMedianTimeSpan). */
const MEDIAN_TIME_SPAN = 11;
const MAX_MONEY = 21_000_000n * 100_000_000n;

export interface ChainBlock {
  readonly height: number;
  readonly hash: string;
  readonly header: Uint8Array;
  readonly headerHex: string;
  readonly time: number;
  readonly txids: readonly string[];
}

export interface OutputInfo {
  readonly txid: string;
  readonly vout: number;
  /** Satoshis. */
  readonly value: number;
  /** Hex. */
  readonly scriptPubKey: string;
  readonly scripthash: string;
  /** Block height, or 0 while in the mempool. */
  readonly height: number;
  readonly coinbase: boolean;
}

interface TxRecord {
  readonly tx: Transaction;
  /** The transaction as received, hex. */
  readonly raw: string;
  /** Block height, 0 in the mempool. */
  height: number;
  pos: number;
  readonly fee: number;
  /** Script hashes it pays or spends from, kept so that status queries do not hash every output again. */
  readonly touched?: ReadonlySet<string>;
}

export interface HistoryEntry {
  readonly tx_hash: string;
  /** Block height; 0 in the mempool with confirmed inputs, -1 with an unconfirmed input. */
  readonly height: number;
  /** Mempool entries only: the fee in satoshis. */
  readonly fee?: number;
}

/** What a block or a new mempool transaction changed. */
export interface ChainEvents {
  /**
   * A block joined the chain. `touched`: the script hashes whose status may have changed since the event
   * before; the first block after a `reorg` event also names every script hash the reorganisation touched.
   */
  block: [block: ChainBlock, touched: ReadonlySet<string>];
  transaction: [txid: string, touched: ReadonlySet<string>];
  /**
   * Blocks were disconnected: the chain is back at `ancestor`, the dropped blocks' transactions are back in the
   * mempool where still valid, and the `block` events of the new blocks follow at once (in the same tick).
   */
  reorg: [reorg: ReorgEvent];
}

export interface ReorgEvent {
  /** How many blocks were disconnected. */
  readonly depth: number;
  /** The last block both chains share: the tip while the event is emitted. */
  readonly ancestor: ChainBlock;
  /** The disconnected blocks, lowest first. */
  readonly disconnected: readonly ChainBlock[];
  /** Script hashes whose history the disconnection changed. */
  readonly touched: ReadonlySet<string>;
}

export interface ReorgOptions {
  /**
   * Blocks mined on the ancestor (default `depth`, at least 1). With the chain's fixed bits, `depth` new blocks
   * make a branch of equal work and more make one of more work; fewer make a branch of less work, which a node
   * following the most work would not take.
   */
  readonly blocks?: number;
  /** The script (hex) the new blocks' coinbases pay (default: what the first disconnected block's coinbase paid). */
  readonly payoutScript?: string;
  /** Confirm the mempool, returned transactions included, in the first new block (default false: they stay in the mempool). */
  readonly confirmMempool?: boolean;
}

export interface ReorgResult {
  readonly depth: number;
  readonly ancestor: ChainBlock;
  readonly disconnected: readonly ChainBlock[];
  readonly connected: readonly ChainBlock[];
  /** Transactions of the disconnected blocks now back in the mempool (or confirmed again with `confirmMempool`). */
  readonly returned: readonly string[];
  /** Transactions gone: the disconnected coinbases, and any transaction (block or mempool) no longer valid without them. */
  readonly dropped: readonly string[];
}

/** The data a pool needs to build mining jobs on the tip. */
export interface BlockTemplate {
  readonly height: number;
  readonly prevHash: string;
  readonly version: number;
  readonly bits: number;
  readonly time: number;
  /** Mempool transactions to include after the coinbase, in order. */
  readonly transactions: readonly Transaction[];
  /** Block subsidy plus fees, in satoshis. */
  readonly coinbaseValue: number;
}

export class TransactionRejected extends BitcoinError {
  override name = 'TransactionRejected';
}

export class RegtestChain {
  readonly events = new Emitter<ChainEvents>();
  readonly #blocks: ChainBlock[] = [];
  readonly #txs = new Map<string, TxRecord>();
  /** Unspent outputs, confirmed or in the mempool, by "txid:vout". */
  readonly #outputs = new Map<string, OutputInfo>();
  /** Outputs spent by a mempool transaction: "txid:vout" to the spender. */
  readonly #mempoolSpends = new Map<string, string>();
  readonly #mempool = new Map<string, TxRecord>();
  /** Confirmed history per script hash, in block order. */
  readonly #history = new Map<string, string[]>();
  readonly #now: () => number;
  readonly #bits: number;
  /** Reorganisations so far: each one's blocks carry its number in their coinbase, so no new block repeats a dropped one. */
  #reorgs = 0;

  /**
   * `bits`: the compact target of new blocks; regtest's minimum difficulty (0x207fffff, a hash or two per
   * block) unless a harder one is wanted, say for a pool whose shares should not all be blocks.
   */
  constructor(options: { now?: () => number; bits?: number } = {}) {
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.#bits = options.bits ?? REGTEST_BITS;
    if (bitsToTarget(this.#bits) > bitsToTarget(REGTEST_BITS)) throw new RangeError('bits: easier than the regtest proof-of-work limit');
    const genesis = parseTransaction(GENESIS_COINBASE);
    const header = hexToBytes(REGTEST_GENESIS_HEADER);
    if (blockHash(header) !== REGTEST_GENESIS_HASH || parseHeader(header).merkleRoot !== genesis.txid) throw new Error('regtest genesis constants are inconsistent');
    // Like Bitcoin Core, the genesis coinbase is not spendable and not indexed.
    this.#blocks.push({ height: 0, hash: REGTEST_GENESIS_HASH, header, headerHex: REGTEST_GENESIS_HEADER, time: parseHeader(header).time, txids: [genesis.txid] });
    this.#txs.set(genesis.txid, { tx: genesis, raw: GENESIS_COINBASE, height: 0, pos: 0, fee: 0 });
  }

  get height(): number {
    return this.#blocks.length - 1;
  }

  get tip(): ChainBlock {
    return this.#blocks[this.#blocks.length - 1] as ChainBlock;
  }

  get genesisHash(): string {
    return REGTEST_GENESIS_HASH;
  }

  /** The median time of the last 11 blocks: a new block's time must be later (Bitcoin Core's rule). */
  get medianTimePast(): number {
    const times = this.#blocks.slice(-MEDIAN_TIME_SPAN).map((b) => b.time);
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] as number;
  }

  block(height: number): ChainBlock | undefined {
    return Number.isInteger(height) && height >= 0 ? this.#blocks[height] : undefined;
  }

  /** A transaction and where it is: height 0 and no position while in the mempool. */
  transaction(txid: string): { tx: Transaction; raw: string; height: number; pos: number; blockHash: string | undefined } | undefined {
    const key = txid.toLowerCase();
    const pending = this.#mempool.get(key);
    if (pending) return { tx: pending.tx, raw: pending.raw, height: 0, pos: -1, blockHash: undefined };
    const r = this.#txs.get(key);
    return r && { tx: r.tx, raw: r.raw, height: r.height, pos: r.pos, blockHash: this.#blocks[r.height]?.hash };
  }

  /** Confirmed history (block order) then mempool entries, as get_history wants them. */
  history(scripthash: string): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (const txid of this.#history.get(scripthash) ?? []) out.push({ tx_hash: txid, height: (this.#txs.get(txid) as TxRecord).height });
    return [...out, ...this.mempoolHistory(scripthash)];
  }

  mempoolHistory(scripthash: string): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (const r of this.#mempool.values()) {
      if (!(r.touched ?? this.#touches(r.tx)).has(scripthash)) continue;
      const unconfirmedParent = r.tx.inputs.some((i) => this.#mempool.has(i.txid));
      out.push({ tx_hash: r.tx.txid, height: unconfirmedParent ? -1 : 0, fee: r.fee });
    }
    return out;
  }

  /** Unspent outputs paying a script hash, mempool ones (height 0) included, mempool spends excluded. */
  unspent(scripthash: string): OutputInfo[] {
    const out: OutputInfo[] = [];
    for (const [key, o] of this.#outputs) if (o.scripthash === scripthash && !this.#mempoolSpends.has(key)) out.push(o);
    return out.sort((a, b) => (a.height || Infinity) - (b.height || Infinity) || a.txid.localeCompare(b.txid) || a.vout - b.vout);
  }

  balance(scripthash: string): { confirmed: number; unconfirmed: number } {
    let confirmed = 0;
    let unconfirmed = 0;
    for (const [key, o] of this.#outputs) {
      if (o.scripthash !== scripthash) continue;
      if (o.height > 0) confirmed += o.value;
      else unconfirmed += o.value;
      if (this.#mempoolSpends.has(key)) unconfirmed -= o.value;
    }
    return { confirmed, unconfirmed };
  }

  /** Mempool transactions with their fee and virtual size, in arrival order. */
  mempool(): { txid: string; fee: number; vsize: number }[] {
    return [...this.#mempool.values()].map((r) => ({ txid: r.tx.txid, fee: r.fee, vsize: r.tx.vsize }));
  }

  /** Validates and adds a transaction to the mempool; returns its txid. Throws TransactionRejected. */
  acceptTransaction(raw: string): string {
    const record = this.#admit(raw);
    this.events.emit('transaction', record.tx.txid, record.touched as ReadonlySet<string>);
    return record.tx.txid;
  }

  /** acceptTransaction without the event. */
  #admit(raw: string): TxRecord {
    let tx: Transaction;
    try {
      tx = parseTransaction(raw);
    } catch (e) {
      throw new TransactionRejected('bad-transaction', `the transaction does not parse: ${(e as Error).message}`);
    }
    if (tx.inputs.length === 0 || tx.outputs.length === 0) throw new TransactionRejected('bad-transaction', 'a transaction needs inputs and outputs');
    if (this.#txs.has(tx.txid) || this.#mempool.has(tx.txid)) throw new TransactionRejected('bad-transaction', `transaction ${tx.txid} is already known`);
    if (isCoinbase(tx)) throw new TransactionRejected('bad-transaction', 'a coinbase transaction cannot be broadcast');
    let totalIn = 0;
    const seen = new Set<string>();
    for (const [i, input] of tx.inputs.entries()) {
      const key = `${input.txid}:${input.vout}`;
      if (seen.has(key)) throw new TransactionRejected('bad-transaction', `input ${i} spends ${key} twice`);
      seen.add(key);
      const spent = this.#outputs.get(key);
      if (!spent) throw new TransactionRejected('bad-transaction', `input ${i} spends ${key}, which does not exist or is already spent`);
      const spender = this.#mempoolSpends.get(key);
      if (spender) throw new TransactionRejected('bad-transaction', `input ${i} spends ${key}, already spent by mempool transaction ${spender}`);
      if (spent.coinbase && this.height + 1 - spent.height < COINBASE_MATURITY) {
        throw new TransactionRejected('bad-transaction', `input ${i} spends a coinbase output only ${this.height + 1 - spent.height} blocks deep (needs ${COINBASE_MATURITY})`);
      }
      totalIn += spent.value;
    }
    const totalOutSats = tx.outputs.reduce((n, o) => n + o.value, 0n);
    if (totalOutSats > MAX_MONEY) throw new TransactionRejected('bad-transaction', 'the outputs pay more bitcoin than exist');
    const totalOut = Number(totalOutSats);
    if (totalOut > totalIn) throw new TransactionRejected('bad-transaction', `outputs (${totalOut} sat) exceed inputs (${totalIn} sat)`);

    const touched = this.#touches(tx);
    const record: TxRecord = { tx, raw: raw.toLowerCase(), height: 0, pos: -1, fee: totalIn - totalOut, touched };
    for (const input of tx.inputs) this.#mempoolSpends.set(`${input.txid}:${input.vout}`, tx.txid);
    this.#addOutputs(tx, 0, false);
    this.#mempool.set(tx.txid, record);
    return record;
  }

  /** What a pool needs to build jobs on the tip. */
  template(): BlockTemplate {
    const height = this.height + 1;
    const transactions = [...this.#mempool.values()].map((r) => r.tx);
    const fees = [...this.#mempool.values()].reduce((n, r) => n + r.fee, 0);
    return { height, prevHash: this.tip.hash, version: 0x20000000, bits: this.#bits, time: Math.max(this.medianTimePast + 1, this.#now()), transactions, coinbaseValue: subsidy(height) + fees };
  }

  /** Mines one block on the tip whose coinbase pays `payoutScript` (hex), with every mempool transaction. */
  mine(payoutScript: string, options: { tag?: string } = {}): ChainBlock {
    return this.#mine(payoutScript, this.template(), options.tag ?? '/stratum-sdk/');
  }

  #mine(payoutScript: string, template: BlockTemplate, tag: string, alsoTouched?: ReadonlySet<string>): ChainBlock {
    const coinbase = serializeTransaction(coinbaseTransaction(template.height, payoutScript, template.coinbaseValue, bytesToHex(new TextEncoder().encode(tag))));
    const txids = [parseTransaction(coinbase).txid, ...template.transactions.map((t) => t.txid)];
    const header: BlockHeader = { version: template.version, prevHash: template.prevHash, merkleRoot: merkleRoot(txids), time: template.time, bits: template.bits, nonce: 0 };
    const bytes = serializeHeaderBytes(header);
    const target = bitsToTarget(template.bits);
    for (let nonce = 0; ; nonce++) {
      writeU32LE(bytes, 76, nonce);
      if (hashMeetsTarget(sha256d(bytes), target)) break;
      if (nonce === 0xffffffff) throw new Error('no nonce found'); // unreachable at regtest difficulty
    }
    return this.#connect(bytes, coinbase, template.transactions, alsoTouched);
  }

  /**
   * Appends a solved block: its header must build on the tip, meet its target and commit to the coinbase
   * and transactions given. Throws BitcoinError otherwise (a stale or invalid solution).
   */
  submitBlock(header: Uint8Array, coinbaseRaw: Uint8Array, transactions: readonly Transaction[]): ChainBlock {
    return this.#connect(header, coinbaseRaw, transactions);
  }

  #connect(header: Uint8Array, coinbaseRaw: Uint8Array, transactions: readonly Transaction[], alsoTouched?: ReadonlySet<string>): ChainBlock {
    const h = parseHeader(header);
    if (h.prevHash !== this.tip.hash) throw new BitcoinError('bad-argument', `stale block: it builds on ${h.prevHash}, the tip is ${this.tip.hash}`);
    if (h.time <= this.medianTimePast) throw new BitcoinError('bad-argument', `time-too-old: the block time ${h.time} is not after the median time past ${this.medianTimePast}`);
    if (!hashMeetsTarget(sha256d(header), bitsToTarget(h.bits)) || h.bits !== this.#bits) throw new BitcoinError('bad-target', 'the block does not meet its target');
    const coinbase = parseTransaction(coinbaseRaw);
    if (!isCoinbase(coinbase)) throw new BitcoinError('bad-transaction', 'the first transaction is not a coinbase');
    for (const t of transactions) if (!this.#mempool.has(t.txid)) throw new BitcoinError('bad-transaction', `transaction ${t.txid} is not in the mempool`);
    const txids = [coinbase.txid, ...transactions.map((t) => t.txid)];
    if (merkleRoot(txids) !== h.merkleRoot) throw new BitcoinError('bad-argument', 'the merkle root does not match the transactions');
    const height = this.height + 1;
    const fees = transactions.reduce((n, t) => n + (this.#mempool.get(t.txid) as TxRecord).fee, 0);
    const paid = Number(coinbase.outputs.reduce((n, o) => n + o.value, 0n));
    if (paid > subsidy(height) + fees) throw new BitcoinError('bad-transaction', `the coinbase pays ${paid} sat, more than the ${subsidy(height) + fees} allowed`);

    const block: ChainBlock = { height, hash: blockHash(header), header: Uint8Array.from(header), headerHex: bytesToHex(header), time: h.time, txids };
    const touched = new Set<string>(alsoTouched);
    this.#blocks.push(block);
    this.#txs.set(coinbase.txid, { tx: coinbase, raw: bytesToHex(coinbaseRaw), height, pos: 0, fee: 0 });
    this.#addOutputs(coinbase, height, true);
    this.#index(coinbase, touched);
    for (const [i, t] of transactions.entries()) {
      const record = this.#mempool.get(t.txid) as TxRecord;
      this.#mempool.delete(t.txid);
      record.height = height;
      record.pos = i + 1;
      this.#txs.set(t.txid, record);
      for (const input of t.inputs) {
        const key = `${input.txid}:${input.vout}`;
        this.#mempoolSpends.delete(key);
        this.#outputs.delete(key);
      }
      for (let vout = 0; vout < t.outputs.length; vout++) {
        const key = `${t.txid}:${vout}`;
        const o = this.#outputs.get(key);
        if (o) this.#outputs.set(key, { ...o, height });
      }
      this.#index(t, touched);
    }
    this.events.emit('block', block, touched);
    return block;
  }

  /**
   * Replaces the last `depth` blocks with new ones (`blocks` of them, default `depth`), as a reorganisation
   * would. The disconnected blocks' transactions go back to the mempool where still valid (in block order,
   * then the old mempool in arrival order), as Bitcoin Core does; coinbases and whatever spends them (or
   * anything else no longer there) are dropped. The new blocks confirm nothing but their coinbase unless
   * `confirmMempool` is set. Events: `reorg` once the chain is back at the ancestor, then a `block` event for
   * each new block (the first naming every script hash the reorganisation touched), so a server wired to
   * `block` events tells its subscribers the new tip and recomputes their statuses.
   */
  reorg(depth: number, options: ReorgOptions = {}): ReorgResult {
    if (!Number.isInteger(depth) || depth < 1 || depth > this.height) throw new RangeError(`reorg depth must be an integer from 1 to the height (${this.height}), got ${depth}`);
    const count = options.blocks ?? depth;
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`reorg blocks must be an integer of at least 1, got ${count}`);
    const ancestorHeight = this.height - depth;
    const disconnected = this.#blocks.slice(ancestorHeight + 1);
    const records = disconnected.flatMap((b) => b.txids.map((txid) => this.#txs.get(txid) as TxRecord));
    const payoutScript = options.payoutScript ?? (records[0] as TxRecord).tx.outputs[0]?.scriptPubKey ?? '51';
    const oldMempool = [...this.#mempool.values()];
    const touched = new Set<string>();
    // Before the rebuild: #touches looks the spent outputs up in the transactions about to go.
    for (const r of [...records, ...oldMempool]) for (const sh of r.touched ?? this.#touches(r.tx)) touched.add(sh);

    this.#rebuild(ancestorHeight);
    const returned: string[] = [];
    const dropped: string[] = [];
    for (const r of records) {
      if (r.pos === 0) dropped.push(r.tx.txid);
      else if (this.#tryAdmit(r.raw)) returned.push(r.tx.txid);
      else dropped.push(r.tx.txid);
    }
    for (const r of oldMempool) if (!this.#tryAdmit(r.raw)) dropped.push(r.tx.txid);
    const ancestor = this.tip;
    this.events.emit('reorg', { depth, ancestor, disconnected, touched });

    const reorg = ++this.#reorgs;
    const connected: ChainBlock[] = [];
    for (let i = 0; i < count; i++) {
      const full = this.template();
      const template = options.confirmMempool && i === 0 ? full : { ...full, transactions: [], coinbaseValue: subsidy(full.height) };
      connected.push(this.#mine(payoutScript, template, `/stratum-sdk reorg ${reorg}/`, i === 0 ? touched : undefined));
    }
    return { depth, ancestor, disconnected, connected, returned, dropped };
  }

  /** Mempool admission that reports a refusal as false. */
  #tryAdmit(raw: string): boolean {
    try {
      this.#admit(raw);
      return true;
    } catch (e) {
      if (e instanceof TransactionRejected) return false;
      throw e;
    }
  }

  /** Rebuilds every index from the blocks up to `height`, dropping the blocks above it and the whole mempool. */
  #rebuild(height: number) {
    const kept = this.#blocks.slice(0, height + 1);
    const genesis = kept[0] as ChainBlock;
    const genesisRecord = this.#txs.get(genesis.txids[0] as string) as TxRecord;
    const records = kept.slice(1).flatMap((b) => b.txids.map((txid) => this.#txs.get(txid) as TxRecord));
    this.#blocks.length = height + 1;
    this.#txs.clear();
    this.#txs.set(genesisRecord.tx.txid, genesisRecord);
    this.#outputs.clear();
    this.#mempoolSpends.clear();
    this.#mempool.clear();
    this.#history.clear();
    // Block order, and block order within a block, so every spent output is there before its spender.
    for (const r of records) {
      this.#txs.set(r.tx.txid, r);
      const coinbase = r.pos === 0;
      if (!coinbase) for (const input of r.tx.inputs) this.#outputs.delete(`${input.txid}:${input.vout}`);
      this.#addOutputs(r.tx, r.height, coinbase);
      this.#index(r.tx, new Set());
    }
  }

  /** Script hashes a transaction pays or spends from. */
  #touches(tx: Transaction): Set<string> {
    const out = new Set<string>();
    for (const o of tx.outputs) out.add(scriptHash(o.scriptPubKey));
    for (const i of tx.inputs) {
      const prev = this.#txs.get(i.txid) ?? this.#mempool.get(i.txid);
      const spent = prev?.tx.outputs[i.vout];
      if (spent) out.add(scriptHash(spent.scriptPubKey));
    }
    return out;
  }

  #index(tx: Transaction, touched: Set<string>) {
    for (const sh of this.#touches(tx)) {
      touched.add(sh);
      let list = this.#history.get(sh);
      if (!list) this.#history.set(sh, (list = []));
      list.push(tx.txid);
    }
  }

  #addOutputs(tx: Transaction, height: number, coinbase: boolean) {
    tx.outputs.forEach((o, vout) => {
      // OP_RETURN outputs are provably unspendable and never enter the output set.
      if (o.scriptPubKey.startsWith('6a')) return;
      this.#outputs.set(`${tx.txid}:${vout}`, { txid: tx.txid, vout, value: Number(o.value), scriptPubKey: o.scriptPubKey, scripthash: scriptHash(o.scriptPubKey), height, coinbase });
    });
  }
}

/** 50 BTC halving every 150 blocks, as on regtest. */
export function subsidy(height: number): number {
  const halvings = Math.floor(height / HALVING_INTERVAL);
  return halvings >= 64 ? 0 : Math.floor(5_000_000_000 / 2 ** halvings);
}

/** BIP34: the height as a minimal script number push, first in the coinbase script. */
export function heightPush(height: number): Uint8Array {
  if (height >= 1 && height <= 16) return Uint8Array.of(0x50 + height);
  const bytes: number[] = [];
  for (let n = height; n > 0; n = Math.floor(n / 256)) bytes.push(n % 256);
  if ((bytes[bytes.length - 1] as number) & 0x80) bytes.push(0);
  return Uint8Array.of(bytes.length, ...bytes);
}

/** A coinbase paying `value` satoshis to `payoutScript` (hex); `extra` (hex) goes into its script after the height. */
export function coinbaseTransaction(height: number, payoutScript: string, value: number, extra = ''): TransactionData {
  return {
    version: 1,
    inputs: [{ txid: '00'.repeat(32), vout: 0xffffffff, scriptSig: bytesToHex(heightPush(height)) + extra, sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: BigInt(value), scriptPubKey: payoutScript }],
    locktime: 0,
  };
}


export interface WalletHistoryOptions {
  /** Transactions to make, each paying one of the scripts (round robin). */
  readonly transactions: number;
  /** Transactions per block (default 1,000). */
  readonly perBlock?: number | undefined;
  /** Spend chains run side by side, one coinbase each (default 100): blocks then mix transactions of many chains. */
  readonly chains?: number | undefined;
  /** Where coinbases and change go (default a P2WPKH script of its own). */
  readonly funder?: string | undefined;
  /** Satoshis each transaction pays its script (default 1,000). */
  readonly amount?: number | undefined;
}

/**
 * Gives `scripts` a long history fast, for benchmarks and wallet tests: mines the funding coinbases (and the 100
 * blocks that make them spendable), then `transactions` transactions, each spending the change of the one before it
 * in its chain and paying one script, mined `perBlock` to a block. No signatures are made (the chain runs no scripts),
 * which is what makes 20,000 transactions take seconds. Returns the txids in the order made.
 */
export function buildWalletHistory(chain: RegtestChain, scripts: readonly string[], options: WalletHistoryOptions): string[] {
  const { transactions } = options;
  const perBlock = options.perBlock ?? 1_000;
  const chains = Math.max(1, Math.min(options.chains ?? 100, transactions));
  const funder = options.funder ?? `0014${'fe'.repeat(20)}`;
  const amount = options.amount ?? 1_000;
  const FEE = 200;
  if (scripts.length === 0 || !(transactions >= 0) || !(perBlock >= 1)) throw new RangeError('buildWalletHistory: give scripts, transactions >= 0 and perBlock >= 1');
  const tips: { txid: string; vout: number; value: number }[] = [];
  for (let i = 0; i < chains; i++) {
    const block = chain.mine(funder, { tag: `/wallet-funding ${i}/` });
    tips.push({ txid: block.txids[0] as string, vout: 0, value: subsidy(block.height) });
  }
  for (let i = 0; i < COINBASE_MATURITY; i++) chain.mine(funder);
  const txids: string[] = [];
  for (let n = 0; n < transactions; n++) {
    const tip = tips[n % chains] as { txid: string; vout: number; value: number };
    const change = tip.value - amount - FEE;
    if (change < amount) throw new RangeError('buildWalletHistory: the funding ran out; use more chains or a smaller amount');
    const raw = bytesToHex(
      serializeTransaction({
        version: 2,
        inputs: [{ txid: tip.txid, vout: tip.vout, scriptSig: '', sequence: 0xfffffffd, witness: ['01'] }],
        outputs: [
          { scriptPubKey: scripts[n % scripts.length] as string, value: BigInt(amount) },
          { scriptPubKey: funder, value: BigInt(change) },
        ],
        locktime: 0,
      }),
    );
    const txid = chain.acceptTransaction(raw);
    txids.push(txid);
    tips[n % chains] = { txid, vout: 1, value: change };
    if ((n + 1) % perBlock === 0) chain.mine(funder);
  }
  if (transactions % perBlock !== 0) chain.mine(funder);
  return txids;
}
