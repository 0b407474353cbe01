// The one error class of the Bitcoin toolkit. Every input is untrusted (it comes off the wire), so a malformed
// value is reported as a BitcoinError with a stable `reason`, never as a raw TypeError or RangeError.
import { StratumSdkError } from '../runtime/errors.js';

/** Why a value was refused. Stable strings: match on these, not on the message. */
export type BitcoinErrorReason =
  /** Not a hex string (odd length or a non-hex character). */
  | 'bad-hex'
  /** A value of the wrong size (a 31-byte hash, a 79-byte header, a 5-byte extranonce2 where 4 were negotiated). */
  | 'bad-length'
  /** An address that is neither valid base58 nor valid bech32 text (bad characters, mixed case, no separator). */
  | 'bad-encoding'
  /** A base58check or bech32/bech32m checksum that does not match, or the wrong checksum for the witness version. */
  | 'bad-checksum'
  /** A well-formed address for another network than the one asked for. */
  | 'wrong-network'
  /** A well-formed address whose prefix (version byte or HRP) belongs to no known network. */
  | 'unknown-prefix'
  /** A segwit address with an invalid witness version, program length or padding. */
  | 'bad-witness'
  /** A script that no address encodes. */
  | 'bad-script'
  /** A compact `nBits` that is negative, zero or overflows 256 bits, or a target out of range. */
  | 'bad-target'
  /** A difficulty that is not a finite number above zero. */
  | 'bad-difficulty'
  /** A transaction that cannot be parsed. */
  | 'bad-transaction'
  /** Any other argument out of range (an integer where a count is expected, an empty list, ...). */
  | 'bad-argument'
  /** A counter that has used up its space (an extranonce2 counter past its last value). */
  | 'exhausted';

/** A Bitcoin value was malformed or does not fit what was asked. `code` is always `VALIDATION`. */
export class BitcoinError extends StratumSdkError {
  override name = 'BitcoinError';
  declare readonly reason: BitcoinErrorReason;
  constructor(reason: BitcoinErrorReason, message: string, options?: { cause?: unknown }) {
    super('VALIDATION', message, options);
    this.reason = reason;
  }
}
