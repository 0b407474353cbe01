// Transaction ids from raw hex: what a wallet checks before trusting blockchain.transaction.get.
import { describe, expect, it } from 'vitest';
import {
  addressToScriptPubKey,
  BitcoinError,
  parseTransaction,
  scriptPubKeyToAddress,
  transactionId,
} from '../../src/bitcoin.js';
import { BLOCK_100000 } from '../fixtures/bitcoin/mainnet-headers.js';
import { STATUS_EXAMPLE, TRANSACTION_GET_EXAMPLE } from '../fixtures/bitcoin/electrum-docs.js';

describe('txid', () => {
  it('gives the hashes the status example asked for (segwit transactions)', () => {
    STATUS_EXAMPLE.rawTransactions.forEach((raw, i) => {
      const tx = parseTransaction(raw);
      expect(tx.hasWitness).toBe(true);
      expect(tx.txid).toBe(STATUS_EXAMPLE.history[i]!.tx_hash);
      expect(tx.wtxid).not.toBe(tx.txid);
    });
  });

  it('finds the example address among the outputs of every transaction it funded', () => {
    const script = addressToScriptPubKey(STATUS_EXAMPLE.address, 'regtest');
    for (const raw of STATUS_EXAMPLE.rawTransactions) {
      expect(parseTransaction(raw).outputs.some((o) => o.scriptPubKey === script)).toBe(true);
    }
  });

  it('parses the legacy transaction of the blockchain.transaction.get example', () => {
    const tx = parseTransaction(TRANSACTION_GET_EXAMPLE.hex);
    expect(tx.txid).toBe(TRANSACTION_GET_EXAMPLE.txid);
    expect(tx.hasWitness).toBe(false);
    expect(tx.locktime).toBe(TRANSACTION_GET_EXAMPLE.locktime);
    expect(
      tx.outputs.map((o) => ({
        value: o.value,
        scriptPubKey: o.scriptPubKey,
        address: scriptPubKeyToAddress(o.scriptPubKey, 'mainnet'),
      })),
    ).toEqual(TRANSACTION_GET_EXAMPLE.outputs);
  });

  it('gives the coinbase txid of block 100000', () => {
    expect(transactionId(BLOCK_100000.coinbase)).toBe(BLOCK_100000.txids[0]);
  });

  it('refuses truncated, padded and non-hex input', () => {
    const raw = TRANSACTION_GET_EXAMPLE.hex;
    for (const bad of [raw.slice(0, -2), `${raw}00`, raw.slice(0, 20), '']) {
      expect(() => parseTransaction(bad)).toThrow(BitcoinError);
      try {
        parseTransaction(bad);
      } catch (e) {
        expect((e as BitcoinError).reason).toBe('bad-transaction');
      }
    }
    expect(() => parseTransaction('0g')).toThrow(/not a hex string/);
  });
});
