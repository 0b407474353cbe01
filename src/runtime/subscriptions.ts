// Client-side bookkeeping of subscriptions: which ones are active, with the last value the server gave
// for each, so that after a reconnect they are renewed and a change missed while disconnected is seen.
// Protocol-agnostic: a subscription's key is the part of its params that its notifications repeat, and
// how many params that is comes from the spec (MethodInfo.subscriptionKey), passed in by the caller.
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
 * A lone value that, kept as it is, would read as a packed status (see packStatus): rare enough to cost
 * an object when it happens.
 */
class Verbatim {
  constructor(readonly value: string) {}
}

// A status, the hex SHA-256 of a history, is most of what a subscription weighs: 64 hex digits are an
// 80-byte string. Kept as a marker and its 32 bytes, one character each, it is a 56-byte one; a value
// that is not 64 lowercase hex digits is kept as it came. The marker keeps the two apart.
const PACKED_MARK = 0x01;
const PACKED_LENGTH = 33;
const packCodes: number[] = new Array<number>(PACKED_LENGTH).fill(0);
packCodes[0] = PACKED_MARK;
const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** What the book keeps for a lone value (see PACKED_MARK): a status packed, anything else as it is. */
function packValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value.length === 64) {
    for (let i = 0; i < 32; i++) {
      const hi = hexValue(value.charCodeAt(2 * i));
      const lo = hexValue(value.charCodeAt(2 * i + 1));
      if ((hi | lo) < 0) return value;
      packCodes[i + 1] = (hi << 4) | lo;
    }
    return String.fromCharCode.apply(null, packCodes);
  }
  return value.length === PACKED_LENGTH && value.charCodeAt(0) === PACKED_MARK ? new Verbatim(value) : value;
}

/** The value packValue was given. */
function unpackValue(kept: unknown): unknown {
  if (typeof kept === 'string') {
    if (kept.length !== PACKED_LENGTH || kept.charCodeAt(0) !== PACKED_MARK) return kept;
    let hex = '';
    for (let i = 1; i < PACKED_LENGTH; i++) hex += HEX_PAIRS[kept.charCodeAt(i)] as string;
    return hex;
  }
  return kept instanceof Verbatim ? kept.value : kept;
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
  /** Per method, per key: the last value, or an Entry when the params are more than the key. */
  readonly #byMethod = new Map<string, Map<string, unknown>>();

  get size(): number {
    let n = 0;
    for (const m of this.#byMethod.values()) n += m.size;
    return n;
  }

  /** Records (or refreshes) a subscription after the server answered it. */
  record(method: string, arity: number, params: readonly unknown[], value: unknown): void {
    let entries = this.#byMethod.get(method);
    if (!entries) this.#byMethod.set(method, (entries = new Map()));
    const key = subscriptionKey(params.slice(0, arity));
    entries.set(key, keyIsParams(arity, params) ? packValue(value) : new Entry(params, value));
  }

  remove(method: string, arity: number, keyParams: readonly unknown[]): boolean {
    const entries = this.#byMethod.get(method);
    return entries?.delete(subscriptionKey(keyParams.slice(0, arity))) ?? false;
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
    if (entry instanceof Entry) entry.value = value;
    else if (entry !== undefined || entries.has(key)) entries.set(key, packValue(value));
  }

  /** The last value of a subscription; undefined when there is none (ask `has` to tell that from a value). */
  value(method: string, arity: number, keyParams: readonly unknown[]): unknown {
    const entry = this.#byMethod.get(method)?.get(subscriptionKey(keyParams.slice(0, arity)));
    return entry instanceof Entry ? entry.value : unpackValue(entry);
  }

  *entries(): IterableIterator<ActiveSubscription> {
    for (const [method, entries] of this.#byMethod) {
      for (const [key, entry] of entries) {
        yield entry instanceof Entry ? { method, params: entry.params, value: entry.value } : { method, params: [key], value: unpackValue(entry) };
      }
    }
  }

  clear(): void {
    this.#byMethod.clear();
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

/** Whether two JSON values are the same (a status string, a header object), whatever their key order. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
