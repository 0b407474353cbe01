// Electrum script hashes and status hashes, against the worked examples of the protocol docs.
import { describe, expect, it } from 'vitest';
import {
  addressToScriptHash,
  BitcoinError,
  bytesToHex,
  electrumStatus,
  hexToBytes,
  orderHistory,
  scriptHash,
  sha256,
} from '../../src/bitcoin.js';
import { P2PK_EXAMPLE, P2PKH_EXAMPLE, STATUS_EXAMPLE } from '../fixtures/bitcoin/electrum-docs.js';

describe('script hash', () => {
  it('is the byte-reversed sha256 of the P2PKH script in the docs', () => {
    expect(bytesToHex(sha256(hexToBytes(P2PKH_EXAMPLE.script)))).toBe(P2PKH_EXAMPLE.sha256);
    expect(scriptHash(P2PKH_EXAMPLE.script)).toBe(P2PKH_EXAMPLE.scriptHash);
    expect(addressToScriptHash(P2PKH_EXAMPLE.address, 'mainnet')).toBe(P2PKH_EXAMPLE.scriptHash);
  });

  it('matches the P2PK example', () => {
    expect(scriptHash(P2PK_EXAMPLE.script)).toBe(P2PK_EXAMPLE.scriptHash);
  });

  it('matches the regtest P2WPKH address of the status example', () => {
    expect(addressToScriptHash(STATUS_EXAMPLE.address, 'regtest')).toBe(STATUS_EXAMPLE.scriptHash);
  });

  it('refuses malformed scripts with a BitcoinError', () => {
    expect(() => scriptHash('abc')).toThrow(BitcoinError);
    expect(() => addressToScriptHash(STATUS_EXAMPLE.address, 'mainnet')).toThrow(/not mainnet/);
  });
});

describe('status', () => {
  it('reproduces the status of the worked example', () => {
    expect(electrumStatus(STATUS_EXAMPLE.history)).toBe(STATUS_EXAMPLE.status);
  });

  it('puts mempool entries in the 1.6 order whatever order they come in', () => {
    const [a, b, c, m0a, m0b, m1] = STATUS_EXAMPLE.history;
    const shuffled = [m1!, a!, m0b!, b!, c!, m0a!];
    expect(electrumStatus(shuffled)).toBe(STATUS_EXAMPLE.status);
    expect(orderHistory(shuffled).map((h) => h.tx_hash)).toEqual(STATUS_EXAMPLE.history.map((h) => h.tx_hash));
  });

  it('keeps the server order within a block, which only the server knows', () => {
    const [a, b, c, ...mempool] = STATUS_EXAMPLE.history;
    expect(electrumStatus([a!, c!, b!, ...mempool])).not.toBe(STATUS_EXAMPLE.status);
  });

  it("uses the caller's mempool order for pre-1.6 servers", () => {
    const [a, b, c, m0a, m0b, m1] = STATUS_EXAMPLE.history;
    expect(electrumStatus([a!, b!, c!, m0a!, m0b!, m1!], { mempoolOrder: 'as-given' })).toBe(STATUS_EXAMPLE.status);
    expect(electrumStatus([a!, b!, c!, m0b!, m0a!, m1!], { mempoolOrder: 'as-given' })).not.toBe(STATUS_EXAMPLE.status);
  });

  it('is null for an empty history, and tolerant of uppercase txids', () => {
    expect(electrumStatus([])).toBeNull();
    const upper = STATUS_EXAMPLE.history.map((h) => ({ ...h, tx_hash: h.tx_hash.toUpperCase() }));
    expect(electrumStatus(upper)).toBe(STATUS_EXAMPLE.status);
  });

  it('refuses malformed entries', () => {
    expect(() => electrumStatus([{ tx_hash: 'xyz', height: 1 }])).toThrow(BitcoinError);
    expect(() => electrumStatus([{ tx_hash: STATUS_EXAMPLE.history[0]!.tx_hash, height: -2 }])).toThrow(BitcoinError);
    expect(() => electrumStatus([{ tx_hash: STATUS_EXAMPLE.history[0]!.tx_hash, height: 1.5 }])).toThrow(BitcoinError);
    expect(() => electrumStatus(null as unknown as [])).toThrow(BitcoinError);
  });
});
