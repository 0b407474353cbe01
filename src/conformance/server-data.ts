// What the server says about its own chain, for params that must name real data: the tip height, the
// tip's coinbase txid and the script hash that coinbase pays. Servers are not required to answer
// verbose transactions, so the raw transaction is parsed here.
import type { ElectrumClient } from '../clients/electrum-client.js';
import { scriptHash } from '../bitcoin/scripthash.js';
import { parseTransaction } from '../bitcoin/tx.js';

export interface ServerData {
  readonly tipHeight?: number;
  /** The first transaction of the tip block (its coinbase), and that block's height. */
  readonly txid?: string;
  readonly txHeight?: number;
  /** The script hash of the coinbase's first spendable output. */
  readonly scripthash?: string;
}

// OP_RETURN outputs (witness commitments) pay no one: no history to look up.
const OP_RETURN = '6a';

/** Asks step by step and keeps what it got: a failed step leaves the later fields to the spec's examples. */
export async function gatherServerData(client: ElectrumClient): Promise<ServerData> {
  const data: { tipHeight?: number; txid?: string; txHeight?: number; scripthash?: string } = {};
  try {
    // {height, hex} from 1.4; before that a deserialized header, which carries block_height.
    const tip = (await client.request('blockchain.headers.subscribe', [])) as { height?: unknown; block_height?: unknown };
    const height = tip.height ?? tip.block_height;
    if (typeof height !== 'number') return data;
    data.tipHeight = height;
    const txid = await client.request('blockchain.transaction.id_from_pos', [height, 0]);
    if (typeof txid !== 'string') return data;
    data.txid = txid;
    data.txHeight = height;
    const raw = await client.request('blockchain.transaction.get', [txid]);
    if (typeof raw !== 'string') return data;
    const output = parseTransaction(raw).outputs.find((o) => o.scriptPubKey.length > 0 && !o.scriptPubKey.startsWith(OP_RETURN));
    if (output) data.scripthash = scriptHash(output.scriptPubKey);
  } catch {
    // Each method's own check reports what went wrong; here a gap only means fewer derived params.
  }
  return data;
}
