// The address encodings of each Bitcoin network (Bitcoin Core's chainparams). testnet (3 and 4) and signet share
// every prefix, so an address alone cannot tell them apart; regtest shares the base58 version bytes with them but
// has its own bech32 HRP.

/** The networks the toolkit knows. `testnet` covers testnet3 and testnet4, which encode addresses identically. */
export type Network = 'mainnet' | 'testnet' | 'signet' | 'regtest';

export interface NetworkParams {
  readonly name: Network;
  /** Human-readable part of segwit addresses (BIP173). */
  readonly bech32: string;
  /** Base58 version byte of P2PKH addresses. */
  readonly pubKeyHash: number;
  /** Base58 version byte of P2SH addresses. */
  readonly scriptHash: number;
}

export const NETWORKS: Readonly<Record<Network, NetworkParams>> = {
  mainnet: { name: 'mainnet', bech32: 'bc', pubKeyHash: 0x00, scriptHash: 0x05 },
  testnet: { name: 'testnet', bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4 },
  signet: { name: 'signet', bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4 },
  regtest: { name: 'regtest', bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4 },
};

export const NETWORK_NAMES: readonly Network[] = ['mainnet', 'testnet', 'signet', 'regtest'];
