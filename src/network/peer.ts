// One server of the network: what the network knows of it, requests to it with its limits told apart, and the
// errors it is dropped or banned for.
import { parseTransaction } from '../bitcoin/tx.js';
import type { ElectrumClient } from '../clients/electrum-client.js';
import type { HeaderNotification, Status } from '../generated/definitions.js';
import type { ElectrumMethods } from '../generated/electrum/types.js';
import { ConnectError, ServerError, StratumSdkError } from '../runtime/errors.js';
import { NO_OPTIONS, type RequestOptions } from '../runtime/session.js';
import { LyingServerError, ServerLimitError, type LieKind } from './errors.js';
import type { ElectrumNetworkRequestName } from './types.js';


/** One server: its client and what the network knows of it. */
export interface Peer {
  readonly url: string;
  readonly client: ElectrumClient;
  readonly offs: (() => void)[];
  /** Connected, negotiated, its first tip followed. */
  ready: boolean;
  dropped: boolean;
  /** Its last tip announced, and whether that tip is on the chain followed. */
  tip: { height: number; hash: string } | undefined;
  announced: HeaderNotification | undefined;
  onChain: boolean;
  mempoolOrder: '1.6' | 'as-given';
  /** What it last said each subscribed script hash's status is (subscribe answers and notifications). */
  readonly statuses: Map<string, Status>;
}

/** A request to one server; a refusal for one of the server's limits becomes a ServerLimitError. */
export function ask<M extends ElectrumNetworkRequestName>(peer: Peer, method: M, params: ElectrumMethods[M]['params'], options: RequestOptions = NO_OPTIONS): Promise<ElectrumMethods[M]['result']> {
  return (peer.client.request(method as never, params as never, options) as Promise<ElectrumMethods[M]['result']>).catch((e: unknown) => {
    throw limitOf(peer.url, method, params as readonly unknown[], e) ?? e;
  });
}

/**
 * The server limit a server's error reply names, if any. Servers word them differently (janoside/btc-rpc-explorer#353):
 * ElectrumX "history too large" and "response too large (at least N bytes)", electrs and this SDK's servers "too many
 * subscriptions", mempool/electrs a subscription "limit"; aiorpcx's codes -101 and -102 for cost and load.
 */
export function limitOf(url: string, method: string, params: readonly unknown[], e: unknown): ServerLimitError | undefined {
  if (!(e instanceof ServerError)) return undefined;
  if (e.serverCode === -101 || e.serverCode === -102) return new ServerLimitError(url, 'cost', method, undefined, e.serverMessage, { cause: e });
  if (!method.startsWith('blockchain.scripthash.')) return undefined;
  const sh = typeof params[0] === 'string' ? params[0].toLowerCase() : undefined;
  if (/too large|too long|too many (tx|transactions)/i.test(e.serverMessage)) return new ServerLimitError(url, 'history', method, sh, e.serverMessage, { cause: e });
  if (method === 'blockchain.scripthash.subscribe' && /subscri|limit/i.test(e.serverMessage)) return new ServerLimitError(url, 'subscriptions', method, sh, e.serverMessage, { cause: e });
  return undefined;
}

/** Fulcrum above its max_history: an empty history its own status or balance contradicts. */
export function truncated(peer: Peer, method: string, sh: string, message: string): ServerLimitError {
  return new ServerLimitError(peer.url, 'history', method, sh, `${message}: it keeps the history to itself (as Fulcrum does above its max_history)`);
}

export function isPermanent(error: StratumSdkError): boolean {
  return error instanceof LyingServerError || error.code === 'WRONG_CHAIN' || error.code === 'VERSION_MISMATCH' || error.code === 'TLS';
}

export function asSdkError(e: unknown): StratumSdkError {
  return e instanceof StratumSdkError ? e : new ConnectError((e as Error)?.message ?? String(e), { cause: e });
}

export function lie(peer: Peer, kind: LieKind, method: string, message: string): never {
  throw new LyingServerError(peer.url, kind, method, message);
}

export function txidOf(raw: string): string | undefined {
  try {
    return parseTransaction(raw).txid;
  } catch {
    return undefined;
  }
}
