// Electrum script hashes: sha256 of the raw scriptPubKey, shown byte-reversed like a txid (protocol-basics.rst,
// "Script Hashes"). Protocol 1.7's blockchain.scriptpubkey.* methods take the scriptPubKey itself.
import { hashToHex, toBytes, type BytesLike } from './bytes.js';
import { addressToScriptPubKey } from './address.js';
import { sha256 } from './hash.js';
import type { Network } from './networks.js';

/** The Electrum script hash (hex, as sent to `blockchain.scripthash.*`) of a scriptPubKey given as hex or bytes. */
export function scriptHash(scriptPubKey: BytesLike): string {
  return hashToHex(sha256(toBytes(scriptPubKey, 'scriptPubKey')));
}

/** The Electrum script hash of an address; throws a BitcoinError for a malformed or wrong-network address. */
export function addressToScriptHash(address: string, network: Network): string {
  return scriptHash(addressToScriptPubKey(address, network));
}
