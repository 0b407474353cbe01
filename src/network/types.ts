// The public shapes of the ElectrumNetwork: options, events, verified history entries.
import type { Network } from '../bitcoin/networks.js';
import type { ElectrumClientOptions } from '../clients/electrum-types.js';
import type { ElectrumClientRequestName, ElectrumMethods, ElectrumServerNotifications } from '../generated/electrum/types.js';
import type { StratumSdkError } from '../runtime/errors.js';
import type { Connector } from '../runtime/transport.js';
import type { Checkpoint } from './checkpoints.js';
import type { ServerLimitError } from './errors.js';
import type { ChainTip } from './header-chain.js';
import type { HeaderStore } from './header-store.js';

export interface ElectrumNetworkOptions extends Omit<ElectrumClientOptions, 'connector' | 'reconnect'> {
  /** The servers to choose from, in order of preference (`tcp://`, `tls://`, `ws://`, `wss://` URLs). */
  readonly servers: readonly string[];
  /** How many servers to stay connected to (default 2). Requests go to one; every one's tip is followed. */
  readonly connections?: number | undefined;
  /** The chain: its genesis is the default checkpoint and genesis hash, its limit caps every header's target. Default 'mainnet'. */
  readonly network?: Network | undefined;
  /** Where the verified header chain starts (default the network's genesis). Take it from a source you trust, not a server. */
  readonly checkpoint?: Checkpoint | undefined;
  /** Where verified headers are kept (default in memory). */
  readonly headerStore?: HeaderStore | undefined;
  /**
   * Check what servers say (default true): transactions against their txid, merkle proofs against verified headers,
   * statuses against histories, balances and unspent outputs against the history's transactions. A server caught in
   * a lie is dropped and the request asked elsewhere. Headers are verified either way.
   */
  readonly verify?: boolean | undefined;
  /** Bring your own transport, per server URL (a SOCKS proxy, a test socket). */
  readonly connector?: ((url: string) => Connector) | undefined;
  /** Milliseconds before a server dropped for a timeout or a lost connection may be tried again (default 30 s). Liars and other chains never are. */
  readonly retryDelay?: number | undefined;
  /** Servers one request is tried on before its last error is thrown (default connections + 1, at least 3). */
  readonly maxAttempts?: number | undefined;
  /**
   * Ask each server for its peers (server.peers.subscribe) and add them to the candidates (default false). They
   * come after every server configured, which they never replace, and are verified like any other.
   */
  readonly discovery?: boolean | undefined;
  /** Calls in one JSON-RPC batch sent by `batch` (default 345, Fulcrum's max_batch; a bigger batch is split). */
  readonly maxBatch?: number | undefined;
  /** Most servers discovery adds (default 20: enough to fail over many times, few enough to bound what a server can push). */
  readonly maxDiscovered?: number | undefined;
}

/** A reorganisation of the verified chain. */
export interface NetworkReorg {
  /** How many blocks of the old chain were replaced. */
  readonly depth: number;
  /** The last block both chains share. */
  readonly ancestor: ChainTip;
  readonly oldTip: ChainTip;
  readonly newTip: ChainTip;
}

export interface ElectrumNetworkLifecycleEvents {
  /** The server requests now go to (the first one, and each change). */
  server: [url: string];
  /** A server announced by another (`from`) was added to the candidates (with `discovery`). */
  'server-discovered': [url: string, from: string];
  /** A server connected, negotiated and had its tip checked. */
  'server-connected': [url: string];
  /**
   * A server was dropped, and why: a LyingServerError (what it lied about), OtherChainError or WrongChainError (set
   * apart for good, with VersionMismatchError and TlsError), or a TimeoutError, ClosedError, ConnectError (tried
   * again after `retryDelay`).
   */
  'server-dropped': [url: string, error: StratumSdkError];
  /**
   * A script hash subscription ended because the server it moved to would not hold it (its subscription limit, or a
   * history too large for it): subscribe again later, or on a network of other servers.
   */
  'subscription-ended': [scripthash: string, error: ServerLimitError];
  /** A new verified tip (after an extension or a reorganisation). */
  header: [tip: ChainTip];
  /** The verified chain switched to a branch with more work; `header` follows with the new tip. */
  reorg: [reorg: NetworkReorg];
  /** The network is closed. */
  close: [];
}

/** Notifications keep the ElectrumClient's names: `blockchain.scripthash.subscribe` (script hash, status) and `blockchain.headers.subscribe`. */
export type ElectrumNetworkEvents = ElectrumNetworkLifecycleEvents &
  Pick<ElectrumServerNotifications, 'blockchain.scripthash.subscribe' | 'blockchain.headers.subscribe'>;

export type ElectrumNetworkRequestName = ElectrumClientRequestName & keyof ElectrumMethods;

/** The subscriptions the network keeps across servers (`subscribe`, `notifications`). */
export type ElectrumNetworkSubscriptionName = 'blockchain.scripthash.subscribe' | 'blockchain.headers.subscribe';

/** A history entry with what the network could prove of it. */
export interface VerifiedHistoryEntry {
  readonly tx_hash: string;
  /** As the server gave it: the block height, 0 or -1 in the mempool. */
  readonly height: number;
  readonly fee?: number;
  /** True only when its merkle proof put it in the verified header at `height`. */
  readonly confirmed: boolean;
  /** The verified block it is in, when confirmed. */
  readonly blockHash?: string;
}
