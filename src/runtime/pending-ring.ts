// The pending table for pipelined requests (see pending.ts), given by the client of stratum-sdk/electrum.
// Thousands in flight as an array and a Map entry each, all alive across the young generation's
// collections, cost more than the requests' own work. Ids are issued in order and answers mostly come in
// order, so the requests in flight are a run of consecutive ids: their fields live side by side in one
// array, in the slot of their id's low bits (a ring), with nothing made per request. A request that
// outlives a ring's worth of later ones (a long timeout) moves aside into the Map, so one slow request
// cannot make the ring grow with every id issued after it: the ring stays under four times the most in flight.
import { PendingTable } from './pending.js';

const FIELDS = 8;

export class PendingRing extends PendingTable {
  /** Requests in the ring (the Map holds the rest). */
  #count = 0;
  #mask = 0;

  constructor() {
    super();
    this.#alloc(64);
  }

  override get size(): number {
    return this.#count + this.byId.size;
  }

  override add(id: number, method: string, params: unknown, resolve: unknown, reject: unknown, check: unknown, abort: unknown, queue: unknown): void {
    let at: number;
    while (this.slots[(at = (id & this.#mask) * FIELDS)] !== 0) {
      // A full half means a long run in flight: a bigger ring. Otherwise one straggler: it moves aside.
      if (this.#count * 2 > this.#mask) this.#grow();
      else {
        this.byId.set(this.slots[at] as number, this.slots.slice(at, at + FIELDS));
        this.free(at);
      }
    }
    const s = this.slots;
    s[at] = id;
    s[at + 1] = method;
    s[at + 2] = params;
    s[at + 3] = resolve;
    s[at + 4] = reject;
    s[at + 5] = check;
    s[at + 6] = abort;
    s[at + 7] = queue;
    this.#count++;
  }

  override has(id: number): boolean {
    return this.slots[(id & this.#mask) * FIELDS] === id || this.byId.has(id);
  }

  override find(id: unknown): number {
    // A hostile id (a string, 0, a fraction, a huge number) must not match a free slot or another request.
    if (typeof id !== 'number' || !(id > 0)) return -1;
    const at = (id & this.#mask) * FIELDS;
    if (this.slots[at] === id) return at;
    const fields = this.byId.get(id);
    if (fields === undefined) return -1;
    this.byId.delete(id);
    // Read from the slot past the ring.
    const read = (this.#mask + 1) * FIELDS;
    for (let i = 0; i < FIELDS; i++) this.slots[read + i] = fields[i];
    this.#count++;
    return read;
  }

  override free(at: number): void {
    const s = this.slots;
    s[at] = 0;
    for (let i = at + FIELDS - 1; i > at; i--) s[i] = undefined;
    this.#count--;
  }

  override ids(): number[] {
    const ids = super.ids();
    for (let at = 0; at < this.slots.length; at += FIELDS) if (this.slots[at] !== 0) ids.push(this.slots[at] as number);
    return ids.sort((a, b) => a - b);
  }

  /** Slots for `n` ids (a power of two), and the one to read a moved-aside request in; returns the old array. */
  #alloc(n: number): unknown[] {
    const old = this.slots;
    this.#mask = n - 1;
    this.slots = [];
    for (let i = 0; i <= n; i++) this.slots.push(0, undefined, undefined, undefined, undefined, undefined, undefined, undefined);
    return old;
  }

  /** Twice the slots. Ids in distinct slots under the old mask stay distinct under the wider one. */
  #grow(): void {
    const old = this.#alloc((this.#mask + 1) * 2);
    for (let from = 0; from < old.length - FIELDS; from += FIELDS) {
      const id = old[from] as number;
      const at = (id & this.#mask) * FIELDS;
      if (id !== 0) for (let i = 0; i < FIELDS; i++) this.slots[at + i] = old[from + i];
    }
  }
}
