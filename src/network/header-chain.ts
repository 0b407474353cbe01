// The verified header chain: anchored at a checkpoint, every header checked before it is stored (80 bytes, linked
// to the one before, proof of work against its own bits, bits within the network's proof-of-work limit, and on
// mainnet bits unchanged inside a 2016-block period), and the most-work chain followed across servers, with
// reorganisations found by walking back to the common ancestor.
//
// Not checked: the value of the retarget at each 2016-block boundary, testnet's 20-minute min-difficulty rule,
// median time past and future times. A server could feed a chain with bits it made up (each header meeting
// them) as long as they stay within the limit; the most-work rule is what makes that expensive on mainnet.
import { blockHash, parseHeader, verifyHeaderChain } from '../bitcoin/header.js';
import type { Network } from '../bitcoin/networks.js';
import { bitsToTarget } from '../bitcoin/target.js';
import type { Checkpoint } from './checkpoints.js';
import type { HeaderStore } from './header-store.js';

/** blockchain.block.headers answers at most 2016 headers (ElectrumX's MAX_CHUNK_SIZE). */
export const HEADERS_CHUNK = 2016;

/** A block of the chain: height, hash (display hex) and header (hex). */
export interface ChainTip {
  readonly height: number;
  readonly hash: string;
  readonly header: string;
}

/** What the chain needs of a server to follow it. */
export interface HeaderSource {
  /** blockchain.block.header(height), hex. */
  header(height: number): Promise<string>;
  /** blockchain.block.headers(start, count): the headers, hex, as many as the server has up to `count`. */
  headers(start: number, count: number): Promise<readonly string[]>;
}

export type FollowResult =
  /** The announced tip is ours, or below ours on our chain: nothing changed. */
  | { readonly kind: 'same' }
  /** The tip is below the checkpoint: the server is too far behind to compare. */
  | { readonly kind: 'behind' }
  /** The server's branch has less work than ours (or as much, and the server is not the one preferred). */
  | { readonly kind: 'weaker' }
  | { readonly kind: 'extended'; readonly oldTip: ChainTip; readonly newTip: ChainTip }
  | { readonly kind: 'reorg'; readonly depth: number; readonly ancestor: ChainTip; readonly oldTip: ChainTip; readonly newTip: ChainTip };

/** Why the chain refused what a server sent. `changed`: its answers disagree with each other, as when its chain moved between two of them. */
export class ChainProblem extends Error {
  readonly kind: 'bad-header' | 'other-chain' | 'changed';
  constructor(kind: 'bad-header' | 'other-chain' | 'changed', message: string) {
    super(message);
    this.kind = kind;
    this.name = 'ChainProblem';
  }
}

/** Expected work of one header: 2^256 / (target + 1), as Bitcoin Core's GetBlockProof. */
export function headerWork(bits: number): bigint {
  return (1n << 256n) / (bitsToTarget(bits) + 1n);
}

const HEADER_HEX = /^[0-9a-fA-F]{160}$/;

export class HeaderChain {
  readonly #store: HeaderStore;
  readonly #checkpoint: Checkpoint;
  readonly #network: Network;
  #tip: ChainTip | undefined;

  constructor(store: HeaderStore, checkpoint: Checkpoint, network: Network) {
    if (!Number.isSafeInteger(checkpoint.height) || checkpoint.height < 0) throw new RangeError(`checkpoint height must be a non-negative integer, got ${checkpoint.height}`);
    if (!/^[0-9a-fA-F]{64}$/.test(checkpoint.hash)) throw new RangeError(`checkpoint hash must be 64 hex digits, got ${JSON.stringify(checkpoint.hash)}`);
    if (checkpoint.header !== undefined && (!HEADER_HEX.test(checkpoint.header) || blockHash(checkpoint.header) !== checkpoint.hash.toLowerCase())) {
      throw new RangeError(`checkpoint header does not hash to ${checkpoint.hash}`);
    }
    this.#store = store;
    this.#checkpoint = { height: checkpoint.height, hash: checkpoint.hash.toLowerCase(), header: checkpoint.header?.toLowerCase() };
    this.#network = network;
  }

  get checkpoint(): Checkpoint {
    return this.#checkpoint;
  }

  /** The verified tip; undefined until `init`. */
  get tip(): ChainTip | undefined {
    return this.#tip;
  }

  /** Whether the checkpoint header is known without asking a server (given, or already in the store). */
  async canInitAlone(): Promise<boolean> {
    return this.#checkpoint.header !== undefined || (await this.#storedCheckpoint()) !== undefined;
  }

  /**
   * Loads the stored chain if it holds the checkpoint (else clears the store), or stores the checkpoint header:
   * the one given, or `fetch`'s, which must hash to the checkpoint (ChainProblem 'other-chain' otherwise).
   */
  async init(fetch?: () => Promise<string>): Promise<void> {
    if (this.#tip) return;
    const stored = await this.#storedCheckpoint();
    if (stored !== undefined) {
      const range = (await this.#store.range()) as { tip: number };
      const header = (await this.#store.get(range.tip)) as string;
      this.#tip = { height: range.tip, hash: blockHash(header), header };
      return;
    }
    await this.#store.clear();
    let header = this.#checkpoint.header;
    if (header === undefined) {
      if (!fetch) throw new RangeError('the checkpoint header is needed: give it, or a server to fetch it from');
      const fetched = await fetch();
      if (!HEADER_HEX.test(fetched)) throw new ChainProblem('bad-header', `the header at the checkpoint height ${this.#checkpoint.height} is not 80 bytes of hex`);
      header = fetched.toLowerCase();
      if (blockHash(header) !== this.#checkpoint.hash) throw new ChainProblem('other-chain', `its block ${this.#checkpoint.height} is ${blockHash(header)}, not the checkpoint ${this.#checkpoint.hash}`);
    }
    await this.#store.replace(this.#checkpoint.height, [header]);
    this.#tip = { height: this.#checkpoint.height, hash: this.#checkpoint.hash, header };
  }

  /** The verified header at `height` (hex), or undefined when it is not on the chain followed. */
  async header(height: number): Promise<string | undefined> {
    if (!this.#tip || !Number.isSafeInteger(height) || height < this.#checkpoint.height || height > this.#tip.height) return undefined;
    return this.#store.get(height);
  }

  async hashAt(height: number): Promise<string | undefined> {
    const header = await this.header(height);
    return header === undefined ? undefined : blockHash(header);
  }

  /** Whether a block (height and hash) is on the chain followed. */
  async contains(height: number, hash: string): Promise<boolean> {
    return (await this.hashAt(height)) === hash.toLowerCase();
  }

  /** Why a header must be refused on its own (length, bits, proof of work), or undefined if it passes. */
  checkHeader(hex: string): string | undefined {
    if (typeof hex !== 'string' || !HEADER_HEX.test(hex)) return 'not 80 bytes of hex';
    const check = verifyHeaderChain([hex], { network: this.#network });
    return check.valid ? undefined : check.message.replace(/^header 0: /, '');
  }

  /**
   * Takes a server's announced tip. Extends the chain when it links to the tip; otherwise walks back (heights
   * tip, tip-1, tip-3, tip-7, ...) to a header both share, fetches the server's headers above it, and switches
   * to them if they carry more work than ours above the fork (or as much, with `preferOnTie`: the server in use).
   * Throws ChainProblem: 'bad-header' (a lie), 'other-chain' (no checkpoint in its chain), 'changed' (answers that
   * disagree, as when the server's chain moved meanwhile: not a lie). Calls must not overlap.
   */
  async follow(source: HeaderSource, announced: { readonly height: number; readonly hex: string }, preferOnTie: boolean): Promise<FollowResult> {
    const tip = this.#tip;
    if (!tip) throw new Error('HeaderChain.follow before init');
    const problem = this.checkHeader(announced.hex);
    if (problem) throw new ChainProblem('bad-header', `its tip at height ${announced.height}: ${problem}`);
    const hex = announced.hex.toLowerCase();
    const height = announced.height;
    const hash = blockHash(hex);
    const base = this.#checkpoint.height;
    if (height < base) return { kind: 'behind' };
    if (height === base) {
      if (hash === this.#checkpoint.hash) return { kind: 'same' };
      throw new ChainProblem('other-chain', `its block ${base} is ${hash}, not the checkpoint ${this.#checkpoint.hash}`);
    }
    if (height <= tip.height && (await this.hashAt(height)) === hash) return { kind: 'same' };
    if (height === tip.height + 1 && parseHeader(hex).prevHash === tip.hash) {
      await this.#store.replace(height, [hex]);
      this.#tip = { height, hash, header: hex };
      return { kind: 'extended', oldTip: tip, newTip: this.#tip };
    }
    return this.#reconcile(source, height, preferOnTie);
  }

  async #reconcile(source: HeaderSource, announcedHeight: number, preferOnTie: boolean): Promise<FollowResult> {
    const oldTip = this.#tip as ChainTip;
    const base = this.#checkpoint.height;
    // 1. A height where the server's header is ours. Walking back doubles its step: a deep fork costs a few
    //    requests more than its depth needs, and the shared headers fetched in step 2 are skipped in step 3.
    let ancestor = Math.min(oldTip.height, announcedHeight - 1);
    for (let step = 1; ; step *= 2) {
      const theirs = await source.header(ancestor);
      if (typeof theirs !== 'string' || !HEADER_HEX.test(theirs)) throw new ChainProblem('bad-header', `its header at height ${ancestor} is not 80 bytes of hex`);
      if (blockHash(theirs) === (await this.hashAt(ancestor))) break;
      if (ancestor === base) throw new ChainProblem('other-chain', `its block ${base} is ${blockHash(theirs)}, not the checkpoint ${this.#checkpoint.hash}`);
      ancestor = Math.max(base, ancestor - step);
    }
    // 2. The server's headers above it, each chunk checked (linkage, bits, proof of work). Extending our tip,
    //    they are stored chunk by chunk (a first sync from an old checkpoint holds one chunk at a time).
    const extending = ancestor === oldTip.height;
    const branch: string[] = [];
    let prevHash = (await this.hashAt(ancestor)) as string;
    let start = ancestor + 1;
    for (;;) {
      const chunk = (await source.headers(start, HEADERS_CHUNK)).map((h) => h.toLowerCase());
      if (chunk.length === 0) break;
      if (chunk.some((h) => !HEADER_HEX.test(h))) throw new ChainProblem('bad-header', `its headers from height ${start} are not 80-byte headers`);
      const check = verifyHeaderChain(chunk, { prevHash, network: this.#network, startHeight: start });
      if (!check.valid) {
        // The first header not linking to a header of an earlier answer: the chain moved between the two.
        if (check.problem === 'bad-link' && check.index === 0) throw new ChainProblem('changed', `its header ${start} does not link to its header ${start - 1} of an earlier answer`);
        throw new ChainProblem('bad-header', `its headers from height ${start}: ${check.message}`);
      }
      if (extending) {
        await this.#store.replace(start, chunk);
        const last = chunk[chunk.length - 1] as string;
        this.#tip = { height: start + chunk.length - 1, hash: check.tipHash as string, header: last };
      } else branch.push(...chunk);
      prevHash = check.tipHash as string;
      start += chunk.length;
      if (chunk.length < HEADERS_CHUNK) break;
    }
    if (extending) return this.#tip === oldTip ? { kind: 'same' } : { kind: 'extended', oldTip, newTip: this.#tip as ChainTip };
    // 3. Skip what both chains share; compare the work above the fork.
    let fork = ancestor;
    let i = 0;
    while (i < branch.length && fork < oldTip.height && blockHash(branch[i] as string) === (await this.hashAt(fork + 1))) {
      fork++;
      i++;
    }
    const theirs = branch.slice(i);
    if (theirs.length === 0) return { kind: 'same' };
    let ourWork = 0n;
    for (let h = fork + 1; h <= oldTip.height; h++) ourWork += headerWork(parseHeader((await this.#store.get(h)) as string).bits);
    let theirWork = 0n;
    for (const h of theirs) theirWork += headerWork(parseHeader(h).bits);
    if (theirWork < ourWork || (theirWork === ourWork && !preferOnTie)) return { kind: 'weaker' };
    const ancestorHeader = (await this.#store.get(fork)) as string;
    await this.#store.replace(fork + 1, theirs);
    const last = theirs[theirs.length - 1] as string;
    this.#tip = { height: fork + theirs.length, hash: blockHash(last), header: last };
    if (fork === oldTip.height) return { kind: 'extended', oldTip, newTip: this.#tip };
    return { kind: 'reorg', depth: oldTip.height - fork, ancestor: { height: fork, hash: blockHash(ancestorHeader), header: ancestorHeader }, oldTip, newTip: this.#tip };
  }

  async #storedCheckpoint(): Promise<string | undefined> {
    const range = await this.#store.range();
    if (!range || range.base > this.#checkpoint.height || range.tip < this.#checkpoint.height) return undefined;
    const header = await this.#store.get(this.#checkpoint.height);
    return header !== undefined && blockHash(header) === this.#checkpoint.hash ? header : undefined;
  }
}

/** Runs tasks one after another, each once the one before has settled. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(task, task);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
