// Trust no single server: connections to several Electrum servers, the most-work header chain followed across them
// and verified header by header from a checkpoint, wallet data checked against it, and any server caught in a lie,
// timing out or gone replaced by the next, with requests retried and subscriptions moved so that no status change is
// missed or told twice. Electrum's own network.py and interface.py do the same for the reference wallet.
//
// Platform-free: it talks to servers only through ElectrumClient's public API.
import type { Network } from '../bitcoin/networks.js';
import { ElectrumClient } from '../clients/electrum-client.js';
import { bindElectrumClientApi, type ElectrumClientApi } from '../generated/electrum/client-api.js';
import type { HeaderNotification } from '../generated/definitions.js';
import type { ElectrumMethods } from '../generated/electrum/types.js';
import { asyncDispose } from '../runtime/dispose.js';
import { Emitter } from '../runtime/emitter.js';
import { ClosedError, ConnectError, ValidationError } from '../runtime/errors.js';
import { DEFAULT_NOTIFICATION_BUFFER, type ElectrumBatchCall, type ElectrumBatchResults, type ElectrumDefaultVersions, type ElectrumNotificationIn, type ElectrumParamsIn, type ElectrumSubscription, type IterateOptions } from '../clients/electrum-types.js';
import { Channel } from '../runtime/channel.js';
import { compareVersions } from '../runtime/versions.js';
import { BatchWindow } from './batch-window.js';
import { GENESIS, TESTNET4_GENESIS, type Checkpoint } from './checkpoints.js';
import { HeaderChain, type ChainTip } from './header-chain.js';
import { MemoryHeaderStore } from './header-store.js';
import { sendBatch, type BatchHost } from './network-batch.js';
import { ask } from './peer.js';
import { NO_OPTIONS, type RequestOptions } from '../runtime/session.js';
import { ScripthashSubscriptions } from './scripthash-subscriptions.js';
import { ServerPool } from './server-pool.js';
import type { ElectrumNetworkEvents, ElectrumNetworkOptions, ElectrumNetworkRequestName, ElectrumNetworkSubscriptionName, VerifiedHistoryEntry } from './types.js';
import { DEFAULT_MAX_DISCOVERED } from './discovery.js';
import { WalletVerifier } from './wallet-verifier.js';

export const DEFAULT_CONNECTIONS = 2;
export const DEFAULT_RETRY_DELAY = 30_000;
/** Calls in one JSON-RPC batch: Fulcrum's max_batch, the smallest cap of the common servers (ElectrumX has none). */
export const DEFAULT_MAX_BATCH = 345;
const DEFAULT_TIMEOUT = 30_000;

export interface ElectrumNetwork extends ElectrumClientApi {}

/**
 * Several Electrum servers used as one: `request` and the typed wrappers (`network.blockchain.scripthash.getBalance`,
 * ...) go to the server in use and move on to the next when it times out, disconnects or is caught lying.
 */
export class ElectrumNetwork {
  readonly #verify: boolean;
  readonly #notificationBuffer: number;
  readonly #channels = new Set<Channel<readonly unknown[]>>();
  readonly #chain: HeaderChain;
  readonly #events = new Emitter<ElectrumNetworkEvents>();
  /** The servers, the one in use, and the network's state. */
  readonly #pool: ServerPool;
  readonly #verifier: WalletVerifier;
  readonly #subs: ScripthashSubscriptions;
  readonly #batchHost: BatchHost;

  constructor(options: ElectrumNetworkOptions) {
    const { servers, connections: connectionsOption, network: networkOption, checkpoint, headerStore, verify, connector, retryDelay: retryDelayOption, maxAttempts: maxAttemptsOption, discovery, maxDiscovered: maxDiscoveredOption, maxBatch: maxBatchOption, ...client } = options;
    const maxBatch = maxBatchOption ?? DEFAULT_MAX_BATCH;
    this.#notificationBuffer = client.notificationBuffer ?? DEFAULT_NOTIFICATION_BUFFER;
    if (!(this.#notificationBuffer >= 1)) throw new RangeError(`notificationBuffer must be at least 1, got ${client.notificationBuffer}`);
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be an integer of at least 1, got ${maxBatchOption}`);
    if (!Array.isArray(servers) || servers.length === 0) throw new RangeError('servers: give at least one server URL');
    const urls = [...new Set(servers)];
    const maxDiscovered = maxDiscoveredOption ?? DEFAULT_MAX_DISCOVERED;
    if (!Number.isInteger(maxDiscovered) || maxDiscovered < 0) throw new RangeError(`maxDiscovered must be a non-negative integer, got ${maxDiscoveredOption}`);
    const connections = connectionsOption ?? DEFAULT_CONNECTIONS;
    if (!Number.isInteger(connections) || connections < 1) throw new RangeError(`connections must be an integer of at least 1, got ${connectionsOption}`);
    const network: Network = networkOption ?? 'mainnet';
    if (!(network in GENESIS)) throw new RangeError(`network must be one of ${Object.keys(GENESIS).join(', ')}, got ${String(networkOption)}`);
    this.#verify = verify ?? true;
    const retryDelay = retryDelayOption ?? DEFAULT_RETRY_DELAY;
    if (!(retryDelay >= 0)) throw new RangeError(`retryDelay must be a number of milliseconds, got ${retryDelayOption}`);
    const maxAttempts = maxAttemptsOption ?? Math.max(3, connections + 1);
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer of at least 1, got ${maxAttemptsOption}`);
    const timeout = client.timeout ?? DEFAULT_TIMEOUT;
    const range = client.protocolVersion ?? ['1.4', '1.6'];
    const min = typeof range === 'string' ? range : range[0];
    // Before 1.4 headers came deserialized and blockchain.block.headers did not exist: nothing to verify with.
    if (compareVersions(min, '1.4') < 0) throw new RangeError(`protocolVersion: the network needs protocol 1.4 or later, got ${JSON.stringify(range)}`);
    const start: Checkpoint = checkpoint ?? GENESIS[network];
    const genesisHash = client.genesisHash ?? (start.height === 0 ? start.hash : GENESIS[network].hash);
    const clientOptions = (url: string): ConstructorParameters<typeof ElectrumClient>[1] => ({ ...client, protocolVersion: range, genesisHash, ...(connector ? { connector: connector(url) } : {}) });
    // Testnet4 is told apart from testnet3 by its genesis: its difficulty rules are BIP94's.
    this.#chain = new HeaderChain(headerStore ?? new MemoryHeaderStore(), start, network, { bip94: network === 'testnet' && genesisHash === TESTNET4_GENESIS.hash });
    this.#pool = new ServerPool({
      urls,
      discovery: discovery ?? false,
      maxDiscovered,
      minVersion: min,
      connections,
      retryDelay,
      maxAttempts,
      timeout,
      clientOptions,
      chain: this.#chain,
      events: this.#events,
      onStatus: (peer, sh, status) => this.#subs.onStatus(peer, sh, status),
      onElected: (previous) => {
        if (previous !== undefined || this.#subs.size > 0) this.#subs.move();
      },
    });
    const window = new BatchWindow();
    this.#verifier = new WalletVerifier(this.#verify, maxBatch, this.#chain, this.#pool, window);
    this.#subs = new ScripthashSubscriptions(this.#verify, this.#pool, this.#verifier, this.#events);
    this.#batchHost = { verify: this.#verify, maxBatch, pool: this.#pool, verifier: this.#verifier, window, call: (method, params, opts) => this.#call(method, params, opts) };
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
    if (this.#pool.state !== 'idle') throw new ConnectError(`connect() was already called (the network is ${this.#pool.state})`);
    this.#pool.state = 'connecting';
    try {
      if (await this.#chain.canInitAlone()) await this.#chain.init();
      this.#pool.fill();
      await this.#pool.waitPrimary({ timeout: Infinity });
      this.#pool.state = 'open';
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
    return this.#pool.primary?.url;
  }

  /** The servers connected and ready. */
  get connectedServers(): string[] {
    return [...this.#pool.peers.values()].filter((p) => p.ready).map((p) => p.url);
  }

  get state(): 'idle' | 'connecting' | 'open' | 'closed' {
    return this.#pool.state;
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
    return this.#pool.route(options, async (peer) => (await this.#verifier.checkedHistory(peer, sh, options)).entries);
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
      if (sh !== undefined) await this.#subs.unsubscribe(sh, NO_OPTIONS);
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
    if (this.#pool.state === 'closed') throw new ClosedError('the network is closed');
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
    if (this.#pool.state === 'closed') return;
    this.#pool.state = 'closed';
    this.#pool.stop(new ClosedError('the network is closed'));
    for (const channel of [...this.#channels]) channel.end();
    await this.#pool.closePeers();
    this.#events.emit('close');
  }

  [asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- Requests ----

  #call(method: string, params: readonly unknown[], options: RequestOptions): Promise<unknown> {
    switch (method) {
      case 'blockchain.headers.subscribe':
        return this.#headersSubscribe(options);
      case 'blockchain.scripthash.subscribe':
        return this.#subs.subscribe(String(params[0]).toLowerCase(), options);
      case 'blockchain.scripthash.unsubscribe':
        return this.#subs.unsubscribe(String(params[0]).toLowerCase(), options);
    }
    if (this.#verify && method === 'blockchain.block.header') return this.#blockHeader(params[0] as number, (params[1] as number | undefined) ?? 0, options);
    return this.#pool.route(options, async (peer) => this.#verifier.checked(peer, method, params, await ask(peer, method as ElectrumNetworkRequestName, params as never, options), options));
  }

  /**
   * Several requests as JSON-RPC batches of at most `maxBatch` calls (a server refuses a bigger batch whole: Fulcrum's
   * max_batch is 345), a few in flight at once on the server in use; each call settles on its own and is checked as
   * `request` checks it. A timeout, a lost connection, a refusal for cost or a lie moves the whole batch to the next
   * server. Subscribe and unsubscribe calls go through `subscribe` and `unsubscribe`, outside the batch.
   */
  async batch<const C extends readonly ElectrumBatchCall[]>(calls: C, options: RequestOptions = {}): Promise<ElectrumBatchResults<C>> {
    return (await sendBatch(this.#batchHost, calls, options)) as ElectrumBatchResults<C>;
  }

  async #headersSubscribe(options: RequestOptions): Promise<HeaderNotification> {
    await this.#pool.waitPrimary(options);
    const tip = this.#chain.tip as ChainTip;
    return { height: tip.height, hex: tip.header };
  }

  /** A header on the verified chain is answered from it; any other is fetched and checked on its own. */
  async #blockHeader(height: number, cpHeight: number, options: RequestOptions): Promise<unknown> {
    if (!cpHeight) {
      const known = await this.#chain.header(height);
      if (known !== undefined) return known;
    }
    return this.#pool.route(options, async (peer) => {
      const result = await ask(peer, 'blockchain.block.header', [height, cpHeight] as ElectrumMethods['blockchain.block.header']['params'], options);
      return this.#verifier.checked(peer, 'blockchain.block.header', [height, cpHeight], result, options);
    });
  }
}
