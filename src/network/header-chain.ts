// The verified header chain: anchored at a checkpoint, every header checked before it is stored (80 bytes, linked
// to the one before, proof of work against its own bits, bits within the network's proof-of-work limit, and the
// network's difficulty rules: the 2016-block retarget, bits unchanged inside a period on mainnet and signet,
// testnet's 20-minute rule, regtest's fixed bits; see bitcoin/difficulty.ts), and the most-work chain followed
// across servers, with reorganisations found by walking back to the common ancestor.
//
// The rules read earlier headers: a retarget at height B reads B-1 and B-2016, testnet's walk back reads the
// period's headers back to its first. So the store starts at the first block of the checkpoint's period, not at the
// checkpoint: `init` fetches those headers (one blockchain.block.headers request of at most 2016) and accepts them
// only if they link up to the checkpoint's hash, which commits to them as it does to the checkpoint itself. A
// checkpoint at a period's first block (genesis, or any multiple of 2016) with its header needs nothing fetched.
//
// Not checked: median time past and times in the future (they need the clock and eleven headers, and cost a
// server nothing to get right), so a server can still choose timestamps, within the retarget's clamp.
import { blockHash, parseHeader, verifyHeaderChain } from '../bitcoin/header.js';
import type { Network } from '../bitcoin/networks.js';
import { checkDifficulty, contextStart, periodStart, type DifficultyHeader, type DifficultyRules } from '../bitcoin/difficulty.js';
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
/** Block hashes and headers kept by height. */
const HASH_CACHE = 4_096;
/** Stored headers read at once when the difficulty rules need earlier ones. */
const STORE_WINDOW = 64;

export interface HeaderChainOptions {
  /** Testnet4's difficulty rules (BIP94). */
  readonly bip94?: boolean | undefined;
  /** Check the difficulty rules (default true). Off only for tests that need bits the rules would refuse. */
  readonly difficultyRules?: boolean | undefined;
}

export class HeaderChain {
  readonly #store: HeaderStore;
  readonly #checkpoint: Checkpoint;
  readonly #network: Network;
  readonly #rules: DifficultyRules | undefined;
  #tip: ChainTip | undefined;
  /** Block hashes by height, of the chain followed (merkle proofs ask for the same blocks again and again). */
  readonly #hashes = new Map<number, string>();
  /** Headers by height, read from the store (a pluggable store may be slow, or hand out bytes as hex each time). */
  readonly #headers = new Map<number, string>();

  constructor(store: HeaderStore, checkpoint: Checkpoint, network: Network, options: HeaderChainOptions = {}) {
    if (!Number.isSafeInteger(checkpoint.height) || checkpoint.height < 0) throw new RangeError(`checkpoint height must be a non-negative integer, got ${checkpoint.height}`);
    if (!/^[0-9a-fA-F]{64}$/.test(checkpoint.hash)) throw new RangeError(`checkpoint hash must be 64 hex digits, got ${JSON.stringify(checkpoint.hash)}`);
    if (checkpoint.header !== undefined && (!HEADER_HEX.test(checkpoint.header) || blockHash(checkpoint.header) !== checkpoint.hash.toLowerCase())) {
      throw new RangeError(`checkpoint header does not hash to ${checkpoint.hash}`);
    }
    this.#store = store;
    this.#checkpoint = { height: checkpoint.height, hash: checkpoint.hash.toLowerCase(), header: checkpoint.header?.toLowerCase() };
    this.#network = network;
    this.#rules = options.difficultyRules === false ? undefined : { network, bip94: options.bip94 === true };
  }

  get checkpoint(): Checkpoint {
    return this.#checkpoint;
  }

  /** The verified tip; undefined until `init`. */
  get tip(): ChainTip | undefined {
    return this.#tip;
  }

  /** Whether the chain can start without a server: a checkpoint header at a period's first block, or a stored chain. */
  async canInitAlone(): Promise<boolean> {
    const c = this.#checkpoint;
    return (c.header !== undefined && periodStart(c.height) === c.height) || (await this.#storedCheckpoint()) !== undefined;
  }

  /**
   * Loads the stored chain if it holds the checkpoint and the headers of its period before it (else clears the
   * store), or stores them from `source`: the headers from the first block of the checkpoint's period up to the
   * checkpoint, which must link up to its hash (ChainProblem 'other-chain' otherwise).
   */
  async init(source?: Pick<HeaderSource, 'headers'>): Promise<void> {
    if (this.#tip) return;
    const stored = await this.#storedCheckpoint();
    if (stored !== undefined) {
      const range = (await this.#store.range()) as { tip: number };
      const header = (await this.#store.get(range.tip)) as string;
      this.#tip = { height: range.tip, hash: blockHash(header), header };
      return;
    }
    await this.#store.clear();
    const { height, hash } = this.#checkpoint;
    const from = periodStart(height);
    let run: string[];
    if (from === height && this.#checkpoint.header !== undefined) run = [this.#checkpoint.header];
    else {
      if (!source) throw new RangeError('the headers from the start of the checkpoint\'s difficulty period are needed: give a checkpoint at a multiple of 2016 with its header, or a server to fetch them from');
      const fetched = await source.headers(from, height - from + 1);
      if (!Array.isArray(fetched) || fetched.some((h) => typeof h !== 'string' || !HEADER_HEX.test(h))) throw new ChainProblem('bad-header', `its headers from height ${from} are not 80-byte headers`);
      run = fetched.map((h) => h.toLowerCase());
      // Fewer: it has not reached the checkpoint (or its chain moved); not a lie, it may be tried again.
      if (run.length !== height - from + 1) throw new ChainProblem('changed', `it sent ${run.length} headers from height ${from}, not the ${height - from + 1} up to the checkpoint`);
      const top = blockHash(run[run.length - 1] as string);
      if (top !== hash) throw new ChainProblem('other-chain', `its block ${height} is ${top}, not the checkpoint ${hash}`);
      const check = verifyHeaderChain(run, { network: this.#network });
      if (!check.valid) throw new ChainProblem('bad-header', `its headers from height ${from}: ${check.message}`);
    }
    await this.#replace(from, run);
    this.#tip = { height, hash, header: run[run.length - 1] as string };
  }

  /** The verified header at `height` (hex), or undefined when it is not on the chain followed. */
  async header(height: number): Promise<string | undefined> {
    if (!this.#tip || !Number.isSafeInteger(height) || height < this.#checkpoint.height || height > this.#tip.height) return undefined;
    const known = this.#headers.get(height);
    if (known !== undefined) return known;
    const header = await this.#store.get(height);
    if (header !== undefined) remember(this.#headers, height, header);
    return header;
  }

  async hashAt(height: number): Promise<string | undefined> {
    const known = this.#hashes.get(height);
    if (known !== undefined && this.#tip && height <= this.#tip.height && height >= this.#checkpoint.height) return known;
    const header = await this.header(height);
    if (header === undefined) return undefined;
    // Many histories ask for the same block at once: the first of them back from the store hashes it, the others find it.
    const found = this.#hashes.get(height);
    if (found !== undefined && this.#headers.get(height) === header) return found;
    const hash = blockHash(header);
    remember(this.#hashes, height, hash);
    return hash;
  }

  /**
   * The header and hash at `height` if both are in memory now, read without a wait (a wallet's sync looks up the same
   * blocks tens of thousands of times); undefined otherwise, when `header` and `hashAt` read the store.
   */
  cachedBlock(height: number): { readonly header: string; readonly hash: string } | undefined {
    const header = this.cachedHeader(height);
    const hash = this.cachedHash(height);
    return header !== undefined && hash !== undefined ? { header, hash } : undefined;
  }

  /** cachedBlock's hash alone, with no object made: asked once for each of the thousands of proofs of a sync. */
  cachedHash(height: number): string | undefined {
    if (!this.#tip || height < this.#checkpoint.height || height > this.#tip.height) return undefined;
    return this.#hashes.get(height);
  }

  /** cachedBlock's header alone. */
  cachedHeader(height: number): string | undefined {
    if (!this.#tip || height < this.#checkpoint.height || height > this.#tip.height) return undefined;
    return this.#headers.get(height);
  }

  /** Writes the store and forgets the hashes it replaces. */
  async #replace(height: number, headers: readonly string[]): Promise<void> {
    for (const h of [...this.#hashes.keys()]) if (h >= height) this.#hashes.delete(h);
    for (const h of [...this.#headers.keys()]) if (h >= height) this.#headers.delete(h);
    await this.#store.replace(height, headers);
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
      const rules = await this.#difficultyProblem([hex], height);
      if (rules) throw new ChainProblem('bad-header', `its tip: ${rules}`);
      await this.#replace(height, [hex]);
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
      const rules = await this.#difficultyProblem(chunk, start, branch, ancestor + 1);
      if (rules) throw new ChainProblem('bad-header', `its headers from height ${start}: ${rules}`);
      if (extending) {
        await this.#replace(start, chunk);
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
    await this.#replace(fork + 1, theirs);
    const last = theirs[theirs.length - 1] as string;
    this.#tip = { height: fork + theirs.length, hash: blockHash(last), header: last };
    if (fork === oldTip.height) return { kind: 'extended', oldTip, newTip: this.#tip };
    return { kind: 'reorg', depth: oldTip.height - fork, ancestor: { height: fork, hash: blockHash(ancestorHeader), header: ancestorHeader }, oldTip, newTip: this.#tip };
  }

  /**
   * Why `headers` (from height `start`) break the difficulty rules, or undefined. Earlier headers are read from
   * `branch` (a server's headers from `branchStart`, not stored yet), then from the store, loaded as the rules ask.
   */
  async #difficultyProblem(headers: readonly string[], start: number, branch: readonly string[] = [], branchStart = start): Promise<string | undefined> {
    const rules = this.#rules;
    if (!rules) return undefined;
    const known = new Map<number, DifficultyHeader>();
    const info = (height: number, hex: string): DifficultyHeader => {
      const { time, bits } = parseHeader(hex);
      const header = { height, time, bits };
      known.set(height, header);
      return header;
    };
    const lookup = (height: number): DifficultyHeader | undefined => {
      const seen = known.get(height);
      if (seen) return seen;
      const i = height - start;
      if (i >= 0 && i < headers.length) return info(height, headers[i] as string);
      const j = height - branchStart;
      if (j >= 0 && j < branch.length) return info(height, branch[j] as string);
      return undefined;
    };
    const base = (await this.#store.range())?.base ?? 0;
    for (let i = 0; i < headers.length; i++) {
      const header = lookup(start + i) as DifficultyHeader;
      for (;;) {
        const check = checkDifficulty(header, lookup, rules);
        if (check.valid) break;
        if (check.problem !== 'no-context') return check.message;
        // An ancestor below the branch: on the chain stored. Loaded a window at a time (mainnet reads one header,
        // a retarget two, testnet's walk back up to a period). `init` stores the checkpoint's whole period, so
        // nothing the rules read is below the store's base.
        const missing = check.missing as number;
        const low = Math.max(base, contextStart(header.height), missing - STORE_WINDOW + 1);
        if (missing < base || missing < low) throw new Error(`the header chain lacks header ${missing} to check header ${header.height}`);
        for (let h = missing; h >= low && !known.has(h); h--) {
          const hex = await this.#store.get(h);
          if (hex === undefined) throw new Error(`the header store lacks header ${h}`);
          info(h, hex);
        }
      }
    }
    return undefined;
  }

  async #storedCheckpoint(): Promise<string | undefined> {
    const range = await this.#store.range();
    if (!range || range.base > periodStart(this.#checkpoint.height) || range.tip < this.#checkpoint.height) return undefined;
    const header = await this.#store.get(this.#checkpoint.height);
    return header !== undefined && blockHash(header) === this.#checkpoint.hash ? header : undefined;
  }
}

/** When full, the oldest eighth goes in one pass (one at a time, V8 walks over the holes deletions leave each time). */
function remember<K, V>(map: Map<K, V>, key: K, value: V) {
  map.set(key, value);
  if (map.size > HASH_CACHE) {
    let drop = map.size - HASH_CACHE + (HASH_CACHE >> 3);
    for (const oldest of map.keys()) {
      if (drop-- <= 0) break;
      map.delete(oldest);
    }
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
