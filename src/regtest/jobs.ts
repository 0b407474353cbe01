// Mining jobs from a block template: the coinbase cut around the extranonce, the merkle branch of the
// coinbase, and the mining.notify params in Stratum's byte orders; and the shares a job has taken.
import { bytesToHex, hexToBytes, u32ToHex } from '../bitcoin/bytes.js';
import { prevHashToStratum, type StratumJob } from '../bitcoin/job.js';
import { coinbaseMerkleBranch } from '../bitcoin/merkle.js';
import { coinbaseTransaction, type BlockTemplate } from './chain.js';
import { serializeTransaction } from '../bitcoin/tx.js';

export interface JobSettings {
  /** Hex of the script the block reward pays. */
  readonly payoutScript: string;
  readonly extranonce1Size: number;
  readonly extranonce2Size: number;
  /** Text put in the coinbase script after the extranonce (pools sign their blocks this way). */
  readonly tag?: string;
}

export interface PoolJob extends StratumJob {
  readonly template: BlockTemplate;
  /** mining.notify params, in wire order. */
  readonly notify: [string, string, string, string, string[], string, string, string, boolean];
}

/**
 * Builds job `jobId` on a template. The coinbase script is: BIP34 height, extranonce1, extranonce2, tag;
 * coinb1 ends just before extranonce1 and coinb2 starts just after extranonce2.
 */
export function buildJob(jobId: string, template: BlockTemplate, settings: JobSettings, cleanJobs: boolean): PoolJob {
  const tag = new TextEncoder().encode(settings.tag ?? '/stratum-sdk/');
  const placeholder = new Uint8Array(settings.extranonce1Size + settings.extranonce2Size);
  const tx = coinbaseTransaction(template.height, settings.payoutScript, template.coinbaseValue, bytesToHex(placeholder) + bytesToHex(tag));
  const raw = serializeTransaction(tx);
  // The script starts after version (4), input count (1), outpoint (36) and the script length varint (1).
  const scriptSig = hexToBytes(tx.inputs[0]?.scriptSig ?? '');
  if (scriptSig.length > 100) throw new RangeError('the coinbase script is over 100 bytes: shorten the tag or the extranonces');
  const scriptStart = 4 + 1 + 36 + 1;
  const heightLength = scriptSig.length - placeholder.length - tag.length;
  const cut1 = scriptStart + heightLength;
  const cut2 = cut1 + placeholder.length;
  const coinb1 = bytesToHex(raw.subarray(0, cut1));
  const coinb2 = bytesToHex(raw.subarray(cut2));
  const merkleBranch = coinbaseMerkleBranch(template.transactions.map((t) => t.txid));
  const job: StratumJob = {
    jobId,
    prevHash: prevHashToStratum(template.prevHash),
    coinb1,
    coinb2,
    merkleBranch,
    version: u32ToHex(template.version),
    nbits: u32ToHex(template.bits),
    ntime: u32ToHex(template.time),
    cleanJobs,
  };
  return {
    ...job,
    template,
    notify: [jobId, job.prevHash, coinb1, coinb2, merkleBranch, job.version, job.nbits, job.ntime, cleanJobs],
  };
}

/**
 * The shares one job has taken, for refusing duplicates. A share is its block header: two submits that build
 * the same header are the same work however they spell it (hex case, ntime and nonce as numbers, version bits
 * absent or zero), so each share is remembered by the header's sha256d, 32 bytes kept as a 32-character
 * one-byte string: about 70 bytes a share with the Set's own slot (measured on Node 20). Nothing is forgotten
 * while the job lives; at `limit` the job takes no more, which bounds its memory to about limit × 70 bytes,
 * and it all goes with the job.
 */
export class JobShares {
  readonly limit: number;
  readonly #hashes = new Set<string>();

  constructor(limit: number) {
    this.limit = limit;
  }

  get size(): number {
    return this.#hashes.size;
  }

  get full(): boolean {
    return this.#hashes.size >= this.limit;
  }

  has(key: string): boolean {
    return this.#hashes.has(key);
  }

  /** Remembers a share by its shareKey; false (and nothing kept) when the job is full. */
  add(key: string): boolean {
    if (this.full) return false;
    this.#hashes.add(key);
    return true;
  }
}

/** The key JobShares remembers a share by: its header hash, one character a byte. */
export function shareKey(headerHash: Uint8Array): string {
  // One call makes a flat string; appending a character at a time makes a rope of 32 pieces (~700 bytes).
  return String.fromCharCode(...headerHash);
}
