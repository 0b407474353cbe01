// What a script hash's history implies, computed from the history's transactions themselves (each one checked to
// hash to its txid): the balance and the unspent outputs a server must report if its history is true. Used to
// catch a server whose get_balance or listunspent does not match its own get_history.
import { scriptHash } from '../bitcoin/scripthash.js';
import type { Transaction } from '../bitcoin/tx.js';

export interface HistoryEntry {
  readonly tx_hash: string;
  readonly height: number;
}

export interface DerivedOutput {
  readonly txid: string;
  readonly vout: number;
  readonly value: number;
  /** The height of the transaction that made it, as the history gives it (0 or -1 in the mempool). */
  readonly height: number;
}

export interface DerivedWalletData {
  readonly balance: { readonly confirmed: number; readonly unconfirmed: number };
  /** Outputs paying the script hash that no transaction of the history spends, mempool ones included. */
  readonly unspent: readonly DerivedOutput[];
}

/**
 * The balance and unspent outputs of `scripthash` implied by its history: `transactions` holds every transaction
 * of the history by txid. As ElectrumX counts them: confirmed is the sum of the outputs of confirmed
 * transactions that no confirmed transaction spends; unconfirmed is what mempool transactions pay it minus what
 * they spend of its outputs (negative when the mempool spends confirmed coins). OP_RETURN outputs are unspendable
 * and count for nothing.
 */
export function deriveWalletData(scripthash: string, history: readonly HistoryEntry[], transactions: ReadonlyMap<string, Transaction>): DerivedWalletData {
  const sh = scripthash.toLowerCase();
  const outputs = new Map<string, DerivedOutput & { spentByConfirmed: boolean; spentByMempool: boolean }>();
  for (const entry of history) {
    const tx = transactions.get(entry.tx_hash.toLowerCase()) as Transaction;
    tx.outputs.forEach((o, vout) => {
      if (o.scriptPubKey.startsWith('6a') || scriptHash(o.scriptPubKey) !== sh) return;
      outputs.set(`${tx.txid}:${vout}`, { txid: tx.txid, vout, value: Number(o.value), height: entry.height, spentByConfirmed: false, spentByMempool: false });
    });
  }
  for (const entry of history) {
    const tx = transactions.get(entry.tx_hash.toLowerCase()) as Transaction;
    for (const input of tx.inputs) {
      const spent = outputs.get(`${input.txid}:${input.vout}`);
      if (!spent) continue;
      if (entry.height > 0) spent.spentByConfirmed = true;
      else spent.spentByMempool = true;
    }
  }
  let confirmed = 0;
  let unconfirmed = 0;
  const unspent: DerivedOutput[] = [];
  for (const o of outputs.values()) {
    if (o.height > 0) {
      if (!o.spentByConfirmed) confirmed += o.value;
    } else unconfirmed += o.value;
    if (o.spentByMempool) unconfirmed -= o.value;
    if (!o.spentByConfirmed && !o.spentByMempool) unspent.push({ txid: o.txid, vout: o.vout, value: o.value, height: o.height });
  }
  return { balance: { confirmed, unconfirmed }, unspent };
}

/** Whether a listunspent answer is the set of unspent outputs derived (order aside; mempool outputs at height 0). */
export function sameUnspent(reported: readonly { tx_hash: string; tx_pos: number; value: number; height: number }[], derived: readonly DerivedOutput[]): boolean {
  if (reported.length !== derived.length) return false;
  const key = (txid: string, vout: number, value: number, height: number) => `${txid.toLowerCase()}:${vout}:${value}:${height > 0 ? height : 0}`;
  const want = new Set(derived.map((o) => key(o.txid, o.vout, o.value, o.height)));
  return reported.every((u) => want.delete(key(u.tx_hash, u.tx_pos, u.value, u.height))) && want.size === 0;
}
