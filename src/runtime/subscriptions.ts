// Client-side bookkeeping of subscriptions: which ones are active, with the last value the server gave
// for each, so that after a reconnect they are renewed and a change missed while disconnected is seen.
// Protocol-agnostic: a subscription's key is the part of its params that its notifications repeat, and
// how many params that is comes from the spec (MethodInfo.subscriptionKey), passed in by the caller.
import { KeyTable } from './key-table.js';
import type { MethodInfo } from './registry.js';

/**
 * A subscription whose params are more than its key (or whose key is not a lone string). The common
 * case, a scripthash subscription, stores only its value: its params are `[key]`, rebuilt on demand,
 * which halves what 100,000 subscriptions weigh.
 */
class Entry {
  constructor(
    readonly params: readonly unknown[],
    public value: unknown,
  ) {}
}

/**
 * A lone value that is a number, which the book's maps would otherwise read as a status slot (see
 * StatusSlots): rare enough to cost an object when it happens.
 */
class Verbatim {
  constructor(readonly value: number) {}
}

// A status, the hex SHA-256 of a history, is most of what a subscription weighs (64 hex digits are an
// 80-byte string) and what every notification replaces. So a status of 64 lowercase hex digits is kept
// as its 32 bytes in a slot of one shared buffer, and the map holds the slot's number: a notification
// then writes 32 bytes in place (no string kept alive past the next collections, no second map
// operation), and a subscription weighs its map entry and 32 bytes. Any other value is kept as it came.
const STATUS_BYTES = 32;
const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

// The value of each lowercase hex digit, -1 for any other character below 128: a table read is about
// twice as fast as comparisons on this path, which every status notification takes.
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let d = 0; d < 16; d++) HEX_VALUE[d.toString(16).charCodeAt(0)] = d;

function hexValue(c: number): number {
  return c > 0x7f ? -1 : (HEX_VALUE[c] as number);
}

/** 64 hex digits, either case (the spec's script hash): what updateHexKeyed needs every key of a method to be. */
function isHexKey(key: string): boolean {
  if (key.length !== 2 * STATUS_BYTES) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    // An uppercase A-F as its lowercase letter; every other character as it is.
    if (hexValue(c >= 0x41 && c <= 0x46 ? c + 0x20 : c) < 0) return false;
  }
  return true;
}

/** Whether a value is what a slot keeps: 64 lowercase hex digits. */
function isPackable(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 2 * STATUS_BYTES) return false;
  for (let i = 0; i < value.length; i++) if (hexValue(value.charCodeAt(i)) < 0) return false;
  return true;
}

/** Statuses as 32 bytes each in one growing buffer; freed slots are reused. */
class StatusSlots {
  #bytes = new Uint8Array(STATUS_BYTES * 64);
  #next = 0;
  #free: number[] = [];

  /** A slot holding `status` (which isPackable accepted). */
  take(status: string): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#next++;
      if (this.#next * STATUS_BYTES > this.#bytes.length) {
        const grown = new Uint8Array(this.#bytes.length * 2);
        grown.set(this.#bytes);
        this.#bytes = grown;
      }
    }
    this.write(slot, status);
    return slot;
  }

  /** Copies a status's 32 bytes, decoded already, into its slot. */
  copy(slot: number, bytes: Uint8Array): void {
    this.#bytes.set(bytes, slot * STATUS_BYTES);
  }

  /**
   * Writes a status into its slot; false (and the slot's bytes undefined: the caller lets it go) when the
   * value is not 64 lowercase hex digits.
   */
  write(slot: number, value: unknown): boolean {
    if (typeof value !== 'string' || value.length !== 2 * STATUS_BYTES) return false;
    const bytes = this.#bytes;
    const at = slot * STATUS_BYTES;
    for (let i = 0; i < STATUS_BYTES; i++) {
      const hi = hexValue(value.charCodeAt(2 * i));
      const lo = hexValue(value.charCodeAt(2 * i + 1));
      if ((hi | lo) < 0) return false;
      bytes[at + i] = (hi << 4) | lo;
    }
    return true;
  }

  read(slot: number): string {
    const bytes = this.#bytes;
    const at = slot * STATUS_BYTES;
    let hex = '';
    for (let i = 0; i < STATUS_BYTES; i++) hex += HEX_PAIRS[bytes[at + i] as number] as string;
    return hex;
  }

  release(slot: number): void {
    this.#free.push(slot);
  }

  clear(): void {
    this.#bytes = new Uint8Array(STATUS_BYTES * 64);
    this.#next = 0;
    this.#free = [];
  }
}

/** Whether params can be rebuilt from the key alone: one string param that is the whole key. */
function keyIsParams(arity: number, params: readonly unknown[]): boolean {
  return arity === 1 && params.length === 1 && typeof params[0] === 'string';
}

export interface ActiveSubscription {
  readonly method: string;
  readonly params: readonly unknown[];
  readonly value: unknown;
}

/**
 * How many leading params of a notification come before its value (`[scripthash, status]`: 1; `[header]`:
 * 0; `[txid, index, status]`: 2).
 * @deprecated The spec says it: use MethodInfo.subscriptionKey. Kept for callers outside the SDK.
 */
export function keyArity(info: Pick<MethodInfo, 'notificationParams'>): number {
  return Math.max(0, info.notificationParams.length - 1);
}

/** A compact map key; a lone string param (a script hash) is used as it is, with no copy. */
export function subscriptionKey(keyParams: readonly unknown[]): string {
  if (keyParams.length === 0) return '';
  if (keyParams.length === 1 && typeof keyParams[0] === 'string') return keyParams[0];
  return JSON.stringify(keyParams);
}

/** The key of a notification's params (`arity` key params, then the value); a lone script hash needs no copy. */
function notificationKey(arity: number, notificationParams: readonly unknown[]): string {
  return arity === 1 && typeof notificationParams[0] === 'string' ? notificationParams[0] : subscriptionKey(notificationParams.slice(0, arity));
}

export class SubscriptionBook {
  /**
   * Per method, per key: for a lone key (keyIsParams), the value as kept (a status slot's number, a
   * Verbatim, or the value itself); otherwise an Entry.
   */
  readonly #byMethod = new Map<string, KeyTable<unknown>>();
  readonly #slots = new StatusSlots();

  get size(): number {
    let n = 0;
    for (const m of this.#byMethod.values()) n += m.size;
    return n;
  }

  /** Records (or refreshes) a subscription after the server answered it. */
  record(method: string, arity: number, params: readonly unknown[], value: unknown): void {
    let entries = this.#byMethod.get(method);
    if (!entries) this.#byMethod.set(method, (entries = new KeyTable()));
    const key = subscriptionKey(params.slice(0, arity));
    this.recorded(method, key);
    this.#let(entries.get(key));
    entries.set(key, keyIsParams(arity, params) ? this.#keep(value) : new Entry(params, value));
  }

  remove(method: string, arity: number, keyParams: readonly unknown[]): boolean {
    const entries = this.#byMethod.get(method);
    if (!entries) return false;
    const key = subscriptionKey(keyParams.slice(0, arity));
    this.#let(entries.get(key));
    return entries.delete(key);
  }

  has(method: string, arity: number, keyParams: readonly unknown[]): boolean {
    return this.#byMethod.get(method)?.has(subscriptionKey(keyParams.slice(0, arity))) ?? false;
  }

  /**
   * Takes a notification's params (`arity` key params, the subscription's MethodInfo.subscriptionKey, then
   * the value) and keeps the value as the latest. Without `arity`, every param but the last is the key.
   */
  update(method: string, notificationParams: readonly unknown[], arity: number = notificationParams.length - 1): void {
    const entries = this.#byMethod.get(method);
    if (!entries || arity < 0 || notificationParams.length <= arity) return;
    const key = notificationKey(arity, notificationParams);
    const value = notificationParams[notificationParams.length - 1];
    const entry = entries.get(key);
    // The common case: a status replaces a status, in its slot, with no map write.
    if (typeof entry === 'number') {
      if (this.#slots.write(entry, value)) return;
      this.#slots.release(entry);
      entries.set(key, this.#keep(value));
    } else if (entry instanceof Entry) entry.value = value;
    else if (entry !== undefined || entries.has(key)) entries.set(key, this.#keep(value));
  }

  /** The last value of a subscription; undefined when there is none (ask `has` to tell that from a value). */
  value(method: string, arity: number, keyParams: readonly unknown[]): unknown {
    const entry = this.#byMethod.get(method)?.get(subscriptionKey(keyParams.slice(0, arity)));
    return entry instanceof Entry ? entry.value : this.#given(entry);
  }

  *entries(): IterableIterator<ActiveSubscription> {
    for (const [method, entries] of this.#byMethod) {
      for (const [key, entry] of entries) {
        yield entry instanceof Entry ? { method, params: entry.params, value: entry.value } : { method, params: [key], value: this.#given(entry) };
      }
    }
  }

  clear(): void {
    this.#byMethod.clear();
    this.#slots.clear();
  }

  /** A subscription was recorded under `key` (HexKeyedBook watches the keys; this book needs nothing). */
  protected recorded(_method: string, _key: string): void {}

  /** A method's subscriptions, as kept (for HexKeyedBook). */
  protected tableOf(method: string): KeyTable<unknown> | undefined {
    return this.#byMethod.get(method);
  }

  /** The status slots (for HexKeyedBook). */
  protected get slots(): StatusSlots {
    return this.#slots;
  }

  /** How a lone value is kept: a status in a slot, a number wrapped (a bare number is a slot), the rest as it is. */
  #keep(value: unknown): unknown {
    if (isPackable(value)) return this.#slots.take(value);
    return typeof value === 'number' ? new Verbatim(value) : value;
  }

  /** The value #keep was given. */
  #given(kept: unknown): unknown {
    if (typeof kept === 'number') return this.#slots.read(kept);
    return kept instanceof Verbatim ? kept.value : kept;
  }

  /** Lets go of what a kept value holds (its slot), before it is replaced or removed. */
  #let(kept: unknown): void {
    if (typeof kept === 'number') this.#slots.release(kept);
  }
}

/**
 * The book of the client that reads status notifications from their lines (electrum-status-lines.ts): it
 * also knows under which methods every key recorded is 64 hex digits, which lets such a line's key be
 * looked up without a check of its own (updateHexKeyed). Only that client makes one, so a lean bundle
 * carries none of it.
 */
export class HexKeyedBook extends SubscriptionBook {
  /** Methods under which a key that is not 64 hex digits was ever recorded (see updateHexKeyed). */
  readonly #otherKeys = new Set<string>();

  protected override recorded(method: string, key: string): void {
    if (!isHexKey(key)) this.#otherKeys.add(method);
  }

  override clear(): void {
    super.clear();
    this.#otherKeys.clear();
  }

  /**
   * update() for a notification `[key, status]` read from its line (electrum-status-lines.ts), where the
   * key is a slice of that line and `status` null or 64 lowercase hex digits whose 32 bytes are `bytes`:
   * the same change, or none and false when the key is not a lone key subscribed under `method`, or a
   * key that is not 64 hex digits was ever recorded under it. True tells the caller the key is one
   * recorded, so 64 hex digits itself: the reader checks no more of it.
   */
  updateHexKeyed(method: string, key: string, status: string | null, bytes: Uint8Array): boolean {
    if (this.#otherKeys.has(method)) return false;
    const entries = this.tableOf(method);
    const entry = entries?.get(key);
    if (entries === undefined || entry === undefined || entry instanceof Entry) return false;
    if (typeof entry === 'number') {
      if (status !== null) {
        this.slots.copy(entry, bytes);
        return true;
      }
      this.slots.release(entry);
    }
    entries.set(key, status === null ? null : this.slots.take(status));
    return true;
  }
}

/**
 * The renewals in flight after a reconnect, by method and key, each until the first word on its key
 * arrives on the new connection. A renewal's answer is the status when the server took the subscribe;
 * a notification for that key on the new connection can only follow the server storing the
 * subscription, so even one written before the answer is at least as new (ElectrumX stores it once the
 * status is computed; a server that stores it first notifies any later change again). So whatever
 * arrives first settles the key, and a renewal answer arriving after it is older news.
 */
export class PendingRenewals {
  readonly #byMethod = new Map<string, Set<string>>();

  add(method: string, key: string): void {
    let keys = this.#byMethod.get(method);
    if (!keys) this.#byMethod.set(method, (keys = new Set()));
    keys.add(key);
  }

  /** Takes the key's slot: true when nothing about the key arrived before (the caller has the first word). */
  take(method: string, key: string): boolean {
    return this.#byMethod.get(method)?.delete(key) ?? false;
  }

  /** A notification arrived (`arity` key params, then the value): it has the first word on its key, if nothing else had. */
  notified(method: string, notificationParams: readonly unknown[], arity: number = notificationParams.length - 1): void {
    if (arity < 0 || notificationParams.length <= arity) return;
    this.#byMethod.get(method)?.delete(notificationKey(arity, notificationParams));
  }
}
