// Enough transaction parsing to check what an Electrum server returns: blockchain.transaction.get gives raw hex,
// and its txid (sha256d of the serialization without witness data, BIP144) must be the hash that was asked for.
import { bytesToHex, concatBytes, hashFromHex, hashToHex, hexToBytes, readU32LE, toBytes, writeU32LE, type BytesLike } from './bytes.js';
import { BitcoinError } from './errors.js';
import { sha256d } from './hash.js';

export interface TxInput {
  /** The spent output's txid, display hex (all zeros for a coinbase). */
  readonly txid: string;
  readonly vout: number;
  readonly scriptSig: string;
  readonly sequence: number;
  /** Witness stack items, hex; empty without witness data. */
  readonly witness: readonly string[];
}

export interface TxOutput {
  /** Satoshis. */
  readonly value: bigint;
  readonly scriptPubKey: string;
}

export interface Transaction {
  readonly version: number;
  readonly inputs: readonly TxInput[];
  readonly outputs: readonly TxOutput[];
  readonly locktime: number;
  /** Display hex. */
  readonly txid: string;
  /** Display hex; equals txid without witness data. */
  readonly wtxid: string;
  readonly hasWitness: boolean;
  /** Serialized size in bytes, witness included. */
  readonly size: number;
  /** BIP141 weight: the size without witness data times 3, plus the full size. */
  readonly weight: number;
  /** Virtual size: weight / 4, rounded up (what fee rates are per). */
  readonly vsize: number;
}

/** The fields of a transaction, without what is derived from them: what serializeTransaction takes. */
export type TransactionData = Pick<Transaction, 'version' | 'inputs' | 'outputs' | 'locktime'>;

/** Parses a raw transaction (legacy or BIP144 segwit serialization). Throws `bad-transaction` on malformed input. */
export function parseTransaction(raw: BytesLike): Transaction {
  const bytes = toBytes(raw, 'transaction');
  const r = new Reader(bytes);
  const version = r.u32();
  let hasWitness = false;
  if (bytes[4] === 0x00 && bytes.length > 5 && bytes[5] !== 0x00) {
    if (bytes[5] !== 0x01) throw fail(`unknown segwit flag 0x${bytes[5]!.toString(16)}`);
    hasWitness = true;
    r.skip(2);
  }
  const bodyStart = r.offset;
  const inputCount = r.count();
  const inputs: { txid: string; vout: number; scriptSig: string; sequence: number; witness: string[] }[] = [];
  for (let i = 0; i < inputCount; i++) {
    const txid = hashToHex(r.take(32));
    const vout = r.u32();
    const scriptSig = bytesToHex(r.take(r.count()));
    inputs.push({ txid, vout, scriptSig, sequence: r.u32(), witness: [] });
  }
  const outputCount = r.count();
  const outputs: TxOutput[] = [];
  for (let i = 0; i < outputCount; i++) {
    const value = r.u64();
    outputs.push({ value, scriptPubKey: bytesToHex(r.take(r.count())) });
  }
  const bodyEnd = r.offset;
  if (hasWitness) {
    for (const input of inputs) {
      const items = r.count();
      for (let j = 0; j < items; j++) input.witness.push(bytesToHex(r.take(r.count())));
    }
  }
  const locktime = r.u32();
  if (r.offset !== bytes.length) throw fail(`${bytes.length - r.offset} bytes after the locktime`);
  const stripped = hasWitness
    ? concatBytes(bytes.subarray(0, 4), bytes.subarray(bodyStart, bodyEnd), bytes.subarray(bytes.length - 4))
    : bytes;
  const txid = hashToHex(sha256d(stripped));
  const weight = stripped.length * 3 + bytes.length;
  return {
    version,
    inputs,
    outputs,
    locktime,
    txid,
    wtxid: hasWitness ? hashToHex(sha256d(bytes)) : txid,
    hasWitness,
    size: bytes.length,
    weight,
    vsize: Math.ceil(weight / 4),
  };
}

/** Serializes a transaction, with witness data (BIP144) when any input has some. */
export function serializeTransaction(tx: TransactionData): Uint8Array {
  const segwit = tx.inputs.some((i) => i.witness.length > 0);
  const parts: Uint8Array[] = [u32(tx.version)];
  if (segwit) parts.push(Uint8Array.of(0, 1));
  parts.push(compactSize(tx.inputs.length));
  for (const i of tx.inputs) parts.push(hashFromHex(i.txid, 'input txid'), u32(i.vout), withLength(i.scriptSig, 'scriptSig'), u32(i.sequence));
  parts.push(compactSize(tx.outputs.length));
  for (const o of tx.outputs) {
    if (o.value < 0n || o.value > 0xffffffffffffffffn) throw new BitcoinError('bad-argument', `output value out of range: ${o.value}`);
    const value = new Uint8Array(8);
    writeU32LE(value, 0, Number(o.value & 0xffffffffn));
    writeU32LE(value, 4, Number(o.value >> 32n));
    parts.push(value, withLength(o.scriptPubKey, 'scriptPubKey'));
  }
  if (segwit) for (const i of tx.inputs) parts.push(compactSize(i.witness.length), ...i.witness.map((w) => withLength(w, 'witness item')));
  parts.push(u32(tx.locktime));
  return concatBytes(...parts);
}

/** A coinbase spends nothing: one input with the null outpoint. */
export function isCoinbase(tx: Pick<Transaction, 'inputs'>): boolean {
  return tx.inputs.length === 1 && tx.inputs[0]!.vout === 0xffffffff && /^0{64}$/.test(tx.inputs[0]!.txid);
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  writeU32LE(out, 0, n);
  return out;
}

function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  const out = new Uint8Array(5);
  out[0] = 0xfe;
  writeU32LE(out, 1, n);
  return out;
}

function withLength(hexText: string, what: string): Uint8Array {
  const bytes = hexToBytes(hexText, what);
  return concatBytes(compactSize(bytes.length), bytes);
}

/** The txid (display hex) of a raw transaction. */
export function transactionId(raw: BytesLike): string {
  return parseTransaction(raw).txid;
}

class Reader {
  offset = 0;
  readonly #bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  take(n: number): Uint8Array {
    if (this.offset + n > this.#bytes.length) throw fail(`truncated at byte ${this.offset}`);
    const out = this.#bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  skip(n: number): void {
    this.take(n);
  }

  u32(): number {
    return readU32LE(this.take(4), 0);
  }

  u64(): bigint {
    const b = this.take(8);
    return BigInt(readU32LE(b, 0)) | (BigInt(readU32LE(b, 4)) << 32n);
  }

  /** A CompactSize count, refused when it could not possibly fit in the bytes left. */
  count(): number {
    const first = this.take(1)[0]!;
    let n: number;
    if (first < 0xfd) n = first;
    else if (first === 0xfd) n = this.take(1)[0]! | (this.take(1)[0]! << 8);
    else if (first === 0xfe) n = this.u32();
    else {
      const big = this.u64();
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw fail('count too large');
      n = Number(big);
    }
    if (n > this.#bytes.length - this.offset) throw fail(`count ${n} larger than the bytes left`);
    return n;
  }
}

function fail(message: string): BitcoinError {
  return new BitcoinError('bad-transaction', `transaction: ${message}`);
}
