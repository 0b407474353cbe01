// The Electrum status of a script hash (protocol-basics.rst, "Status"): sha256 over "tx_hash:height:" for every
// transaction, confirmed ones in blockchain order, then mempool ones ordered by (-height, tx_hash) since protocol
// 1.6. The hex digest is not reversed. null when there is no history.
import { utf8 } from '@scure/base';
import { bytesToHex } from './bytes.js';
import { BitcoinError } from './errors.js';
import { sha256 } from './hash.js';

/** One history entry as `blockchain.scripthash.get_history` returns it (extra keys such as `fee` are ignored). */
export interface HistoryItem {
  readonly tx_hash: string;
  /** Block height; 0 for a mempool transaction with confirmed inputs, -1 with an unconfirmed input. */
  readonly height: number;
}

export interface StatusOptions {
  /**
   * `'1.6'` (default): put the mempool entries in the 1.6 order, height 0 before -1, then by txid as displayed.
   * `'as-given'`: keep the caller's order, for servers that predate 1.6 (any mempool order was allowed).
   * Confirmed entries always keep their relative order within a height, which only the server knows.
   */
  readonly mempoolOrder?: '1.6' | 'as-given';
}

const TXID = /^[0-9a-fA-F]{64}$/;

/**
 * The history in status order: confirmed entries by height (stable, so the server's in-block order is kept),
 * then mempool entries by (-height, tx_hash). Checks every entry.
 */
export function orderHistory<T extends HistoryItem>(history: readonly T[], options: StatusOptions = {}): T[] {
  if (!Array.isArray(history)) throw new BitcoinError('bad-argument', 'history: expected an array');
  history.forEach(checkItem);
  const confirmed = history.filter((h) => h.height > 0).map((h, i) => [h, i] as const);
  confirmed.sort(([a, i], [b, j]) => a.height - b.height || i - j);
  const mempool = history.filter((h) => h.height <= 0);
  if ((options.mempoolOrder ?? '1.6') === '1.6') {
    mempool.sort((a, b) => b.height - a.height || compareText(a.tx_hash.toLowerCase(), b.tx_hash.toLowerCase()));
  }
  return [...confirmed.map(([h]) => h), ...mempool];
}

/** The status hash of a history, as a server sends it in `blockchain.scripthash.subscribe`; null if empty. */
export function electrumStatus(history: readonly HistoryItem[], options: StatusOptions = {}): string | null {
  const ordered = orderHistory(history, options);
  if (ordered.length === 0) return null;
  let text = '';
  for (const item of ordered) text += `${item.tx_hash.toLowerCase()}:${item.height}:`;
  return bytesToHex(sha256(utf8.decode(text)));
}

function checkItem(item: HistoryItem, index: number): void {
  if (typeof item !== 'object' || item === null)
    throw new BitcoinError('bad-argument', `history[${index}]: expected an object`);
  if (typeof item.tx_hash !== 'string' || !TXID.test(item.tx_hash)) {
    throw new BitcoinError('bad-hex', `history[${index}].tx_hash: expected 64 hex digits`);
  }
  if (!Number.isSafeInteger(item.height) || item.height < -1) {
    throw new BitcoinError('bad-argument', `history[${index}].height: expected an integer of -1 or more`);
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
