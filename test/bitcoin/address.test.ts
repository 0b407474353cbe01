// Addresses to scriptPubKeys and back, against BIP350's and Bitcoin Core's vectors: every network, every
// standard type, bech32 versus bech32m enforced by witness version, and typed errors for everything else.
import { describe, expect, it } from 'vitest';
import {
  addressToScriptPubKey,
  BitcoinError,
  classifyScript,
  decodeAddress,
  scriptPubKeyToAddress,
  type Network,
} from '../../src/bitcoin.js';
import { BIP350_INVALID, BIP350_VALID, KEY_IO_VALID } from '../fixtures/bitcoin/address-vectors.js';
import { P2PKH_EXAMPLE, STATUS_EXAMPLE } from '../fixtures/bitcoin/electrum-docs.js';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BitcoinError);
    expect((e as BitcoinError).code).toBe('VALIDATION');
    return (e as BitcoinError).reason;
  }
  throw new Error('expected a BitcoinError');
}

const networkOfHrp = (address: string): Network => (address.toLowerCase().startsWith('tb1') ? 'testnet' : 'mainnet');

describe('BIP350 test vectors', () => {
  it.each(BIP350_VALID)('%s -> %s', (address, script) => {
    expect(addressToScriptPubKey(address, networkOfHrp(address))).toBe(script);
  });

  it.each(BIP350_INVALID)('%s is refused (%s)', (address, _why, reason) => {
    expect(reasonOf(() => decodeAddress(address))).toBe(reason);
  });

  it('round-trips the valid ones (lowercase) through scriptPubKeyToAddress', () => {
    for (const [address, script] of BIP350_VALID) {
      expect(scriptPubKeyToAddress(script, networkOfHrp(address))).toBe(address.toLowerCase());
    }
  });
});

describe("Bitcoin Core's key_io_valid.json", () => {
  it.each(KEY_IO_VALID)('%s -> %s on %s', (address, script, network) => {
    expect(addressToScriptPubKey(address, network)).toBe(script);
    expect(scriptPubKeyToAddress(script, network)).toBe(address);
  });

  it('accepts the same address on every network that shares its prefixes', () => {
    // testnet and signet share every prefix; regtest shares the base58 version bytes but not the HRP.
    expect(decodeAddress('mww4LvqtTMKvmeQvizPz2EQv26xTneWrbg').networks).toEqual(['testnet', 'signet', 'regtest']);
    expect(decodeAddress('tb1q3vya2h5435jkugq2few7dmktlrwq4ejmfaw7kr').networks).toEqual(['testnet', 'signet']);
    expect(decodeAddress('bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9').networks).toEqual(['regtest']);
  });
});

describe('types', () => {
  it('names every standard output type', () => {
    expect(decodeAddress(P2PKH_EXAMPLE.address).type).toBe('p2pkh');
    expect(decodeAddress('36j4NfKv6Akva9amjWrLG6MuSQym1GuEmm').type).toBe('p2sh');
    expect(decodeAddress(STATUS_EXAMPLE.address).type).toBe('p2wpkh');
    expect(decodeAddress('bc1qyucykdlhp62tezs0hagqury402qwhk589q80tqs5myh3rxq34nwqhkdhv7').type).toBe('p2wsh');
    expect(decodeAddress('bc1p83n3au0rjylefxq2nc2xh2y4jzz4pm6zxj4mw5pagdjjr2a9f36s6jjnnu').type).toBe('p2tr');
    expect(decodeAddress('bc1z2rksukkjr8')).toMatchObject({ type: 'witness-unknown', witnessVersion: 2 });
  });

  it('classifies scripts and refuses the ones without an address', () => {
    expect(classifyScript(P2PKH_EXAMPLE.script)?.type).toBe('p2pkh');
    expect(classifyScript('6a0401020304')).toBeNull(); // OP_RETURN
    expect(reasonOf(() => scriptPubKeyToAddress('6a0401020304', 'mainnet'))).toBe('bad-script');
  });

  it('decodes the genesis address of the Electrum docs', () => {
    expect(addressToScriptPubKey(P2PKH_EXAMPLE.address, 'mainnet')).toBe(P2PKH_EXAMPLE.script);
  });
});

describe('errors', () => {
  it('refuses an address for another network', () => {
    expect(reasonOf(() => addressToScriptPubKey(P2PKH_EXAMPLE.address, 'testnet'))).toBe('wrong-network');
    expect(reasonOf(() => addressToScriptPubKey(STATUS_EXAMPLE.address, 'mainnet'))).toBe('wrong-network');
    expect(reasonOf(() => addressToScriptPubKey('tb1qcrh3yqn4nlleplcez2yndq2ry8h9ncg3qh7n54', 'regtest'))).toBe(
      'wrong-network',
    );
  });

  it('refuses a base58 address with one character changed', () => {
    expect(reasonOf(() => decodeAddress('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb'))).toBe('bad-checksum');
  });

  it('refuses a bech32 address with one character changed', () => {
    expect(reasonOf(() => decodeAddress('bcrt1qn7d2x7272lznt5hhk9s07q3cqnrqljnwladrd4'))).toBe('bad-checksum');
  });

  it('refuses text that is no address, and non-strings, without a TypeError', () => {
    expect(reasonOf(() => decodeAddress('hello world'))).toBe('bad-encoding');
    expect(reasonOf(() => decodeAddress('0OIl'))).toBe('bad-encoding');
    expect(reasonOf(() => decodeAddress(42 as unknown as string))).toBe('bad-encoding');
    expect(reasonOf(() => decodeAddress(''))).toBe('bad-encoding');
    expect(reasonOf(() => decodeAddress('1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf'))).toBe('bad-length');
    expect(reasonOf(() => addressToScriptPubKey(P2PKH_EXAMPLE.address, 'moonnet' as Network))).toBe('bad-argument');
    expect(reasonOf(() => classifyScript('zz'))).toBe('bad-hex');
  });
});
