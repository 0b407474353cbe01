// The pending table for pipelined requests (see pending.ts), given by the client of stratum-sdk/electrum.
// Thousands in flight as an array and a Map entry each, all alive across the young generation's
// collections, cost more than the requests' own work. Ids are issued in order and answers mostly come in
// order, so the requests in flight are a run of consecutive ids: their fields live side by side in one
// array, in the slot of their id's low bits (a ring), with nothing made per request. A request that
// outlives a ring's worth of later ones (a long timeout) moves aside into the Map, so one slow request
// cannot make the ring grow with every id issued after it: the ring stays under four times the most in
// flight. Once a burst is answered (all but a handful) the ring goes back to its first size, so a
// connection does not keep a burst's room (about 1.5 MB after 10,000 in flight) for the rest of its life;
// the next burst then grows it straight back to the last one's size, in one step instead of a dozen.
import { PendingTable } from './pending.js';

/** A request's fields: its id, then what the session gives `add`. */
const FIELDS = 8;
/**
 * Slots to start with and never to go under: a wallet's burst at connect (a subscription per address
 * of a small wallet) fits without growing, in about 4 KB.
 */
const MIN_SLOTS = 64;
/**
 * Back to `MIN_SLOTS` once no more than this many are left in flight, not only when none is: a request
 * never answered (no timeout) or a few slow ones must not pin a burst's room, and so few are quick to
 * move. A ring that small grows only past half full, 32 in flight, so a number in flight near either
 * edge cannot make it shrink and grow in turn without at least 24 requests answered in between.
 */
const SHRINK_AT = MIN_SLOTS / 8;

export class PendingRing extends PendingTable {
  /** `FIELDS` entries per slot; a free slot's are all 0. */
  #slots: unknown[] = [];
  /** Requests in the ring (the Map holds the rest). */
  #count = 0;
  #mask = 0;
  /** The most in flight in the ring since it last shrank. */
  #most = 0;
  /** Slots the last burst needed (0 once used): the next one grows straight there. */
  #hint = 0;
  /** The fields `take` gives, copied out of their slot so it is free at once; reused by every take. */
  readonly #read: unknown[] = [0, undefined, undefined, undefined, undefined, undefined, undefined, undefined];

  /** The slots it starts with and goes back to. */
  readonly #min: number;

  /** `minSlots` (a power of two) is for measuring: a ring that never goes under a burst's size never regrows. */
  constructor(minSlots = MIN_SLOTS) {
    super();
    if (!(minSlots >= 1 && Number.isInteger(Math.log2(minSlots)))) throw new RangeError(`minSlots must be a power of two, got ${minSlots}`);
    this.#min = minSlots;
    this.#resize(minSlots);
  }

  /** Slots in the ring, a power of two from its first size. */
  get capacity(): number {
    return this.#mask + 1;
  }

  override get size(): number {
    return this.#count + super.size;
  }

  override add(id: number, method: unknown, params: unknown, resolve: unknown, reject: unknown, check: unknown, abort: unknown, queue: unknown): void {
    let at: number;
    while (this.#slots[(at = (id & this.#mask) * FIELDS)] !== 0) {
      // A full half means a long run in flight: a bigger ring. Otherwise one straggler: it moves aside.
      if (this.#count * 2 > this.#mask) {
        this.#resize(Math.max((this.#mask + 1) * 2, this.#hint));
        this.#hint = 0;
      } else this.#moveAside(this.#slots, at);
    }
    const s = this.#slots;
    s[at] = id;
    s[at + 1] = method;
    s[at + 2] = params;
    s[at + 3] = resolve;
    s[at + 4] = reject;
    s[at + 5] = check;
    s[at + 6] = abort;
    s[at + 7] = queue;
    if (++this.#count > this.#most) this.#most = this.#count;
  }

  override has(id: number): boolean {
    return this.#slots[(id & this.#mask) * FIELDS] === id || super.has(id);
  }

  override take(id: unknown): unknown[] | undefined {
    // A hostile id (a string, 0, a fraction, a huge number) must not match a free slot or another request.
    if (typeof id !== 'number' || !(id > 0)) return undefined;
    const at = (id & this.#mask) * FIELDS;
    const s = this.#slots;
    if (s[at] !== id) return super.take(id);
    const read = this.#read;
    for (let i = 0; i < FIELDS; i++) {
      read[i] = s[at + i];
      s[at + i] = 0;
    }
    this.#count--;
    if (this.#count <= SHRINK_AT && this.#mask >= this.#min) {
      // The power of two a run of the most in flight fits in: where the next burst grows to at once.
      this.#hint = 2 ** Math.ceil(Math.log2(this.#most));
      this.#most = this.#count;
      this.#resize(this.#min);
    }
    return read;
  }

  /** Every pending id, oldest first: the Map's and the ring's, in id order. */
  override keys(): MapIterator<number> {
    const ids = [...super.keys()];
    for (let at = 0; at < this.#slots.length; at += FIELDS) if (this.#slots[at] !== 0) ids.push(this.#slots[at] as number);
    return ids.sort((a, b) => a - b).values();
  }

  /**
   * The ring with `n` slots (a power of two), its requests in their new slots. Ids in distinct slots stay
   * distinct under a wider mask; under a narrower one two may meet, and the older moves aside.
   */
  #resize(n: number): void {
    const old = this.#slots;
    this.#mask = n - 1;
    // One fill, the fastest way to a new array: a free slot is all zeros (its id 0), holding nothing.
    const s = (this.#slots = new Array<unknown>(n * FIELDS).fill(0));
    for (let from = 0; from < old.length; from += FIELDS) {
      const id = old[from] as number;
      if (id === 0) continue;
      const at = (id & this.#mask) * FIELDS;
      if (s[at] !== 0) {
        if ((s[at] as number) > id) {
          this.#moveAside(old, from);
          continue;
        }
        this.#moveAside(s, at);
      }
      for (let i = 0; i < FIELDS; i++) s[at + i] = old[from + i];
    }
  }

  /** Moves the request in slot `at` of `s` into the Map and frees its slot. */
  #moveAside(s: unknown[], at: number): void {
    this.set(s[at] as number, s.slice(at, at + FIELDS));
    s.fill(0, at, at + FIELDS);
    this.#count--;
  }
}
