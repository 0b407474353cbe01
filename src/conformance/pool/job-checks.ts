// The first mining.notify, beyond its schema: that its fields fit together. prevhash and every branch entry
// are 32 bytes, version, nbits and ntime 4, nbits a valid compact target, and coinb1 ‖ extranonce1 ‖
// extranonce2 ‖ coinb2 a coinbase transaction that parses, with the extranonces inside its scriptSig, for
// any extranonce2 of the subscribed size.
import { bytesToHex, hexToBytes, u32FromHex } from '../../bitcoin/bytes.js';
import { BitcoinError } from '../../bitcoin/errors.js';
import { parseNotify, type StratumJob } from '../../bitcoin/job.js';
import { decodeBits } from '../../bitcoin/target.js';
import { isCoinbase, parseTransaction } from '../../bitcoin/tx.js';

/** A block's coinbase scriptSig is 2 to 100 bytes (consensus rule bad-cb-length). */
const SCRIPT_SIG_MIN = 2;
const SCRIPT_SIG_MAX = 100;
/** A branch of 32 entries covers 2^32 transactions, far past any block. */
const MAX_BRANCH = 32;

export type JobCheck = { readonly ok: true; readonly job: StratumJob; readonly notes: string[] } | { readonly ok: false; readonly why: string };

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export function checkJob(params: readonly unknown[], extranonce1: string, extranonce2Size: number): JobCheck {
  const [jobId, prevHash, coinb1, coinb2, branch, version, nbits, ntime, clean] = params;
  const bad = (why: string): JobCheck => ({ ok: false, why });
  if (params.length !== 9) return bad(`${params.length} params, not 9`);
  if (typeof jobId !== 'string' || jobId === '') return bad('job_id is not a non-empty string');
  if (!hexOf(prevHash, 32)) return bad(`prevhash is not 32 bytes of hex: ${short(prevHash)}`);
  if (typeof coinb1 !== 'string' || !HEX.test(coinb1)) return bad('coinb1 is not hex');
  if (typeof coinb2 !== 'string' || !HEX.test(coinb2)) return bad('coinb2 is not hex');
  if (!Array.isArray(branch)) return bad('merkle_branch is not a list');
  if (branch.length > MAX_BRANCH) return bad(`merkle_branch has ${branch.length} entries (at most ${MAX_BRANCH} for any block)`);
  const wrong = branch.findIndex((b) => !hexOf(b, 32));
  if (wrong >= 0) return bad(`merkle_branch[${wrong}] is not 32 bytes of hex: ${short(branch[wrong])}`);
  for (const [name, value] of [['version', version], ['nbits', nbits], ['ntime', ntime]] as const) {
    if (!hexOf(value, 4)) return bad(`${name} is not 4 bytes of hex: ${short(value)}`);
  }
  if (typeof clean !== 'boolean') return bad('clean_jobs is not a boolean');
  const decoded = decodeBits(u32FromHex(nbits as string));
  if (decoded.negative || decoded.overflow || decoded.target === 0n) return bad(`nbits ${String(nbits)} is not a valid compact target`);
  if (!HEX.test(extranonce1)) return bad(`the subscription's extranonce1 ${short(extranonce1)} is not hex`);

  let job: StratumJob;
  try {
    job = parseNotify(params);
  } catch (e) {
    return bad(e instanceof BitcoinError ? e.message : String(e));
  }
  // Two different extranonce2 values: the coinbase must parse with either, the extranonces inside its scriptSig.
  for (const fill of ['00', 'a5']) {
    const extranonce2 = fill.repeat(extranonce2Size);
    const placed = `${extranonce1}${extranonce2}`.toLowerCase();
    const raw = `${coinb1}${extranonce1}${extranonce2}${coinb2}`;
    let tx;
    try {
      tx = parseTransaction(raw);
    } catch (e) {
      return bad(`coinb1 ‖ extranonce1 ‖ extranonce2 (${extranonce2Size} bytes) ‖ coinb2 does not parse as a transaction: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!isCoinbase(tx)) return bad('the transaction coinb1 and coinb2 make is not a coinbase (one input spending nothing)');
    const scriptSig = tx.inputs[0]?.scriptSig ?? '';
    const size = scriptSig.length / 2;
    if (size < SCRIPT_SIG_MIN || size > SCRIPT_SIG_MAX) return bad(`the coinbase scriptSig is ${size} bytes (consensus allows ${SCRIPT_SIG_MIN} to ${SCRIPT_SIG_MAX})`);
    if (!scriptSig.toLowerCase().includes(placed)) return bad('extranonce1 ‖ extranonce2 do not fall inside the coinbase scriptSig: coinb1 and coinb2 do not fit the subscription\'s extranonce sizes');
    if (tx.outputs.length === 0) return bad('the coinbase has no outputs');
  }
  const notes = [`${branch.length}-entry branch`, `coinbase ${(coinb1.length + coinb2.length) / 2 + extranonce1.length / 2 + extranonce2Size} bytes parses`];
  return { ok: true, job, notes };
}

function hexOf(value: unknown, bytes: number): boolean {
  if (typeof value !== 'string' || value.length !== bytes * 2 || !HEX.test(value)) return false;
  return bytesToHex(hexToBytes(value)).length === bytes * 2;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 70 ? `${text.slice(0, 69)}…` : text;
}
