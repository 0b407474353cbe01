// The network's servers: connections opened up to `connections` in the order given, each server's tip followed on
// the header chain, servers dropped (for good after a lie or another chain, else until `retryDelay` has passed) and
// the server in use chosen among the ready ones; requests routed to it and moved to the next on a failure.
import { blockHash, splitHeaders } from '../bitcoin/header.js';
import { bytesToHex } from '../bitcoin/bytes.js';
import { ElectrumClient } from '../clients/electrum-client.js';
import type { HeaderNotification, Status } from '../generated/definitions.js';
import type { Emitter } from '../runtime/emitter.js';
import { AbortedError, ClosedError, ConnectError, StratumSdkError, TimeoutError, ValidationError } from '../runtime/errors.js';
import type { RequestOptions } from '../runtime/session.js';
import { compareVersions } from '../runtime/versions.js';
import { LyingServerError, OtherChainError, ServerLimitError } from './errors.js';
import { ChainProblem, SerialQueue, type FollowResult, type HeaderChain, type HeaderSource } from './header-chain.js';
import { ask, asSdkError, isPermanent, type Peer } from './peer.js';
import type { ElectrumNetworkEvents } from './types.js';
import { peerUrls } from './discovery.js';

interface Waiter {
  resolve(peer: Peer): void;
  reject(error: StratumSdkError): void;
}

export type NetworkState = 'idle' | 'connecting' | 'open' | 'closed';

/** What the pool is built with: the network's options, its chain and events, and what it tells the network. */
export interface ServerPoolOptions {
  /** Candidates in order of preference: the servers configured, then those discovered. */
  readonly urls: string[];
  readonly discovery: boolean;
  readonly maxDiscovered: number;
  readonly minVersion: string;
  readonly connections: number;
  readonly retryDelay: number;
  readonly maxAttempts: number;
  readonly timeout: number;
  readonly clientOptions: (url: string) => ConstructorParameters<typeof ElectrumClient>[1];
  readonly chain: HeaderChain;
  readonly events: Emitter<ElectrumNetworkEvents>;
  /** A script hash status notification from a server. */
  onStatus(peer: Peer, sh: string, status: Status): void;
  /** A server now in use, after `previous` (undefined at the first). */
  onElected(previous: Peer | undefined): void;
}

export class ServerPool {
  state: NetworkState = 'idle';
  readonly #o: ServerPoolOptions;
  readonly #urls: string[];
  readonly #chain: HeaderChain;
  readonly #events: Emitter<ElectrumNetworkEvents>;
  #discovered = 0;
  readonly peers = new Map<string, Peer>();
  /** Servers set apart for good (liars, other chains), with why. */
  readonly #banned = new Map<string, StratumSdkError>();
  /** When a server dropped for a timeout or a lost connection may be tried again. */
  readonly #retryAt = new Map<string, number>();
  readonly #lastErrors = new Map<string, StratumSdkError>();
  /** Header chain work runs one task at a time. */
  readonly #chainQueue = new SerialQueue();
  readonly #waiters = new Set<Waiter>();
  #primary: Peer | undefined;
  #fillTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ServerPoolOptions) {
    this.#o = options;
    this.#urls = options.urls;
    this.#chain = options.chain;
    this.#events = options.events;
  }

  /** The server in use. */
  get primary(): Peer | undefined {
    return this.#primary;
  }

  /** Closing: no more retries, waiting requests rejected with `error`. */
  stop(error: StratumSdkError) {
    if (this.#fillTimer !== undefined) clearTimeout(this.#fillTimer);
    this.#fillTimer = undefined;
    this.#rejectWaiters(error);
  }

  /** Closes every connection. */
  async closePeers(): Promise<void> {
    const peers = [...this.peers.values()];
    this.peers.clear();
    this.#primary = undefined;
    for (const peer of peers) {
      peer.dropped = true;
      for (const off of peer.offs) off();
    }
    await Promise.all(peers.map((p) => p.client.close()));
  }

  // ---- Servers: connecting, dropping, choosing the one in use ----

  /** Opens connections up to `connections`, in the order given, skipping servers set apart or waiting to be retried. */
  fill() {
    if (this.state === 'closed') return;
    const now = Date.now();
    let nextRetry = Infinity;
    for (const url of this.#urls) {
      if (this.peers.size >= this.#o.connections) break;
      if (this.peers.has(url) || this.#banned.has(url)) continue;
      const at = this.#retryAt.get(url) ?? 0;
      if (at > now) {
        nextRetry = Math.min(nextRetry, at);
        continue;
      }
      this.#open(url);
    }
    if (this.peers.size < this.#o.connections && nextRetry < Infinity && this.#fillTimer === undefined) {
      this.#fillTimer = setTimeout(() => {
        this.#fillTimer = undefined;
        this.fill();
      }, nextRetry - now);
    }
    if (this.peers.size === 0) this.#rejectWaiters(this.#noServer());
  }

  #open(url: string) {
    let client: ElectrumClient;
    try {
      client = new ElectrumClient(url, this.#o.clientOptions(url));
    } catch (e) {
      const error = e instanceof StratumSdkError ? e : new ConnectError(`${url}: ${(e as Error).message}`, { cause: e });
      this.#banned.set(url, error);
      this.#lastErrors.set(url, error);
      this.#events.emit('server-dropped', url, error);
      return;
    }
    const peer: Peer = { url, client, offs: [], ready: false, dropped: false, tip: undefined, announced: undefined, onChain: false, mempoolOrder: '1.6', statuses: new Map() };
    this.peers.set(url, peer);
    peer.offs.push(
      client.on('close', (error) => this.drop(peer, error ?? new ClosedError(`${url}: the connection closed`))),
      client.on('blockchain.headers.subscribe', (header) => this.#onHeader(peer, header)),
      client.on('blockchain.scripthash.subscribe', (sh, status) => this.#o.onStatus(peer, sh, status)),
    );
    void this.#setUp(peer);
  }

  async #setUp(peer: Peer) {
    try {
      await peer.client.connect();
      if (peer.dropped) return;
      peer.mempoolOrder = compareVersions(peer.client.protocolVersion, '1.6') >= 0 ? '1.6' : 'as-given';
      const first = await ask(peer, 'blockchain.headers.subscribe', []);
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
      if (this.#o.discovery && this.#discovered < this.#o.maxDiscovered) void this.#discover(peer);
    } catch (e) {
      this.drop(peer, this.dropReason(peer, e) ?? asSdkError(e));
    }
  }

  /**
   * Adds the servers `peer` announces to the candidates, after every configured one, up to `maxDiscovered`; on the
   * transport of the servers configured (TLS when any is tls:// or wss://) where they offer it.
   */
  async #discover(peer: Peer) {
    let announced: unknown;
    try {
      announced = await ask(peer, 'server.peers.subscribe', []);
    } catch {
      return; // a server that keeps its peers to itself is no worse for it
    }
    if (this.state === 'closed') return;
    const prefer = this.#urls.some((u) => /^(tls|wss):/i.test(u)) ? 'tls' : 'tcp';
    for (const url of peerUrls(announced, prefer, this.#o.minVersion)) {
      if (this.#discovered >= this.#o.maxDiscovered) break;
      if (this.#urls.includes(url)) continue;
      this.#urls.push(url);
      this.#discovered++;
      this.#events.emit('server-discovered', url, peer.url);
    }
    this.fill();
  }

  /** Drops a server: permanently for a lie or another chain, else until `retryDelay` has passed. */
  drop(peer: Peer, error: StratumSdkError) {
    if (peer.dropped) return;
    peer.dropped = true;
    peer.ready = false;
    this.peers.delete(peer.url);
    for (const off of peer.offs) off();
    void peer.client.close();
    if (this.state === 'closed') return;
    if (isPermanent(error)) this.#banned.set(peer.url, error);
    else this.#retryAt.set(peer.url, Date.now() + this.#o.retryDelay);
    this.#lastErrors.set(peer.url, error);
    this.#events.emit('server-dropped', peer.url, error);
    if (this.#primary === peer) this.#primary = undefined;
    this.#elect();
    this.fill();
  }

  /** The error to drop a server for after `e`, or undefined when `e` says nothing against the server. */
  dropReason(peer: Peer, e: unknown): StratumSdkError | undefined {
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
    if (this.state === 'closed') return;
    const current = this.#primary;
    if (current && !current.dropped && current.onChain) return;
    const ready = this.#urls.map((u) => this.peers.get(u)).filter((p): p is Peer => p !== undefined && p.ready);
    const next = ready.find((p) => p.onChain) ?? (current && !current.dropped ? current : ready[0]);
    if (next === current) return;
    this.#primary = next;
    if (!next) return;
    this.#events.emit('server', next.url);
    for (const waiter of [...this.#waiters]) waiter.resolve(next);
    this.#o.onElected(current);
  }

  waitPrimary(options: RequestOptions): Promise<Peer> {
    const primary = this.#primary;
    if (primary && !primary.dropped) return Promise.resolve(primary);
    if (this.state === 'closed') return Promise.reject(new ClosedError('the network is closed'));
    if (this.state === 'idle') return Promise.reject(new ClosedError('the network is not connected: call connect() first'));
    if (this.peers.size === 0) return Promise.reject(this.#noServer());
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError('waiting for a server', signal.reason));
    const timeout = options.timeout ?? this.#o.timeout;
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
  async route<T>(options: RequestOptions, task: (peer: Peer) => Promise<T>): Promise<T> {
    let last: unknown;
    for (let attempt = 0; attempt < this.#o.maxAttempts; attempt++) {
      let peer: Peer;
      try {
        peer = await this.waitPrimary(options);
      } catch (e) {
        // No server left after dropping the last one: say so, with why the last one went.
        if (last !== undefined && e instanceof ConnectError) throw new ConnectError(e.message, { cause: last });
        throw e;
      }
      try {
        return await task(peer);
      } catch (e) {
        const reason = this.dropReason(peer, e);
        if (!reason) throw e instanceof ChainProblem ? new ConnectError(`${peer.url}: ${e.message}`) : e;
        this.drop(peer, reason);
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
      const reason = this.dropReason(peer, e);
      if (reason) this.drop(peer, reason);
    });
  }

  /** Follows a server's tip (in the chain queue): extends or reorganises the chain, emits, re-elects. */
  async #followLocked(peer: Peer, announced: HeaderNotification): Promise<void> {
    if (peer.dropped || this.state === 'closed' || !this.#chain.tip) return;
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
      for (const other of this.peers.values()) {
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
      header: async (height) => (await ask(peer, 'blockchain.block.header', [height])) as string,
      headers: async (start, count) => {
        const result = await ask(peer, 'blockchain.block.headers', [start, count]);
        return 'headers' in result ? result.headers : splitHeaders(result.hex).map(bytesToHex);
      },
    };
  }

  /** Follows a server's current tip now (its proofs may be for a block the chain has not reached yet). */
  async syncWith(peer: Peer, options: RequestOptions): Promise<void> {
    const tip = await ask(peer, 'blockchain.headers.subscribe', [], options);
    if (!('hex' in tip)) return;
    peer.announced = tip;
    await this.#chainQueue.run(() => this.#followLocked(peer, tip));
  }
}
