// Trust no single server: connections to several Electrum servers, the most-work header chain followed across them
// and verified header by header from a checkpoint, wallet data checked against it, and any server caught in a lie,
// timing out or gone replaced by the next, with requests retried and subscriptions moved so that no status change is
// missed or told twice. Electrum's own network.py and interface.py do the same for the reference wallet.
//
// Platform-free: it talks to servers only through ElectrumClient's public API.
import { blockHash, parseHeader, splitHeaders } from '../bitcoin/header.js';
import { bytesToHex } from '../bitcoin/bytes.js';
import type { Network } from '../bitcoin/networks.js';
import { electrumStatus } from '../bitcoin/status.js';
import { parseTransaction, type Transaction } from '../bitcoin/tx.js';
import { ElectrumClient } from '../clients/electrum-client.js';
import { bindElectrumClientApi, type ElectrumClientApi } from '../generated/electrum/client-api.js';
import type { HeaderNotification, Status } from '../generated/definitions.js';
import type { ElectrumMethods } from '../generated/electrum/types.js';
import { asyncDispose } from '../runtime/dispose.js';
import { Emitter } from '../runtime/emitter.js';
import { AbortedError, ClosedError, ConnectError, ServerError, StratumSdkError, TimeoutError, ValidationError } from '../runtime/errors.js';
import { DEFAULT_NOTIFICATION_BUFFER, type BatchItemResult, type ElectrumBatchCall, type ElectrumBatchResults, type ElectrumDefaultVersions, type ElectrumNotificationIn, type ElectrumParamsIn, type ElectrumSubscription, type IterateOptions } from '../clients/electrum-types.js';
import { Channel } from '../runtime/channel.js';
import type { RequestOptions } from '../runtime/session.js';
import { compareVersions } from '../runtime/versions.js';
import { GENESIS, TESTNET4_GENESIS, type Checkpoint } from './checkpoints.js';
import { LyingServerError, OtherChainError, ServerLimitError, type LieKind } from './errors.js';
import { ChainProblem, HeaderChain, SerialQueue, type ChainTip, type FollowResult, type HeaderSource } from './header-chain.js';
import { MemoryHeaderStore } from './header-store.js';
import { ProvenNodes } from './proven-nodes.js';
import { txidOfRaw } from './txid.js';
import type { ElectrumNetworkEvents, ElectrumNetworkOptions, ElectrumNetworkRequestName, ElectrumNetworkSubscriptionName, VerifiedHistoryEntry } from './types.js';
import { DEFAULT_MAX_DISCOVERED, peerUrls } from './discovery.js';
import { deriveWalletData, sameUnspent } from './wallet-data.js';

export const DEFAULT_CONNECTIONS = 2;
export const DEFAULT_RETRY_DELAY = 30_000;
/** Calls in one JSON-RPC batch: Fulcrum's max_batch, the smallest cap of the common servers (ElectrumX has none). */
export const DEFAULT_MAX_BATCH = 345;
const DEFAULT_TIMEOUT = 30_000;
/** Raw transactions kept once checked against their txid (they never change). */
const TRANSACTION_CACHE = 2_000;
/** Merkle proofs kept once checked, by txid: the block they put it in. */
const PROOF_CACHE = 20_000;
const NO_OPTIONS: RequestOptions = Object.freeze({});

/** One server: its client and what the network knows of it. */
interface Peer {
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

interface Subscription {
  /** The last status delivered (or answered); undefined before the first. */
  delivered: Status | undefined;
  readonly queue: SerialQueue;
}

interface Waiter {
  resolve(peer: Peer): void;
  reject(error: StratumSdkError): void;
}

type History = ElectrumMethods['blockchain.scripthash.get_history']['result'];
type MerkleProofResult = ElectrumMethods['blockchain.transaction.get_merkle']['result'];
type Balance = ElectrumMethods['blockchain.scripthash.get_balance']['result'];
type Unspent = ElectrumMethods['blockchain.scripthash.listunspent']['result'];
/** Handled by the network itself, never sent in a batch. */
const SUBSCRIPTION_METHODS: ReadonlySet<string> = new Set(['blockchain.headers.subscribe', 'blockchain.scripthash.subscribe', 'blockchain.scripthash.unsubscribe']);

interface CheckedHistory {
  readonly history: History;
  readonly entries: VerifiedHistoryEntry[];
  readonly status: Status;
}

/**
 * A merkle proof as #fetchProofs leaves it: the server's answer, 'refused' (an error of its own), or, for one proven
 * as it came, the block it was proven in (the proof itself is not kept: a wallet's sync holds thousands at once).
 */
type FetchedProof = MerkleProofResult | 'refused' | ProvenIn;
interface ProvenIn {
  readonly provenIn: string;
}

type ProofOutcome = { kind: 'proven'; blockHash: string } | { kind: 'unverifiable' } | { kind: 'refused' };

export interface ElectrumNetwork extends ElectrumClientApi {}

/**
 * Several Electrum servers used as one: `request` and the typed wrappers (`network.blockchain.scripthash.getBalance`,
 * ...) go to the server in use and move on to the next when it times out, disconnects or is caught lying.
 */
export class ElectrumNetwork {
  /** Candidates in order of preference: the servers configured, then those discovered. */
  readonly #urls: string[];
  readonly #discovery: boolean;
  readonly #maxDiscovered: number;
  readonly #minVersion: string;
  readonly #maxBatch: number;
  readonly #notificationBuffer: number;
  readonly #channels = new Set<Channel<readonly unknown[]>>();
  #batchesOnWire = 0;
  readonly #batchQueue: (() => void)[] = [];
  #discovered = 0;
  readonly #connections: number;
  readonly #verify: boolean;
  readonly #network: Network;
  readonly #retryDelay: number;
  readonly #maxAttempts: number;
  readonly #timeout: number;
  readonly #clientOptions: (url: string) => ConstructorParameters<typeof ElectrumClient>[1];
  readonly #chain: HeaderChain;
  readonly #events = new Emitter<ElectrumNetworkEvents>();
  readonly #peers = new Map<string, Peer>();
  /** Servers set apart for good (liars, other chains), with why. */
  readonly #banned = new Map<string, StratumSdkError>();
  /** When a server dropped for a timeout or a lost connection may be tried again. */
  readonly #retryAt = new Map<string, number>();
  readonly #lastErrors = new Map<string, StratumSdkError>();
  /** Header chain work runs one task at a time. */
  readonly #chainQueue = new SerialQueue();
  readonly #subs = new Map<string, Subscription>();
  readonly #proven = new Map<string, { height: number; hash: string }>();
  readonly #nodes = new ProvenNodes();
  readonly #transactions = new Map<string, Transaction>();
  readonly #waiters = new Set<Waiter>();
  #primary: Peer | undefined;
  #state: 'idle' | 'connecting' | 'open' | 'closed' = 'idle';
  #fillTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ElectrumNetworkOptions) {
    const { servers, connections, network, checkpoint, headerStore, verify, connector, retryDelay, maxAttempts, discovery, maxDiscovered, maxBatch, ...client } = options;
    this.#maxBatch = maxBatch ?? DEFAULT_MAX_BATCH;
    this.#notificationBuffer = client.notificationBuffer ?? DEFAULT_NOTIFICATION_BUFFER;
    if (!(this.#notificationBuffer >= 1)) throw new RangeError(`notificationBuffer must be at least 1, got ${client.notificationBuffer}`);
    if (!Number.isInteger(this.#maxBatch) || this.#maxBatch < 1) throw new RangeError(`maxBatch must be an integer of at least 1, got ${maxBatch}`);
    if (!Array.isArray(servers) || servers.length === 0) throw new RangeError('servers: give at least one server URL');
    this.#urls = [...new Set(servers)];
    this.#discovery = discovery ?? false;
    this.#maxDiscovered = maxDiscovered ?? DEFAULT_MAX_DISCOVERED;
    if (!Number.isInteger(this.#maxDiscovered) || this.#maxDiscovered < 0) throw new RangeError(`maxDiscovered must be a non-negative integer, got ${maxDiscovered}`);
    this.#connections = connections ?? DEFAULT_CONNECTIONS;
    if (!Number.isInteger(this.#connections) || this.#connections < 1) throw new RangeError(`connections must be an integer of at least 1, got ${connections}`);
    this.#network = network ?? 'mainnet';
    if (!(this.#network in GENESIS)) throw new RangeError(`network must be one of ${Object.keys(GENESIS).join(', ')}, got ${String(network)}`);
    this.#verify = verify ?? true;
    this.#retryDelay = retryDelay ?? DEFAULT_RETRY_DELAY;
    if (!(this.#retryDelay >= 0)) throw new RangeError(`retryDelay must be a number of milliseconds, got ${retryDelay}`);
    this.#maxAttempts = maxAttempts ?? Math.max(3, this.#connections + 1);
    if (!Number.isInteger(this.#maxAttempts) || this.#maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer of at least 1, got ${maxAttempts}`);
    this.#timeout = client.timeout ?? DEFAULT_TIMEOUT;
    const range = client.protocolVersion ?? ['1.4', '1.6'];
    const min = typeof range === 'string' ? range : range[0];
    this.#minVersion = min;
    // Before 1.4 headers came deserialized and blockchain.block.headers did not exist: nothing to verify with.
    if (compareVersions(min, '1.4') < 0) throw new RangeError(`protocolVersion: the network needs protocol 1.4 or later, got ${JSON.stringify(range)}`);
    const start: Checkpoint = checkpoint ?? GENESIS[this.#network];
    const genesisHash = client.genesisHash ?? (start.height === 0 ? start.hash : GENESIS[this.#network].hash);
    this.#clientOptions = (url) => ({ ...client, protocolVersion: range, genesisHash, ...(connector ? { connector: connector(url) } : {}) });
    // Testnet4 is told apart from testnet3 by its genesis: its difficulty rules are BIP94's.
    this.#chain = new HeaderChain(headerStore ?? new MemoryHeaderStore(), start, this.#network, { bip94: this.#network === 'testnet' && genesisHash === TESTNET4_GENESIS.hash });
    Object.assign(this, bindElectrumClientApi((method, params) => this.#call(method, params, NO_OPTIONS)));
  }

  /** Builds a network and connects it: resolves once a server is in use. */
  static async connect(options: ElectrumNetworkOptions): Promise<ElectrumNetwork> {
    const network = new ElectrumNetwork(options);
    await network.connect();
    return network;
  }

  /**
   * Connects to up to `connections` servers and resolves once one is in use (connected, its tip verified). Rejects
   * with a ConnectError naming each server's failure when none could be used; the network is then closed.
   */
  async connect(): Promise<void> {
    if (this.#state !== 'idle') throw new ConnectError(`connect() was already called (the network is ${this.#state})`);
    this.#state = 'connecting';
    try {
      if (await this.#chain.canInitAlone()) await this.#chain.init();
      this.#fill();
      await this.#waitPrimary({ timeout: Infinity });
      this.#state = 'open';
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  /** The verified tip (undefined before the first server is in use). */
  get tip(): ChainTip | undefined {
    return this.#chain.tip;
  }

  /** The server requests go to now (`server` is the server.* wrappers, as on the ElectrumClient). */
  get currentServer(): string | undefined {
    return this.#primary?.url;
  }

  /** The servers connected and ready. */
  get connectedServers(): string[] {
    return [...this.#peers.values()].filter((p) => p.ready).map((p) => p.url);
  }

  get state(): 'idle' | 'connecting' | 'open' | 'closed' {
    return this.#state;
  }

  /** The verified header (hex) at `height`, if it is on the chain followed. */
  header(height: number): Promise<string | undefined> {
    return this.#chain.header(height);
  }

  /**
   * Any request by wire name, typed from the spec, sent to the server in use and retried on the next one after a
   * timeout, a lost connection or a lie. A server's own error (ServerError) is thrown as is. With `verify`, the
   * answers listed in the README are checked before they are returned.
   */
  request<M extends ElectrumNetworkRequestName>(method: M, params: ElectrumMethods[M]['params'], options: RequestOptions = {}): Promise<ElectrumMethods[M]['result']> {
    return this.#call(method, params as readonly unknown[], options) as Promise<ElectrumMethods[M]['result']>;
  }

  /**
   * The script hash's history, each entry marked `confirmed` only once its merkle proof put it in the verified header
   * at its height; the status is checked too when the server announced one. Verifies whatever `verify` says.
   */
  verifiedHistory(scripthash: string, options: RequestOptions = {}): Promise<VerifiedHistoryEntry[]> {
    const sh = scripthash.toLowerCase();
    return this.#route(options, async (peer) => (await this.#checkedHistory(peer, sh, options)).entries);
  }

  /**
   * Subscribes (as `request` does: moved across servers with no status change missed or told twice) and returns an
   * async iterable of the later notifications, as the ElectrumClient's `subscribe` does; `initial` is the answer.
   */
  async subscribe<M extends ElectrumNetworkSubscriptionName>(method: M, params: ElectrumParamsIn<M, ElectrumDefaultVersions>, options: RequestOptions = {}): Promise<ElectrumSubscription<M>> {
    if (method !== 'blockchain.scripthash.subscribe' && method !== 'blockchain.headers.subscribe') throw new ValidationError(method, 'params', [`${method} is not a subscription of the network`]);
    const sh = method === 'blockchain.scripthash.subscribe' ? String((params as readonly unknown[])[0]).toLowerCase() : undefined;
    const channel = this.#channel(method, sh);
    let initial: unknown;
    try {
      initial = await this.#call(method, params as readonly unknown[], options);
    } catch (e) {
      channel.end();
      throw e;
    }
    const unsubscribe = async () => {
      channel.end();
      if (sh !== undefined) await this.#unsubscribe(sh, NO_OPTIONS);
    };
    return Object.assign(channel, { method, params, initial, unsubscribe }) as unknown as ElectrumSubscription<M>;
  }

  /** Every later notification of one kind (all script hashes, or each new verified tip) as an async iterable. */
  notifications<M extends ElectrumNetworkSubscriptionName>(method: M, options: IterateOptions = {}): AsyncIterableIterator<ElectrumNotificationIn<M, ElectrumDefaultVersions>> {
    const channel = this.#channel(method, undefined);
    if (options.signal) {
      if (options.signal.aborted) channel.end();
      else options.signal.addEventListener('abort', () => channel.end(), { once: true });
    }
    return channel as unknown as AsyncIterableIterator<ElectrumNotificationIn<M, ElectrumDefaultVersions>>;
  }

  /** A bounded queue of one event's arguments (of one script hash, when given), ended when the network closes. */
  #channel(method: ElectrumNetworkSubscriptionName, sh: string | undefined): Channel<readonly unknown[]> {
    if (this.#state === 'closed') throw new ClosedError('the network is closed');
    const off = this.#events.on(method, ((...args: unknown[]) => {
      if (sh === undefined || args[0] === sh) channel.push(args);
    }) as never);
    const channel: Channel<readonly unknown[]> = new Channel(`${method} notifications`, this.#notificationBuffer, () => {
      off();
      this.#channels.delete(channel);
    });
    this.#channels.add(channel);
    return channel;
  }

  on<E extends keyof ElectrumNetworkEvents>(event: E, listener: (...args: ElectrumNetworkEvents[E]) => void): () => void {
    return this.#events.on(event, listener);
  }

  once<E extends keyof ElectrumNetworkEvents>(event: E, listener: (...args: ElectrumNetworkEvents[E]) => void): () => void {
    return this.#events.once(event, listener);
  }

  off<E extends keyof ElectrumNetworkEvents>(event: E, listener: (...args: ElectrumNetworkEvents[E]) => void): void {
    this.#events.off(event, listener);
  }

  /** Closes every connection; waiting requests reject with a ClosedError. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    if (this.#fillTimer !== undefined) clearTimeout(this.#fillTimer);
    this.#fillTimer = undefined;
    this.#rejectWaiters(new ClosedError('the network is closed'));
    for (const channel of [...this.#channels]) channel.end();
    const peers = [...this.#peers.values()];
    this.#peers.clear();
    this.#primary = undefined;
    for (const peer of peers) {
      peer.dropped = true;
      for (const off of peer.offs) off();
    }
    await Promise.all(peers.map((p) => p.client.close()));
    this.#events.emit('close');
  }

  [asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- Servers: connecting, dropping, choosing the one in use ----

  /** Opens connections up to `connections`, in the order given, skipping servers set apart or waiting to be retried. */
  #fill() {
    if (this.#state === 'closed') return;
    const now = Date.now();
    let nextRetry = Infinity;
    for (const url of this.#urls) {
      if (this.#peers.size >= this.#connections) break;
      if (this.#peers.has(url) || this.#banned.has(url)) continue;
      const at = this.#retryAt.get(url) ?? 0;
      if (at > now) {
        nextRetry = Math.min(nextRetry, at);
        continue;
      }
      this.#open(url);
    }
    if (this.#peers.size < this.#connections && nextRetry < Infinity && this.#fillTimer === undefined) {
      this.#fillTimer = setTimeout(() => {
        this.#fillTimer = undefined;
        this.#fill();
      }, nextRetry - now);
    }
    if (this.#peers.size === 0) this.#rejectWaiters(this.#noServer());
  }

  #open(url: string) {
    let client: ElectrumClient;
    try {
      client = new ElectrumClient(url, this.#clientOptions(url));
    } catch (e) {
      const error = e instanceof StratumSdkError ? e : new ConnectError(`${url}: ${(e as Error).message}`, { cause: e });
      this.#banned.set(url, error);
      this.#lastErrors.set(url, error);
      this.#events.emit('server-dropped', url, error);
      return;
    }
    const peer: Peer = { url, client, offs: [], ready: false, dropped: false, tip: undefined, announced: undefined, onChain: false, mempoolOrder: '1.6', statuses: new Map() };
    this.#peers.set(url, peer);
    peer.offs.push(
      client.on('close', (error) => this.#drop(peer, error ?? new ClosedError(`${url}: the connection closed`))),
      client.on('blockchain.headers.subscribe', (header) => this.#onHeader(peer, header)),
      client.on('blockchain.scripthash.subscribe', (sh, status) => this.#onStatus(peer, sh, status)),
    );
    void this.#setUp(peer);
  }

  async #setUp(peer: Peer) {
    try {
      await peer.client.connect();
      if (peer.dropped) return;
      peer.mempoolOrder = compareVersions(peer.client.protocolVersion, '1.6') >= 0 ? '1.6' : 'as-given';
      const first = await this.#ask(peer, 'blockchain.headers.subscribe', []);
      if (!('hex' in first)) throw new ValidationError('blockchain.headers.subscribe', 'result', ['a deserialized header: the network needs protocol 1.4 headers']);
      peer.announced ??= first;
      await this.#chainQueue.run(async () => {
        if (peer.dropped) return;
        await this.#chain.init(this.#source(peer));
        // Notifications that came meanwhile are followed here; from `ready` on, each is followed as it comes.
        let followed: HeaderNotification | undefined;
        do {
          followed = peer.announced as HeaderNotification;
          await this.#followLocked(peer, followed);
        } while (peer.announced !== followed && !peer.dropped);
        peer.ready = !peer.dropped;
      });
      if (!peer.ready) return;
      this.#retryAt.delete(peer.url);
      this.#events.emit('server-connected', peer.url);
      this.#elect();
      if (this.#discovery && this.#discovered < this.#maxDiscovered) void this.#discover(peer);
    } catch (e) {
      this.#drop(peer, this.#dropReason(peer, e) ?? asSdkError(e));
    }
  }

  /**
   * Adds the servers `peer` announces to the candidates, after every configured one, up to `maxDiscovered`; on the
   * transport of the servers configured (TLS when any is tls:// or wss://) where they offer it.
   */
  async #discover(peer: Peer) {
    let announced: unknown;
    try {
      announced = await this.#ask(peer, 'server.peers.subscribe', []);
    } catch {
      return; // a server that keeps its peers to itself is no worse for it
    }
    if (this.#state === 'closed') return;
    const prefer = this.#urls.some((u) => /^(tls|wss):/i.test(u)) ? 'tls' : 'tcp';
    for (const url of peerUrls(announced, prefer, this.#minVersion)) {
      if (this.#discovered >= this.#maxDiscovered) break;
      if (this.#urls.includes(url)) continue;
      this.#urls.push(url);
      this.#discovered++;
      this.#events.emit('server-discovered', url, peer.url);
    }
    this.#fill();
  }

  /** Drops a server: permanently for a lie or another chain, else until `retryDelay` has passed. */
  #drop(peer: Peer, error: StratumSdkError) {
    if (peer.dropped) return;
    peer.dropped = true;
    peer.ready = false;
    this.#peers.delete(peer.url);
    for (const off of peer.offs) off();
    void peer.client.close();
    if (this.#state === 'closed') return;
    if (isPermanent(error)) this.#banned.set(peer.url, error);
    else this.#retryAt.set(peer.url, Date.now() + this.#retryDelay);
    this.#lastErrors.set(peer.url, error);
    this.#events.emit('server-dropped', peer.url, error);
    if (this.#primary === peer) this.#primary = undefined;
    this.#elect();
    this.#fill();
  }

  /** The error to drop a server for after `e`, or undefined when `e` says nothing against the server. */
  #dropReason(peer: Peer, e: unknown): StratumSdkError | undefined {
    if (e instanceof ChainProblem) {
      if (e.kind === 'bad-header') return new LyingServerError(peer.url, 'header', 'blockchain.block.headers', e.message);
      if (e.kind === 'other-chain') return new OtherChainError(peer.url, this.#chain.checkpoint, e.message);
      return undefined;
    }
    if (!(e instanceof StratumSdkError)) return undefined;
    switch (e.code) {
      case 'TIMEOUT':
      case 'CLOSED':
      case 'CONNECT':
      case 'TLS':
      case 'PROTOCOL':
      case 'MESSAGE_TOO_LARGE':
      case 'OVERFLOW':
      case 'WRONG_CHAIN':
      case 'VERSION_MISMATCH':
        return e;
      case 'LIE':
        return e;
      case 'SERVER_LIMIT':
        // Its cost or load: asked elsewhere and retried later. A history or a subscription it will not hold: the
        // caller is told, and the server, fine for every other script hash, is kept.
        return e instanceof ServerLimitError && e.limit === 'cost' ? e : undefined;
      case 'VALIDATION':
        // A result that breaks the spec; a ValidationError of our own params says nothing of the server.
        return e instanceof ValidationError && e.part !== 'params' ? e : undefined;
      default:
        return undefined;
    }
  }

  /**
   * Chooses the server in use: the current one while it is on the chain followed, else the first ready server (in
   * the order given) that is, else any ready one. A change moves every subscription to the new server.
   */
  #elect() {
    if (this.#state === 'closed') return;
    const current = this.#primary;
    if (current && !current.dropped && current.onChain) return;
    const ready = this.#urls.map((u) => this.#peers.get(u)).filter((p): p is Peer => p !== undefined && p.ready);
    const next = ready.find((p) => p.onChain) ?? (current && !current.dropped ? current : ready[0]);
    if (next === current) return;
    this.#primary = next;
    if (!next) return;
    this.#events.emit('server', next.url);
    for (const waiter of [...this.#waiters]) waiter.resolve(next);
    if (current !== undefined || this.#subs.size > 0) this.#moveSubscriptions();
  }

  #waitPrimary(options: RequestOptions): Promise<Peer> {
    const primary = this.#primary;
    if (primary && !primary.dropped) return Promise.resolve(primary);
    if (this.#state === 'closed') return Promise.reject(new ClosedError('the network is closed'));
    if (this.#state === 'idle') return Promise.reject(new ClosedError('the network is not connected: call connect() first'));
    if (this.#peers.size === 0) return Promise.reject(this.#noServer());
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError('waiting for a server', signal.reason));
    const timeout = options.timeout ?? this.#timeout;
    return new Promise<Peer>((resolve, reject) => {
      const settle = () => {
        this.#waiters.delete(waiter);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        resolve: (peer) => {
          settle();
          resolve(peer);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      const onAbort = () => waiter.reject(new AbortedError('waiting for a server', signal?.reason));
      const timer = Number.isFinite(timeout) ? setTimeout(() => waiter.reject(new TimeoutError('waiting for a server', timeout)), timeout) : undefined;
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  #rejectWaiters(error: StratumSdkError) {
    for (const waiter of [...this.#waiters]) waiter.reject(error);
  }

  #noServer(): ConnectError {
    const reasons = this.#urls.map((url) => `${url}: ${(this.#banned.get(url) ?? this.#lastErrors.get(url))?.message ?? 'not tried'}`);
    return new ConnectError(`no Electrum server can be used (${reasons.join('; ')})`);
  }

  /**
   * Runs `task` on the server in use; after a timeout, a lost connection or a lie it drops that server and runs it
   * on the next, up to `maxAttempts` servers. Other errors (the server's own, an abort) are thrown at once.
   */
  async #route<T>(options: RequestOptions, task: (peer: Peer) => Promise<T>): Promise<T> {
    let last: unknown;
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      let peer: Peer;
      try {
        peer = await this.#waitPrimary(options);
      } catch (e) {
        // No server left after dropping the last one: say so, with why the last one went.
        if (last !== undefined && e instanceof ConnectError) throw new ConnectError(e.message, { cause: last });
        throw e;
      }
      try {
        return await task(peer);
      } catch (e) {
        const reason = this.#dropReason(peer, e);
        if (!reason) throw e instanceof ChainProblem ? new ConnectError(`${peer.url}: ${e.message}`) : e;
        this.#drop(peer, reason);
        last = reason;
      }
    }
    throw last;
  }

  // ---- Headers ----

  #onHeader(peer: Peer, header: HeaderNotification | object) {
    if (!('hex' in header)) return;
    peer.announced = header as HeaderNotification;
    if (!peer.ready) return; // #setUp follows it
    void this.#chainQueue.run(() => this.#followLocked(peer, header as HeaderNotification)).catch((e: unknown) => {
      const reason = this.#dropReason(peer, e);
      if (reason) this.#drop(peer, reason);
    });
  }

  /** Follows a server's tip (in the chain queue): extends or reorganises the chain, emits, re-elects. */
  async #followLocked(peer: Peer, announced: HeaderNotification): Promise<void> {
    if (peer.dropped || this.#state === 'closed' || !this.#chain.tip) return;
    const source = this.#source(peer);
    let result: FollowResult;
    for (let attempt = 0; ; attempt++) {
      try {
        result = await this.#chain.follow(source, announced, this.#primary === undefined || this.#primary === peer);
        break;
      } catch (e) {
        // Answers that disagree: its chain moved while we asked. Ask again, then wait for its next tip.
        if (e instanceof ChainProblem && e.kind === 'changed') {
          if (attempt < 2) continue;
          peer.onChain = false;
          return;
        }
        throw e;
      }
    }
    if (peer.dropped) return;
    peer.tip = { height: announced.height, hash: blockHash(announced.hex) };
    peer.onChain = result.kind === 'same' || result.kind === 'extended' || result.kind === 'reorg';
    if (result.kind === 'extended' || result.kind === 'reorg') {
      // Whether the other servers' tips are still on the chain followed.
      for (const other of this.#peers.values()) {
        if (other === peer || !other.tip || other.tip.height > result.newTip.height) continue;
        other.onChain = await this.#chain.contains(other.tip.height, other.tip.hash);
      }
      if (result.kind === 'reorg') this.#events.emit('reorg', { depth: result.depth, ancestor: result.ancestor, oldTip: result.oldTip, newTip: result.newTip });
      this.#events.emit('header', result.newTip);
      this.#events.emit('blockchain.headers.subscribe', { height: result.newTip.height, hex: result.newTip.header });
    }
    this.#elect();
  }

  #source(peer: Peer): HeaderSource {
    return {
      header: async (height) => (await this.#ask(peer, 'blockchain.block.header', [height])) as string,
      headers: async (start, count) => {
        const result = await this.#ask(peer, 'blockchain.block.headers', [start, count]);
        return 'headers' in result ? result.headers : splitHeaders(result.hex).map(bytesToHex);
      },
    };
  }

  /** Follows a server's current tip now (its proofs may be for a block the chain has not reached yet). */
  async #syncWith(peer: Peer, options: RequestOptions): Promise<void> {
    const tip = await this.#ask(peer, 'blockchain.headers.subscribe', [], options);
    if (!('hex' in tip)) return;
    peer.announced = tip;
    await this.#chainQueue.run(() => this.#followLocked(peer, tip));
  }

  // ---- Requests ----

  /** Runs a batch request once fewer than BATCH_WINDOW of the network's batches are on the wire. */
  async #onWire<T>(send: () => Promise<T>): Promise<T> {
    if (this.#batchesOnWire >= BATCH_WINDOW) await new Promise<void>((resolve) => this.#batchQueue.push(resolve));
    else this.#batchesOnWire++;
    try {
      return await send();
    } finally {
      const next = this.#batchQueue.shift();
      if (next) next();
      else this.#batchesOnWire--;
    }
  }

  /** A request to one server; a refusal for one of the server's limits becomes a ServerLimitError. */
  #ask<M extends ElectrumNetworkRequestName>(peer: Peer, method: M, params: ElectrumMethods[M]['params'], options: RequestOptions = NO_OPTIONS): Promise<ElectrumMethods[M]['result']> {
    return (peer.client.request(method as never, params as never, options) as Promise<ElectrumMethods[M]['result']>).catch((e: unknown) => {
      throw limitOf(peer.url, method, params as readonly unknown[], e) ?? e;
    });
  }

  #call(method: string, params: readonly unknown[], options: RequestOptions): Promise<unknown> {
    switch (method) {
      case 'blockchain.headers.subscribe':
        return this.#headersSubscribe(options);
      case 'blockchain.scripthash.subscribe':
        return this.#subscribe(String(params[0]).toLowerCase(), options);
      case 'blockchain.scripthash.unsubscribe':
        return this.#unsubscribe(String(params[0]).toLowerCase(), options);
    }
    if (this.#verify && method === 'blockchain.block.header') return this.#blockHeader(params[0] as number, (params[1] as number | undefined) ?? 0, options);
    return this.#route(options, async (peer) => this.#checked(peer, method, params, await this.#ask(peer, method as ElectrumNetworkRequestName, params as never, options), options));
  }

  /**
   * Several requests as JSON-RPC batches of at most `maxBatch` calls (a server refuses a bigger batch whole: Fulcrum's
   * max_batch is 345), a few in flight at once on the server in use; each call settles on its own and is checked as
   * `request` checks it. A timeout, a lost connection, a refusal for cost or a lie moves the whole batch to the next
   * server. Subscribe and unsubscribe calls go through `subscribe` and `unsubscribe`, outside the batch.
   */
  async batch<const C extends readonly ElectrumBatchCall[]>(calls: C, options: RequestOptions = {}): Promise<ElectrumBatchResults<C>> {
    const results: BatchItemResult<unknown>[] = new Array<BatchItemResult<unknown>>(calls.length);
    const settle = (i: number, run: () => Promise<unknown>) =>
      run().then(
        (value) => void (results[i] = { ok: true, value }),
        (e: unknown) => void (results[i] = { ok: false, error: asSdkError(e) }),
      );
    const wire: number[] = [];
    const apart: Promise<void>[] = [];
    calls.forEach(([method, params], i) => {
      if (SUBSCRIPTION_METHODS.has(method)) apart.push(settle(i, () => this.#call(method, params as readonly unknown[], options)));
      else wire.push(i);
    });
    if (wire.length > 0) {
      await this.#route(options, async (peer) => {
        await each(chunked(wire, this.#maxBatch), async (slice) => {
          const answers = await this.#onWire(() => peer.client.batch(slice.map((i) => calls[i]) as never, options));
          // The merkle proofs of every history in this batch, asked together in batches of their own (a wallet's
          // sync proves thousands: a few large batches, not one small batch per script hash).
          let proofs: Map<string, FetchedProof> | undefined;
          if (this.#verify) {
            const entries = slice.flatMap((i, j) => {
              const answer = answers[j] as BatchItemResult<unknown>;
              return (calls[i] as readonly [string, unknown])[0] === 'blockchain.scripthash.get_history' && answer.ok && Array.isArray(answer.value) ? (answer.value as History) : [];
            });
            if (entries.length > 0) proofs = await this.#fetchProofs(peer, entries, options);
          }
          await Promise.all(
            slice.map((i, j) => {
              const [method, params] = calls[i] as readonly [string, readonly unknown[]];
              const answer = answers[j] as BatchItemResult<unknown>;
              if (!answer.ok) {
                const error = limitOf(peer.url, method, params, answer.error) ?? answer.error;
                // The server failed, not the call: the whole batch goes to the next server.
                if (this.#dropReason(peer, error)) throw error;
                results[i] = { ok: false, error };
                return undefined;
              }
              return this.#checked(peer, method, params, answer.value, options, proofs).then(
                (value) => void (results[i] = { ok: true, value }),
                (e: unknown) => {
                  if (this.#dropReason(peer, e)) throw e;
                  results[i] = { ok: false, error: asSdkError(e) };
                },
              );
            }),
          );
        });
      });
    }
    await Promise.all(apart);
    return results as ElectrumBatchResults<C>;
  }

  /** A server's answer to `method`, checked when `verify` is on: returned as is, or thrown as a LyingServerError. */
  async #checked(peer: Peer, method: string, params: readonly unknown[], result: unknown, options: RequestOptions, proofs?: ReadonlyMap<string, FetchedProof>): Promise<unknown> {
    if (!this.#verify) return result;
    switch (method) {
      case 'blockchain.block.header':
        this.#checkHeaders(peer, [typeof result === 'string' ? result : (result as { header: string }).header]);
        return result;
      case 'blockchain.block.headers': {
        const r = result as { headers: string[] } | { hex: string };
        this.#checkHeaders(peer, 'headers' in r ? r.headers : splitHeaders(r.hex).map(bytesToHex));
        return result;
      }
      case 'blockchain.transaction.get': {
        const raw = typeof result === 'string' ? result : (result as { hex?: unknown }).hex;
        const txid = String(params[0]).toLowerCase();
        if (typeof raw === 'string' && txidOfRaw(raw) !== txid) this.#checkTransaction(peer, txid, raw, 'blockchain.transaction.get'); // says what is wrong
        return result;
      }
      case 'blockchain.transaction.get_merkle': {
        const proof = result as ElectrumMethods['blockchain.transaction.get_merkle']['result'];
        await this.#prove(peer, String(params[0]).toLowerCase(), proof.block_height, options, proof);
        return result;
      }
      case 'blockchain.transaction.broadcast': {
        const expected = txidOf(String(params[0]));
        if (expected !== undefined && String(result).toLowerCase() !== expected) lie(peer, 'transaction', 'blockchain.transaction.broadcast', `it answered ${String(result)} for a transaction whose txid is ${expected}`);
        return result;
      }
      case 'blockchain.scripthash.get_history':
        return (await this.#checkedHistory(peer, String(params[0]).toLowerCase(), options, result as History, proofs)).history;
      case 'blockchain.scripthash.get_balance':
        return this.#checkedBalance(peer, String(params[0]).toLowerCase(), options, result as Balance);
      case 'blockchain.scripthash.listunspent':
        return this.#checkedUnspent(peer, String(params[0]).toLowerCase(), options, result as Unspent);
      default:
        return result;
    }
  }

  async #headersSubscribe(options: RequestOptions): Promise<HeaderNotification> {
    await this.#waitPrimary(options);
    const tip = this.#chain.tip as ChainTip;
    return { height: tip.height, hex: tip.header };
  }

  /** A header on the verified chain is answered from it; any other is fetched and checked on its own. */
  async #blockHeader(height: number, cpHeight: number, options: RequestOptions): Promise<unknown> {
    if (!cpHeight) {
      const known = await this.#chain.header(height);
      if (known !== undefined) return known;
    }
    return this.#route(options, async (peer) => {
      const result = await this.#ask(peer, 'blockchain.block.header', [height, cpHeight] as ElectrumMethods['blockchain.block.header']['params'], options);
      return this.#checked(peer, 'blockchain.block.header', [height, cpHeight], result, options);
    });
  }

  #checkHeaders(peer: Peer, headers: readonly string[]) {
    for (const [i, header] of headers.entries()) {
      const problem = this.#chain.checkHeader(header);
      if (problem) lie(peer, 'header', 'blockchain.block.headers', `header ${i} of its answer: ${problem}`);
      if (i > 0 && blockHash(headers[i - 1] as string) !== parseHeader(header).prevHash) lie(peer, 'header', 'blockchain.block.headers', `header ${i} of its answer does not link to the one before`);
    }
  }

  #checkTransaction(peer: Peer, txid: string, raw: string, method: string): Transaction {
    let tx: Transaction;
    try {
      tx = parseTransaction(raw);
    } catch {
      lie(peer, 'transaction', method, `what it sent as ${txid} is not a transaction`);
    }
    if (tx.txid !== txid.toLowerCase()) lie(peer, 'transaction', method, `it sent transaction ${tx.txid} as ${txid}`);
    return tx;
  }

  async #transaction(peer: Peer, txid: string, options: RequestOptions): Promise<Transaction> {
    const cached = this.#transactions.get(txid);
    if (cached) return cached;
    const raw = await this.#ask(peer, 'blockchain.transaction.get', [txid], options);
    const tx = this.#checkTransaction(peer, txid, raw as string, 'blockchain.transaction.get');
    remember(this.#transactions, txid, tx, TRANSACTION_CACHE);
    return tx;
  }

  /**
   * Proves that `txid` is in the verified block at `height` with the server's merkle proof (`given`, else fetched).
   * A proof that fails against a header the server agrees with is looked at twice, then called a lie; when the
   * server's header differs, the chain first follows the server (it may be ahead), and if its block is still not on
   * the chain followed, nothing can be proven ('unverifiable'). A server refusing the proof: 'refused'.
   */
  /**
   * The merkle proofs of a history's confirmed entries not proven before, asked in batches of `maxBatch` (a wallet's
   * sync asks thousands). 'refused': the server answered with an error of its own.
   */
  async #fetchProofs(peer: Peer, history: History, options: RequestOptions): Promise<Map<string, FetchedProof>> {
    const out = new Map<string, FetchedProof>();
    const wanted: { txid: string; height: number }[] = [];
    // A transaction in several histories of one batch (a payment between two of the wallet's addresses) is asked once.
    const asked = new Set<string>();
    for (const e of history) {
      if (e.height <= 0) continue;
      const txid = e.tx_hash.toLowerCase();
      const cached = this.#proven.get(txid);
      if (cached?.height !== e.height && !asked.has(txid)) {
        asked.add(txid);
        wanted.push({ txid, height: e.height });
      }
    }
    // The blocks they name, read into the chain's memory first, so that each answer is proven as it comes (while the
    // server works on the next), and only a proof that does not prove so is kept for #checkedHistory to look at.
    for (const { height } of wanted) if (!this.#chain.cachedBlock(height)) await this.#block(height);
    await each(chunked(wanted, this.#maxBatch), async (slice) => {
      const answers = await this.#onWire(() => peer.client.batch(slice.map(({ txid, height }) => ['blockchain.transaction.get_merkle', [txid, height]] as const), options));
      answers.forEach((answer, i) => {
        const { txid, height } = slice[i] as { txid: string; height: number };
        if (answer.ok) {
          const block = answer.value.block_height === height ? this.#chain.cachedBlock(height) : undefined;
          if (block && this.#nodes.verify(txid, answer.value, block.header, block.hash)) {
            remember(this.#proven, txid, { height, hash: block.hash }, PROOF_CACHE);
            out.set(txid, { provenIn: block.hash });
          } else out.set(txid, answer.value);
        } else if (!(answer.error instanceof ServerError)) throw answer.error; // a timeout, a lost connection: the server failed
        else {
          const limit = limitOf(peer.url, 'blockchain.transaction.get_merkle', [txid], answer.error);
          if (limit) throw limit; // its cost: asked elsewhere
          out.set(txid, 'refused');
        }
      });
    });
    return out;
  }

  /** The verified header and hash at `height` (read from the store when not in memory), or undefined off the chain. */
  async #block(height: number): Promise<{ readonly header: string; readonly hash: string } | undefined> {
    const header = await this.#chain.header(height);
    return header === undefined ? undefined : { header, hash: (await this.#chain.hashAt(height)) as string };
  }

  async #prove(peer: Peer, txid: string, height: number, options: RequestOptions, given?: { block_height: number; merkle: string[]; pos: number }): Promise<ProofOutcome> {
    const cached = this.#proven.get(txid);
    if (cached && cached.height === height && (await this.#chain.contains(height, cached.hash))) return { kind: 'proven', blockHash: cached.hash };
    const tip = this.#chain.tip as ChainTip;
    if (height > tip.height) {
      await this.#syncWith(peer, options);
      if (height > (this.#chain.tip as ChainTip).height) return { kind: 'unverifiable' };
    }
    let proof = given;
    for (let look = 0; look < 2; look++) {
      if (proof === undefined) {
        try {
          proof = await this.#ask(peer, 'blockchain.transaction.get_merkle', [txid, height], options);
        } catch (e) {
          if (e instanceof ServerError) return { kind: 'refused' };
          throw e;
        }
      }
      const header = await this.#chain.header(height);
      if (header === undefined) return { kind: 'unverifiable' };
      const hash = (await this.#chain.hashAt(height)) as string;
      if (proof.block_height === height && this.#nodes.verify(txid, proof, header, hash)) {
        remember(this.#proven, txid, { height, hash }, PROOF_CACHE);
        return { kind: 'proven', blockHash: hash };
      }
      proof = undefined;
      const theirs = ((await this.#ask(peer, 'blockchain.block.header', [height], options)) as string).toLowerCase();
      if (theirs !== header) {
        await this.#syncWith(peer, options);
        if (!(await this.#chain.contains(height, blockHash(theirs)))) return { kind: 'unverifiable' };
      }
    }
    lie(peer, 'merkle', 'blockchain.transaction.get_merkle', `its proof does not put ${txid} in block ${height}, whose header it gives`);
  }

  /**
   * get_history from one server, checked: its status against the status the server announced (when it did), each
   * confirmed entry's merkle proof against the verified header at its height. A mismatch is looked at twice before
   * it is called a lie, so a chain that moved between two answers is not taken for one.
   */
  async #checkedHistory(peer: Peer, sh: string, options: RequestOptions, given?: History, givenProofs?: ReadonlyMap<string, FetchedProof>): Promise<CheckedHistory> {
    for (let look = 0; ; look++) {
      const history = look === 0 && given !== undefined ? given : await this.#ask(peer, 'blockchain.scripthash.get_history', [sh], options);
      const announced = peer.statuses.get(sh);
      // Hashed only when there is a status to hold it against, or when the caller reads it (a subscription).
      const status = announced === undefined ? undefined : (electrumStatus(history, { mempoolOrder: peer.mempoolOrder }) as Status);
      if (announced !== undefined && announced !== status) {
        if (look === 0) {
          peer.statuses.set(sh, await this.#ask(peer, 'blockchain.scripthash.subscribe', [sh], options));
          continue;
        }
        if (history.length === 0) throw truncated(peer, 'blockchain.scripthash.get_history', sh, `it sent an empty history, but its status for it is ${announced}`);
        lie(peer, 'status', 'blockchain.scripthash.subscribe', `it announced status ${announced} for ${sh}, but the status of the history it returns is ${status}`);
      }
      if (history.length === 0 && announced === undefined) {
        // No status to hold it against: an empty history costs a balance, which Fulcrum still tells above max_history.
        const balance = await this.#ask(peer, 'blockchain.scripthash.get_balance', [sh], options);
        if (balance.confirmed !== 0 || balance.unconfirmed !== 0) throw truncated(peer, 'blockchain.scripthash.get_history', sh, `it sent an empty history, but a balance of ${balance.confirmed} confirmed and ${balance.unconfirmed} unconfirmed`);
      }
      const proofs = look === 0 && givenProofs !== undefined ? givenProofs : await this.#fetchProofs(peer, history, options);
      // The verified blocks the entries name, read once each; then each proof is checked without a wait, and only
      // one that fails (or a block not reached yet) takes the long way, which tells a lie from a chain that moved.
      const blocks = new Map<number, { readonly header: string; readonly hash: string } | undefined>();
      for (const e of history) {
        if (e.height <= 0 || blocks.has(e.height)) continue;
        blocks.set(e.height, this.#chain.cachedBlock(e.height) ?? (await this.#block(e.height)));
      }
      // Settled here without a wait when proven (most are, often by #fetchProofs as their answers came); only the
      // others wait, on #prove.
      const outcomes: (ProofOutcome | undefined)[] = new Array<ProofOutcome | undefined>(history.length);
      const slow: Promise<void>[] = [];
      history.forEach((e, i) => {
        if (e.height <= 0) return;
        const txid = e.tx_hash.toLowerCase();
        const proof = proofs.get(txid);
        if (proof === 'refused') {
          outcomes[i] = { kind: 'refused' };
          return;
        }
        const block = blocks.get(e.height);
        const cached = this.#proven.get(txid);
        // Proven as it came (in the block at this height, as the proof was asked for it), or earlier.
        const provenIn = proof !== undefined && 'provenIn' in proof ? proof.provenIn : cached?.height === e.height ? cached.hash : undefined;
        const given = proof !== undefined && 'provenIn' in proof ? undefined : proof;
        if (block && provenIn === block.hash) outcomes[i] = { kind: 'proven', blockHash: block.hash };
        else if (block && given?.block_height === e.height && this.#nodes.verify(txid, given, block.header, block.hash)) {
          remember(this.#proven, txid, { height: e.height, hash: block.hash }, PROOF_CACHE);
          outcomes[i] = { kind: 'proven', blockHash: block.hash };
        } else slow.push(this.#prove(peer, txid, e.height, options, given).then((o) => void (outcomes[i] = o)));
      });
      if (slow.length > 0) await Promise.all(slow);
      const refused = history.find((_, i) => outcomes[i]?.kind === 'refused');
      if (refused) {
        if (look === 0) continue;
        lie(peer, 'history', 'blockchain.scripthash.get_history', `it lists ${refused.tx_hash} at height ${refused.height} for ${sh} but refuses its merkle proof`);
      }
      // Built when read (verifiedHistory): a batch of get_history returns the history itself.
      const entriesOf = () =>
        history.map((e, i): VerifiedHistoryEntry => {
          const outcome = outcomes[i];
          const base = { tx_hash: e.tx_hash, height: e.height, ...('fee' in e && typeof e.fee === 'number' ? { fee: e.fee } : {}) };
          return outcome?.kind === 'proven' ? { ...base, confirmed: true, blockHash: outcome.blockHash } : { ...base, confirmed: false };
        });
      const mempoolOrder = peer.mempoolOrder;
      let computed = status;
      return {
        history,
        get entries() {
          return entriesOf();
        },
        get status() {
          return (computed ??= electrumStatus(history, { mempoolOrder }) as Status);
        },
      };
    }
  }

  /** The history's transactions, each checked to hash to its txid. */
  async #historyTransactions(peer: Peer, history: readonly { tx_hash: string }[], options: RequestOptions): Promise<Map<string, Transaction>> {
    const txs = await Promise.all(history.map((e) => this.#transaction(peer, e.tx_hash.toLowerCase(), options)));
    return new Map(txs.map((t) => [t.txid, t]));
  }

  async #checkedBalance(peer: Peer, sh: string, options: RequestOptions, given?: Balance): Promise<Balance> {
    for (let look = 0; ; look++) {
      const balance = look === 0 && given !== undefined ? given : await this.#ask(peer, 'blockchain.scripthash.get_balance', [sh], options);
      const { history } = await this.#checkedHistory(peer, sh, options);
      const derived = deriveWalletData(sh, history, await this.#historyTransactions(peer, history, options)).balance;
      if (derived.confirmed === balance.confirmed && derived.unconfirmed === balance.unconfirmed) return balance;
      if (history.length === 0 && look > 0) throw truncated(peer, 'blockchain.scripthash.get_balance', sh, `it sent an empty history, but a balance of ${balance.confirmed} confirmed and ${balance.unconfirmed} unconfirmed`);
      if (look > 0) lie(peer, 'balance', 'blockchain.scripthash.get_balance', `it says ${balance.confirmed} confirmed and ${balance.unconfirmed} unconfirmed for ${sh}; its history's transactions make ${derived.confirmed} and ${derived.unconfirmed}`);
    }
  }

  async #checkedUnspent(peer: Peer, sh: string, options: RequestOptions, given?: Unspent): Promise<Unspent> {
    for (let look = 0; ; look++) {
      const unspent = look === 0 && given !== undefined ? given : await this.#ask(peer, 'blockchain.scripthash.listunspent', [sh], options);
      const { history } = await this.#checkedHistory(peer, sh, options);
      const derived = deriveWalletData(sh, history, await this.#historyTransactions(peer, history, options)).unspent;
      if (sameUnspent(unspent, derived)) return unspent;
      if (look > 0) lie(peer, 'unspent', 'blockchain.scripthash.listunspent', `its ${unspent.length} unspent outputs for ${sh} are not the ${derived.length} its history's transactions leave`);
    }
  }

  // ---- Script hash subscriptions ----

  async #subscribe(sh: string, options: RequestOptions): Promise<Status> {
    let sub = this.#subs.get(sh);
    if (!sub) this.#subs.set(sh, (sub = { delivered: undefined, queue: new SerialQueue() }));
    const subscription = sub;
    return subscription.queue.run(async () => {
      try {
        return await this.#route(options, async (peer) => {
          const status = await this.#subscribeOn(peer, sh, options);
          if (subscription.delivered === undefined) subscription.delivered = status;
          else this.#deliver(subscription, sh, status);
          return status;
        });
      } catch (e) {
        // Never held: forgotten, so no later change of server subscribes it again (a refusal for a limit would
        // otherwise come back at every move).
        if (subscription.delivered === undefined && this.#subs.get(sh) === subscription) this.#subs.delete(sh);
        throw e;
      }
    });
  }

  async #unsubscribe(sh: string, options: RequestOptions): Promise<boolean> {
    const had = this.#subs.delete(sh);
    const primary = this.#primary;
    for (const peer of this.#peers.values()) peer.statuses.delete(sh);
    if (primary?.ready) {
      // Where the negotiated version has no unsubscribe the server keeps sending; those notifications are ignored.
      await this.#ask(primary, 'blockchain.scripthash.unsubscribe', [sh], options).catch(() => undefined);
    }
    return had;
  }

  /** Subscribes on one server; with `verify`, its status is checked against its history before it is used. */
  async #subscribeOn(peer: Peer, sh: string, options: RequestOptions): Promise<Status> {
    const status = await this.#ask(peer, 'blockchain.scripthash.subscribe', [sh], options);
    peer.statuses.set(sh, status);
    return this.#verify ? (await this.#checkedHistory(peer, sh, options)).status : status;
  }

  #onStatus(peer: Peer, sh: string, status: Status) {
    peer.statuses.set(sh, status);
    const sub = this.#subs.get(sh);
    if (!sub || peer !== this.#primary) return;
    void sub.queue.run(async () => {
      if (peer !== this.#primary || peer.dropped || this.#subs.get(sh) !== sub) return;
      try {
        const checked = this.#verify ? (await this.#checkedHistory(peer, sh, NO_OPTIONS)).status : status;
        // A later notification may have overtaken this one while it was checked: deliver the server's latest.
        if (peer === this.#primary && !peer.dropped) this.#deliver(sub, sh, checked);
      } catch (e) {
        // Dropping it moves the subscription to the next server, whose answer delivers what changed.
        const reason = this.#dropReason(peer, e);
        if (reason) this.#drop(peer, reason);
      }
    });
  }

  /** After a change of server: subscribe on the new one and deliver its status if it differs from the last delivered. */
  #moveSubscriptions() {
    for (const [sh, sub] of this.#subs) {
      void sub.queue
        .run(async () => {
          if (this.#subs.get(sh) !== sub) return;
          await this.#route(NO_OPTIONS, async (peer) => {
            const status = await this.#subscribeOn(peer, sh, NO_OPTIONS);
            if (this.#subs.get(sh) === sub) this.#deliver(sub, sh, status);
          });
        })
        .catch((e: unknown) => {
          // The new server will not hold it (or its history): the subscription ends, and the application is told,
          // instead of a retry at every move. With no server now, the next election moves it again.
          if (e instanceof ServerLimitError && this.#subs.get(sh) === sub) {
            this.#subs.delete(sh);
            this.#events.emit('subscription-ended', sh, e);
          }
        });
    }
  }

  #deliver(sub: Subscription, sh: string, status: Status) {
    if (sub.delivered === status) return;
    sub.delivered = status;
    this.#events.emit('blockchain.scripthash.subscribe', sh, status);
  }
}

/**
 * The server limit a server's error reply names, if any. Servers word them differently (janoside/btc-rpc-explorer#353):
 * ElectrumX "history too large" and "response too large (at least N bytes)", electrs and this SDK's servers "too many
 * subscriptions", mempool/electrs a subscription "limit"; aiorpcx's codes -101 and -102 for cost and load.
 */
function limitOf(url: string, method: string, params: readonly unknown[], e: unknown): ServerLimitError | undefined {
  if (!(e instanceof ServerError)) return undefined;
  if (e.serverCode === -101 || e.serverCode === -102) return new ServerLimitError(url, 'cost', method, undefined, e.serverMessage, { cause: e });
  if (!method.startsWith('blockchain.scripthash.')) return undefined;
  const sh = typeof params[0] === 'string' ? params[0].toLowerCase() : undefined;
  if (/too large|too long|too many (tx|transactions)/i.test(e.serverMessage)) return new ServerLimitError(url, 'history', method, sh, e.serverMessage, { cause: e });
  if (method === 'blockchain.scripthash.subscribe' && /subscri|limit/i.test(e.serverMessage)) return new ServerLimitError(url, 'subscriptions', method, sh, e.serverMessage, { cause: e });
  return undefined;
}

/** Fulcrum above its max_history: an empty history its own status or balance contradicts. */
function truncated(peer: Peer, method: string, sh: string, message: string): ServerLimitError {
  return new ServerLimitError(peer.url, 'history', method, sh, `${message}: it keeps the history to itself (as Fulcrum does above its max_history)`);
}

function isPermanent(error: StratumSdkError): boolean {
  return error instanceof LyingServerError || error.code === 'WRONG_CHAIN' || error.code === 'VERSION_MISMATCH' || error.code === 'TLS';
}

function asSdkError(e: unknown): StratumSdkError {
  return e instanceof StratumSdkError ? e : new ConnectError((e as Error)?.message ?? String(e), { cause: e });
}

function lie(peer: Peer, kind: LieKind, method: string, message: string): never {
  throw new LyingServerError(peer.url, kind, method, message);
}

function txidOf(raw: string): string | undefined {
  try {
    return parseTransaction(raw).txid;
  } catch {
    return undefined;
  }
}

/**
 * Batches the network has on the wire at once, over all its calls: the server answers a batch only once all of it is
 * done, so a few in flight keep it busy while the client checks the answers of another; few enough that a server
 * limiting concurrent work per connection (ElectrumX's cost) is not flooded, and that proofs asked while histories
 * are checked do not multiply them.
 */
const BATCH_WINDOW = 8;

function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let from = 0; from < items.length; from += size) out.push(items.slice(from, from + size));
  return out;
}

/** Runs `task` on every item at once; the first failure is thrown once all have settled (none is left running). */
async function each<T>(items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
  const outcomes = await Promise.allSettled(items.map(task));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * A bounded map: when it is full, its oldest eighth goes, in one pass. (One at a time, each eviction would cost more
 * than the last: V8 walks over the holes that deletions leave at the front of a Map, until it rehashes.)
 */
function remember<K, V>(map: Map<K, V>, key: K, value: V, limit: number) {
  if (map.has(key)) map.delete(key); // to the back of the line (a miss, the common case, costs one lookup)
  map.set(key, value);
  if (map.size > limit) {
    let drop = map.size - limit + (limit >> 3);
    for (const oldest of map.keys()) {
      if (drop-- <= 0) break;
      map.delete(oldest);
    }
  }
}
