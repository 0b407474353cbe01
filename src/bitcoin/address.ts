// Addresses to scriptPubKeys and back: base58check (P2PKH, P2SH) and segwit (BIP173 bech32 for witness v0,
// BIP350 bech32m for v1 and later, so P2TR). The codecs come from @scure/base; this file only applies the
// Bitcoin rules on top (prefixes, witness versions, program lengths, which checksum goes with which version).
import { base58, bech32, bech32m, createBase58check } from '@scure/base';
import { bytesToHex, toBytes, type BytesLike } from './bytes.js';
import { BitcoinError } from './errors.js';
import { sha256 } from './hash.js';
import { NETWORK_NAMES, NETWORKS, type Network } from './networks.js';

const base58check = createBase58check(sha256);

/** BIP173: a segwit address is at most 90 characters. */
const MAX_BECH32_LENGTH = 90;

export type AddressType = 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr' | 'witness-unknown';

export interface DecodedAddress {
  readonly type: AddressType;
  /** The networks this encoding belongs to; testnet and signet share every prefix, so both are listed. */
  readonly networks: readonly Network[];
  /** 0 to 16 for segwit addresses, null for base58 ones. */
  readonly witnessVersion: number | null;
  /** The 20-byte hash of a P2PKH or P2SH address, or the witness program. */
  readonly program: Uint8Array;
  readonly scriptPubKey: Uint8Array;
}

/** Decodes an address of any known network and checks its checksum and structure. */
export function decodeAddress(address: string): DecodedAddress {
  if (typeof address !== 'string')
    throw new BitcoinError('bad-encoding', `address: expected a string, got ${typeof address}`);
  if (address.length === 0) throw new BitcoinError('bad-encoding', 'address: empty');
  return decodeSegwit(address) ?? decodeBase58(address);
}

/**
 * The scriptPubKey (hex) an address pays to. Throws a BitcoinError when the address is malformed, has a bad
 * checksum (including bech32 where bech32m is required and the reverse) or belongs to another network.
 */
export function addressToScriptPubKey(address: string, network: Network): string {
  const decoded = decodeAddress(address);
  if (!(NETWORKS as Record<string, unknown>)[network]) {
    throw new BitcoinError('bad-argument', `unknown network ${String(network)}`);
  }
  if (!decoded.networks.includes(network)) {
    throw new BitcoinError('wrong-network', `address is for ${decoded.networks.join('/')}, not ${network}`);
  }
  return bytesToHex(decoded.scriptPubKey);
}

export interface ScriptInfo {
  readonly type: AddressType;
  readonly witnessVersion: number | null;
  readonly program: Uint8Array;
}

/** Recognises the standard output scripts that have an address; null for anything else (P2PK, OP_RETURN, bare multisig...). */
export function classifyScript(script: BytesLike): ScriptInfo | null {
  const s = toBytes(script, 'scriptPubKey');
  if (s.length === 25 && s[0] === 0x76 && s[1] === 0xa9 && s[2] === 0x14 && s[23] === 0x88 && s[24] === 0xac) {
    return { type: 'p2pkh', witnessVersion: null, program: s.slice(3, 23) };
  }
  if (s.length === 23 && s[0] === 0xa9 && s[1] === 0x14 && s[22] === 0x87) {
    return { type: 'p2sh', witnessVersion: null, program: s.slice(2, 22) };
  }
  const op = s[0];
  const push = s[1];
  if (op === undefined || push === undefined || s.length !== push + 2 || push < 2 || push > 40) return null;
  const version = op === 0x00 ? 0 : op >= 0x51 && op <= 0x60 ? op - 0x50 : -1;
  if (version < 0) return null;
  const program = s.slice(2);
  return { type: witnessType(version, program.length), witnessVersion: version, program };
}

/** The address of a scriptPubKey on a network. Throws `bad-script` for scripts without an address. */
export function scriptPubKeyToAddress(script: BytesLike, network: Network): string {
  const params = NETWORKS[network];
  if (!params) throw new BitcoinError('bad-argument', `unknown network ${String(network)}`);
  const info = classifyScript(script);
  if (!info) throw new BitcoinError('bad-script', 'scriptPubKey: not a standard script with an address');
  if (info.witnessVersion === null) {
    const version = info.type === 'p2pkh' ? params.pubKeyHash : params.scriptHash;
    const payload = new Uint8Array(21);
    payload[0] = version;
    payload.set(info.program, 1);
    return base58check.encode(payload);
  }
  const coder = info.witnessVersion === 0 ? bech32 : bech32m;
  return coder.encode(params.bech32, [info.witnessVersion, ...coder.toWords(info.program)], MAX_BECH32_LENGTH);
}

function witnessType(version: number, length: number): AddressType {
  if (version === 0 && length === 20) return 'p2wpkh';
  if (version === 0 && length === 32) return 'p2wsh';
  if (version === 1 && length === 32) return 'p2tr';
  return 'witness-unknown';
}

function decodeSegwit(address: string): DecodedAddress | null {
  const lower = address.toLowerCase();
  const separator = lower.lastIndexOf('1');
  const hrp = separator > 0 ? lower.slice(0, separator) : '';
  const known = NETWORK_NAMES.filter((n) => NETWORKS[n].bech32 === hrp);
  const asBech32 = bech32.decodeUnsafe(lower, MAX_BECH32_LENGTH);
  const asBech32m = bech32m.decodeUnsafe(lower, MAX_BECH32_LENGTH);
  const decoded = asBech32 ?? asBech32m;
  if (!decoded) {
    // Not a valid bech32 string. Only report it as a broken segwit address when its prefix says it is one.
    if (known.length === 0) return null;
    if (address !== lower && address !== address.toUpperCase()) {
      throw new BitcoinError('bad-encoding', 'segwit address: mixed case');
    }
    if (lower.length > MAX_BECH32_LENGTH)
      throw new BitcoinError('bad-length', 'segwit address: longer than 90 characters');
    // Only to word the error: a character outside the bech32 alphabet, or a string too short for a checksum.
    if (!/^[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{6,}$/.test(lower.slice(separator + 1))) {
      throw new BitcoinError('bad-encoding', 'segwit address: invalid bech32 character or too short');
    }
    throw new BitcoinError('bad-checksum', 'segwit address: bad checksum');
  }
  if (address !== lower && address !== address.toUpperCase())
    throw new BitcoinError('bad-encoding', 'segwit address: mixed case');
  const [version, ...data] = decoded.words;
  if (version === undefined) throw new BitcoinError('bad-witness', 'segwit address: empty data part');
  if (version > 16) throw new BitcoinError('bad-witness', `segwit address: invalid witness version ${version}`);
  // BIP350: version 0 uses the bech32 checksum, versions 1 to 16 use bech32m. A string valid under one is never
  // valid under the other, so the checksum that matched tells which one was used.
  if (version === 0 && !asBech32) {
    throw new BitcoinError(
      'bad-checksum',
      'segwit address: witness v0 needs a bech32 checksum, this one is bech32m (BIP350)',
    );
  }
  if (version > 0 && !asBech32m) {
    throw new BitcoinError(
      'bad-checksum',
      `segwit address: witness v${version} needs a bech32m checksum, this one is bech32 (BIP350)`,
    );
  }
  const program = bech32.fromWordsUnsafe(data);
  if (!program) throw new BitcoinError('bad-witness', 'segwit address: invalid padding in the witness program');
  if (program.length < 2 || program.length > 40) {
    throw new BitcoinError(
      'bad-witness',
      `segwit address: witness program of ${program.length} bytes (2 to 40 allowed)`,
    );
  }
  if (version === 0 && program.length !== 20 && program.length !== 32) {
    throw new BitcoinError(
      'bad-witness',
      `segwit address: witness v0 program of ${program.length} bytes (20 or 32 allowed)`,
    );
  }
  if (known.length === 0)
    throw new BitcoinError('unknown-prefix', `segwit address: unknown human-readable part "${decoded.prefix}"`);
  const scriptPubKey = new Uint8Array(program.length + 2);
  scriptPubKey[0] = version === 0 ? 0 : 0x50 + version;
  scriptPubKey[1] = program.length;
  scriptPubKey.set(program, 2);
  return {
    type: witnessType(version, program.length),
    networks: known,
    witnessVersion: version,
    program,
    scriptPubKey,
  };
}

function decodeBase58(address: string): DecodedAddress {
  let raw: Uint8Array;
  try {
    raw = base58.decode(address);
  } catch (cause) {
    throw new BitcoinError('bad-encoding', 'address: neither a valid base58 nor a valid bech32 address', { cause });
  }
  // Version byte, 20-byte hash, 4-byte checksum.
  if (raw.length !== 25) throw new BitcoinError('bad-length', `base58 address: ${raw.length} bytes (25 expected)`);
  let payload: Uint8Array;
  try {
    payload = base58check.decode(address);
  } catch (cause) {
    throw new BitcoinError('bad-checksum', 'base58 address: bad checksum', { cause });
  }
  const version = payload[0]!;
  const program = payload.slice(1);
  const p2pkh = NETWORK_NAMES.filter((n) => NETWORKS[n].pubKeyHash === version);
  const p2sh = NETWORK_NAMES.filter((n) => NETWORKS[n].scriptHash === version);
  if (p2pkh.length > 0) {
    const scriptPubKey = new Uint8Array(25);
    scriptPubKey.set([0x76, 0xa9, 0x14], 0);
    scriptPubKey.set(program, 3);
    scriptPubKey.set([0x88, 0xac], 23);
    return { type: 'p2pkh', networks: p2pkh, witnessVersion: null, program, scriptPubKey };
  }
  if (p2sh.length > 0) {
    const scriptPubKey = new Uint8Array(23);
    scriptPubKey.set([0xa9, 0x14], 0);
    scriptPubKey.set(program, 2);
    scriptPubKey[22] = 0x87;
    return { type: 'p2sh', networks: p2sh, witnessVersion: null, program, scriptPubKey };
  }
  throw new BitcoinError(
    'unknown-prefix',
    `base58 address: unknown version byte 0x${version.toString(16).padStart(2, '0')}`,
  );
}
