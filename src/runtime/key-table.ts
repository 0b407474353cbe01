// A string-keyed table for the subscription book, in place of a Map where every notification looks a
// freshly parsed key up among many (a wallet's 100,000 script hashes): open addressing over an index of
// positions, with the entries in insertion order (what the book's iteration, and so the order of renewals
// after a reconnect, relies on, as it did on the Map's). Finding a fresh 64-character key among 100,000
// took about half the time of Map.get in bench/subscriptions.mjs's measurements.
//
// The hash is seeded per table (Math.random), so keys chosen to collide cannot be prepared in advance;
// the index is at most half full, so a probe run stays short. A long key is hashed from 16 of its
// characters, evenly spread (a script hash's 64 hex digits are random, 16 of them are 64 bits): hashing all
// of them was a measurable part of each notification. Keys that agree on those characters (chosen so, say,
// by whoever picks the addresses a service watches) would collide whatever the seed, so a probe run longer
// than LONG_RUN switches the table to hashing every character.

const EMPTY = 0;
const MIN_CAPACITY = 16;
const SAMPLED = 16;
// Far beyond what a half-full index gives by chance, yet short enough to stay cheap until it is noticed.
const LONG_RUN = 64;

export class KeyTable<V> {
  /** Keys in insertion order; undefined where an entry was deleted (a hole, dropped by the next compaction). */
  #keys: (string | undefined)[] = [];
  #values: (V | undefined)[] = [];
  /** Position + 1 of each entry (0: empty), by hash; a position whose key is now a hole is skipped. */
  #index = new Int32Array(MIN_CAPACITY);
  #mask = MIN_CAPACITY - 1;
  #size = 0;
  readonly #seed = (Math.random() * 0x100000000) | 0;
  /** Every character is hashed (see LONG_RUN). */
  #full = false;

  get size(): number {
    return this.#size;
  }

  /** Whether a long probe run made it hash every character of its keys (see LONG_RUN). */
  get hashesEveryCharacter(): boolean {
    return this.#full;
  }

  #hash(key: string): number {
    let h = this.#seed ^ key.length;
    const step = this.#full ? 1 : Math.max(1, Math.floor(key.length / SAMPLED));
    for (let i = 0; i < key.length; i += step) {
      h = Math.imul(h ^ key.charCodeAt(i), 0x9e3779b1);
      h ^= h >>> 15;
    }
    return h;
  }

  /** The entry's position, or -1. */
  #find(key: string): number {
    const index = this.#index;
    const mask = this.#mask;
    const keys = this.#keys;
    for (let slot = this.#hash(key) & mask; ; slot = (slot + 1) & mask) {
      const at = index[slot] as number;
      if (at === EMPTY) return -1;
      if (keys[at - 1] === key) return at - 1;
    }
  }

  get(key: string): V | undefined {
    const at = this.#find(key);
    return at === -1 ? undefined : this.#values[at];
  }

  has(key: string): boolean {
    return this.#find(key) !== -1;
  }

  set(key: string, value: V): void {
    const at = this.#find(key);
    if (at !== -1) {
      this.#values[at] = value;
      return;
    }
    // Room for one more position in an index at most half full, holes included (they hold slots too).
    if ((this.#keys.length + 1) * 2 > this.#index.length) this.#rebuild(this.#size + 1);
    this.#keys.push(key);
    this.#values.push(value);
    this.#size++;
    if (this.#place(key, this.#keys.length) > LONG_RUN && !this.#full) {
      this.#full = true;
      this.#rebuild(this.#size);
    }
  }

  delete(key: string): boolean {
    const at = this.#find(key);
    if (at === -1) return false;
    // The index keeps pointing here; #find skips the hole (its key no longer matches), the next rebuild drops it.
    this.#keys[at] = undefined;
    this.#values[at] = undefined;
    this.#size--;
    if (this.#size === 0) this.clear();
    else if (this.#keys.length > 64 && this.#size * 2 < this.#keys.length) this.#rebuild(this.#size);
    return true;
  }

  clear(): void {
    this.#keys = [];
    this.#values = [];
    this.#index = new Int32Array(MIN_CAPACITY);
    this.#mask = MIN_CAPACITY - 1;
    this.#size = 0;
  }

  /**
   * The entries in insertion order, as a Map's iteration gives them. Entries added or deleted while it runs
   * may or may not be seen (a deletion can compact the table): callers that change the table iterate a copy.
   */
  *[Symbol.iterator](): IterableIterator<[string, V]> {
    const keys = this.#keys;
    const values = this.#values;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key !== undefined) yield [key, values[i] as V];
    }
  }

  /** Puts a position in the index; returns how many taken slots it passed. */
  #place(key: string, position: number): number {
    const index = this.#index;
    const mask = this.#mask;
    let slot = this.#hash(key) & mask;
    let run = 0;
    while (index[slot] !== EMPTY) {
      slot = (slot + 1) & mask;
      run++;
    }
    index[slot] = position;
    return run;
  }

  /** Drops the holes and makes an index for `entries` entries, at most a quarter full after it. */
  #rebuild(entries: number): void {
    const keys: string[] = [];
    const values: (V | undefined)[] = [];
    for (let i = 0; i < this.#keys.length; i++) {
      const key = this.#keys[i];
      if (key === undefined) continue;
      keys.push(key);
      values.push(this.#values[i]);
    }
    let capacity = MIN_CAPACITY;
    while (capacity < entries * 4) capacity *= 2;
    this.#keys = keys;
    this.#values = values;
    this.#index = new Int32Array(capacity);
    this.#mask = capacity - 1;
    for (let i = 0; i < keys.length; i++) this.#place(keys[i] as string, i + 1);
  }
}
