// Why the network stopped trusting a server, or could not get an answer from it. The classes extend StratumSdkError
// with codes of the closed union in runtime/errors.ts: a lie is 'LIE' (the answer was well-formed but false: not a
// 'VALIDATION' failure, which is an answer that breaks the spec), a chain without the checkpoint is 'WRONG_CHAIN', as
// a wrong genesis hash is for the ElectrumClient, and an answer refused or cut short by a server's own limit is
// 'SERVER_LIMIT'.
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

/** A server said something provably false; the network drops it for good and asks another. `code` is 'LIE'. */
export class LyingServerError extends StratumSdkError {
  override name = 'LyingServerError';
  declare readonly url: string;
  declare readonly lie: LieKind;
  /** The request whose answer was false. */
  declare readonly method: string;
  constructor(url: string, lie: LieKind, method: string, message: string) {
    super('LIE', `${url} lied (${lie}) in ${method}: ${message}`);
    this.url = url;
    this.lie = lie;
    this.method = method;
  }
}

/** A server follows a chain without the network's checkpoint (another coin, another test network). `code` is 'WRONG_CHAIN'. */
export class OtherChainError extends StratumSdkError {
  override name = 'OtherChainError';
  declare readonly url: string;
  declare readonly checkpoint: { readonly height: number; readonly hash: string };
  constructor(url: string, checkpoint: { readonly height: number; readonly hash: string }, message: string) {
    super('WRONG_CHAIN', `${url} follows another chain: ${message}`);
    this.url = url;
    this.checkpoint = { height: checkpoint.height, hash: checkpoint.hash };
  }
}

/**
 * Which limit of a server stood in the way:
 * - `history`: a script hash's history the server will not send (ElectrumX's "history too large", over MAX_SEND) or
 *   silently sends empty (Fulcrum above max_history, contradicted by its status or balance);
 * - `subscriptions`: the server holds no more subscriptions for this connection;
 * - `cost`: the server refuses work for this connection's cost or its load (ElectrumX/aiorpcx -101
 *   EXCESSIVE_RESOURCE_USAGE, -102 SERVER_BUSY).
 */
export type ServerLimitKind = 'history' | 'subscriptions' | 'cost';

/**
 * A server would not answer in full for one of its limits. `history` and `subscriptions` are thrown to the caller (the
 * server is not dropped: its answers for other script hashes are fine); `cost` drops the server until `retryDelay`
 * has passed and the request is asked elsewhere. `code` is 'SERVER_LIMIT'.
 */
export class ServerLimitError extends StratumSdkError {
  override name = 'ServerLimitError';
  declare readonly url: string;
  declare readonly limit: ServerLimitKind;
  declare readonly method: string;
  /** The script hash whose history or subscription was refused. */
  declare readonly scripthash: string | undefined;
  constructor(url: string, limit: ServerLimitKind, method: string, scripthash: string | undefined, message: string, options?: { cause?: unknown }) {
    super('SERVER_LIMIT', `${url} (${limit} limit) in ${method}${scripthash === undefined ? '' : ` for ${scripthash}`}: ${message}`, options);
    this.url = url;
    this.limit = limit;
    this.method = method;
    this.scripthash = scripthash;
  }
}
