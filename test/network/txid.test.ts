// The lean txid matches the full parser's on the chain's transactions (segwit and not), and refuses what is not one
// transaction exactly.
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bitcoin/bytes.js';
import { parseTransaction, serializeTransaction } from '../../src/bitcoin/tx.js';
import { rawHasTxid, rawTxid, txidOfRaw } from '../../src/network/txid.js';
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

  it('tells whether a raw transaction is the one a txid names, one after another from its reused buffer', () => {
    const chain = chainWith(101);
    const coinbase = chain.transaction(chain.block(1)!.txids[0]!)!;
    const segwit = spend([[coinbase.tx.txid, 0]], [[PAY_A, 1_000]]);
    const legacy = bytesToHex(serializeTransaction({ ...parseTransaction(segwit), inputs: parseTransaction(segwit).inputs.map((i) => ({ ...i, witness: [] })) }));
    // Larger than the reused buffer keeps: decoded apart, and the next one still right.
    const big = bytesToHex(serializeTransaction({ ...parseTransaction(legacy), outputs: [{ scriptPubKey: '6a'.padEnd(2 + 2 * 300_000, '00'), value: 0n }] }));
    for (const raw of [segwit, legacy, coinbase.raw, big, segwit, legacy]) {
      const txid = parseTransaction(raw).txid;
      expect(rawHasTxid(raw, txid)).toBe(true);
      expect(rawHasTxid(raw.toUpperCase(), txid.toUpperCase())).toBe(true);
      expect(rawTxid(raw)).toEqual(Uint8Array.from(Buffer.from(txid, 'hex')).reverse());
      expect(rawHasTxid(raw, `${txid.slice(0, 63)}${txid[63] === '0' ? '1' : '0'}`)).toBe(false);
      expect(rawHasTxid(raw, parseTransaction(raw === coinbase.raw ? segwit : coinbase.raw).txid)).toBe(false);
      // Another locktime: another transaction.
      expect(rawHasTxid(raw.slice(0, -2) + (raw.endsWith('00') ? '01' : '00'), txid)).toBe(false);
    }
    // The witness is not part of the txid: the segwit transaction and its witness-less copy share it.
    expect(rawHasTxid(legacy, parseTransaction(segwit).txid)).toBe(true);
    for (const junk of ['', 'zz', segwit.slice(0, -2), `${segwit}00`, '01000000']) expect(rawHasTxid(junk, parseTransaction(segwit).txid)).toBe(false);
  });
});
