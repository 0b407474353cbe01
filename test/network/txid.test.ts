// The lean txid matches the full parser's on the chain's transactions (segwit and not), and refuses what is not one
// transaction exactly.
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bitcoin/bytes.js';
import { parseTransaction, serializeTransaction } from '../../src/bitcoin/tx.js';
import { txidOfRaw } from '../../src/network/txid.js';
import { chainWith, PAY_A, spend } from './helpers.js';

describe('txidOfRaw', () => {
  it("gives the full parser's txid, and undefined for anything else", () => {
    const chain = chainWith(101);
    const coinbase = chain.transaction(chain.block(1)!.txids[0]!)!;
    const segwit = spend([[coinbase.tx.txid, 0]], [[PAY_A, 1_000]]);
    const legacy = bytesToHex(serializeTransaction({ ...parseTransaction(segwit), inputs: parseTransaction(segwit).inputs.map((i) => ({ ...i, witness: [] })) }));
    for (const raw of [coinbase.raw, segwit, legacy]) expect([raw.slice(0, 24), txidOfRaw(raw)]).toEqual([raw.slice(0, 24), parseTransaction(raw).txid]);
    expect(legacy.length).toBeLessThan(segwit.length);
    for (const junk of ['', 'zz', segwit.slice(0, -2), `${segwit}00`, '01000000', '0100000000000000000000']) expect(txidOfRaw(junk)).toBeUndefined();
  });
});
