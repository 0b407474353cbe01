// Why the network stopped trusting a server. Both classes extend StratumSdkError with codes of the closed union in
// runtime/errors.ts: a lie is a 'VALIDATION' failure of what the server said (the answer was well-formed but false),
// and a chain without the checkpoint is 'WRONG_CHAIN', as a wrong genesis hash is for the ElectrumClient.
import { StratumSdkError } from '../runtime/errors.js';

/** What a server was caught lying about. */
export type LieKind =
  /** A header that fails its proof of work, has bits above the network's limit, or does not link to the one before. */
  | 'header'
  /** A merkle proof that does not put the transaction in the block whose header the server itself gives. */
  | 'merkle'
  /** A raw transaction that does not hash to the txid asked for, or a broadcast answered with another txid. */
  | 'transaction'
  /** A script hash status that is not the status of the history the server returns. */
  | 'status'
  /** A history listing a confirmed transaction the server cannot prove to be in its block. */
  | 'history'
  /** A balance that is not the sum of the outputs of the history's transactions. */
  | 'balance'
  /** Unspent outputs that are not the unspent outputs of the history's transactions. */
  | 'unspent';

/** A server said something provably false; the network drops it and asks another. `code` is 'VALIDATION'. */
export class LyingServerError extends StratumSdkError {
  readonly url: string;
  readonly lie: LieKind;
  /** The request whose answer was false. */
  readonly method: string;
  constructor(url: string, lie: LieKind, method: string, message: string) {
    super('VALIDATION', `${url} lied (${lie}) in ${method}: ${message}`);
    this.url = url;
    this.lie = lie;
    this.method = method;
  }
}

/** A server follows a chain without the network's checkpoint (another coin, another test network). `code` is 'WRONG_CHAIN'. */
export class OtherChainError extends StratumSdkError {
  readonly url: string;
  readonly checkpoint: { readonly height: number; readonly hash: string };
  constructor(url: string, checkpoint: { readonly height: number; readonly hash: string }, message: string) {
    super('WRONG_CHAIN', `${url} follows another chain: ${message}`);
    this.url = url;
    this.checkpoint = { height: checkpoint.height, hash: checkpoint.hash };
  }
}
