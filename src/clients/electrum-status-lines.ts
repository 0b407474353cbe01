// The hottest notification read from its line, before any JSON.parse: what the client of
// stratum-sdk/electrum (the one that validates every method) does for a wallet's status notifications. The
// lean client leaves it out, so a browser bundle pays nothing for it and parses every line (the same
// outcomes, test/clients/status-line.test.ts). takeStatus decides whether a line read here is taken, from
// what ElectrumSubscriptions tells of its state; the rest of this module recognises the line's exact form.
import type { ElectrumSubscriptions, NotificationShortcuts } from './electrum-subscriptions.js';
import { fastNotificationCheck, readsStatusLines, scripthashStatusShape } from './electrum-notification-shapes.js';
import { HexKeyedBook } from '../runtime/subscriptions.js';
import { PendingRing } from '../runtime/pending-ring.js';

// A status notification in the exact form ElectrumX and Fulcrum write it (these keys in this order, no
// spaces), read from its line without JSON.parse: the line IS the message
// {"jsonrpc":"2.0","method":M,"params":[key, status]} when the key and a status string are 64 hex digits
// each, which hold no escape, so their text is their value.
const NULL_TAIL = '",null]}';
const QUOTE = 0x22;
const COMMA = 0x2c;

// The value of each lowercase hex digit as a byte, -1 for any other byte.
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let d = 0; d < 16; d++) HEX_VALUE[d.toString(16).charCodeAt(0)] = d;

// A line's characters are read as bytes: one native copy (encodeInto), after which every check reads a
// typed array, cheaper than charCodeAt on a line (a slice of the text a read decoded) by half or more.
const encoder = new TextEncoder();
const NULL_BYTES = encoder.encode(NULL_TAIL);

/** Reads one method's status notifications (the method the spec's [scripthash, status] names) from their lines. */
export class StatusLineReader {
  /** Where the key's 64 characters are in such a line, and a status's. */
  readonly keyAt: number;
  readonly statusAt: number;
  readonly #withStatus: number;
  readonly #withNull: number;
  readonly #line: Uint8Array;
  // The prefix is compared a 32-bit word at a time: its bytes then zeros, and which bytes of the last
  // word are its own.
  readonly #lineWords: Uint32Array;
  readonly #prefixWords: Uint32Array;
  readonly #lastMask: number;

  constructor(readonly method: string) {
    const prefix = encoder.encode(`{"jsonrpc":"2.0","method":${JSON.stringify(method)},"params":["`);
    this.keyAt = prefix.length;
    this.statusAt = this.keyAt + 64 + 3;
    this.#withStatus = this.statusAt + 64 + 3;
    this.#withNull = this.keyAt + 64 + NULL_TAIL.length;
    // Four bytes longer than a line, so the last word of a prefix-sized view is inside it.
    this.#line = new Uint8Array(this.#withStatus + 4);
    this.#lineWords = new Uint32Array(this.#line.buffer, 0, (this.keyAt + 3) >> 2);
    const words = new Uint8Array(this.#lineWords.length * 4);
    words.set(prefix);
    this.#prefixWords = new Uint32Array(words.buffer);
    const mask = new Uint8Array(4).map((_, i) => (i < (this.keyAt & 3 || 4) ? 0xff : 0));
    this.#lastMask = new Uint32Array(mask.buffer)[0] as number;
  }

  /**
   * Reads a line of that form whose status is 64 lowercase hex digits (1, its bytes now in `status`) or
   * null (2); 0 for any other line, which the general path (JSON.parse) reads. The key's 64 characters
   * are NOT checked here: the caller takes the line only where they equal a key it knows to be 64 hex
   * digits (SubscriptionBook.updateHexKeyed), and hands it to the general path otherwise.
   */
  read(text: string, status: Uint8Array): 0 | 1 | 2 {
    const length = text.length;
    if (length !== this.#withStatus && length !== this.#withNull) return 0;
    // Every character read, each as one byte: the line is ASCII, so a byte's place is its character's.
    const line = this.#line;
    const copied = encoder.encodeInto(text, line);
    if (copied.read !== length || copied.written !== length) return 0;
    const words = this.#lineWords;
    const prefix = this.#prefixWords;
    const last = words.length - 1;
    for (let i = 0; i < last; i++) if (words[i] !== prefix[i]) return 0;
    if (((words[last] as number) & this.#lastMask) >>> 0 !== prefix[last]) return 0;
    const end = this.keyAt + 64;
    if (length === this.#withNull) {
      for (let i = 0; i < NULL_BYTES.length; i++) if (line[end + i] !== NULL_BYTES[i]) return 0;
      return 2;
    }
    if (line[end] !== QUOTE || line[end + 1] !== COMMA || line[end + 2] !== QUOTE) return 0;
    if (line[length - 3] !== QUOTE || line[length - 2] !== 0x5d || line[length - 1] !== 0x7d) return 0;
    for (let i = 0, at = this.statusAt; i < 32; i++, at += 2) {
      const value = ((HEX_VALUE[line[at] as number] as number) << 4) | (HEX_VALUE[line[at + 1] as number] as number);
      if (value < 0) return 0;
      status[i] = value;
    }
    return 1;
  }
}


/**
 * A status notification of `method` read from its line in its exact wire form, before any JSON.parse:
 * `status` is null or 64 lowercase hex digits, already decoded into `bytes`, and `key` the line's 64
 * characters, unchecked. Taken (true), and dispatched as ElectrumSubscriptions.dispatch would, only where
 * that is all dispatch would do and the key is one the book knows to be 64 hex digits; otherwise false,
 * having done nothing, and the line takes the general path (test/clients/status-line.test.ts holds the two
 * to the same outcomes).
 */
export function takeStatus(subs: ElectrumSubscriptions, method: string, key: string, status: string | null, bytes: Uint8Array, version: string | undefined): boolean {
  const plan = subs.notificationPlan(method, version);
  const info = plan.info;
  const host = subs.host;
  // Where dispatch would do more than check the shape and deliver, it does it.
  if (info === undefined || info.subscriptionKey !== 1 || (host.validate && (plan.fast === undefined || plan.fast !== host.shortcuts?.statusShape))) return false;
  if (!subs.quiet) return false;
  // The key is one the book recorded, all 64 hex digits: the shape check passes (see SubscriptionBook.updateHexKeyed).
  // The book is the one these shortcuts made (electrumShortcuts.book).
  if (!(subs.book as HexKeyedBook).updateHexKeyed(info.method, key, status, bytes)) return false;
  subs.handOut(info.method, [key, status], 1);
  return true;
}

/** The bytes of the status read last (one buffer: a line is read and done with before the next). */
const STATUS_BYTES = new Uint8Array(32);

/**
 * A line reader for a client's subscriptions: true when the line was a status notification in its exact
 * wire form (StatusLineReader) for a subscription whose key the book knows, and has been dispatched as
 * ElectrumSubscriptions.dispatch would; false, having done nothing, for any other line, which then takes the
 * general path. The values handed on are slices of the line: what a listener keeps of them keeps the text
 * they were read from.
 */
export function statusLineReading(subs: ElectrumSubscriptions): (text: string, version: string | undefined) => boolean {
  let readers: readonly StatusLineReader[] | undefined;
  return (text, version) => {
    // One reader per method whose notification is the spec's [scripthash, status], made on first use.
    readers ??= subs.host.protocol.names.flatMap((name) => {
      const info = subs.host.protocol.get(name);
      return info?.hasNotification && readsStatusLines(info.notificationParams) ? [new StatusLineReader(info.method)] : [];
    });
    for (let i = 0; i < readers.length; i++) {
      const reader = readers[i] as StatusLineReader;
      const form = reader.read(text, STATUS_BYTES);
      if (form === 0) continue;
      const key = text.slice(reader.keyAt, reader.keyAt + 64);
      const status = form === 1 ? text.slice(reader.statusAt, reader.statusAt + 64) : null;
      return takeStatus(subs, reader.method, key, status, STATUS_BYTES, version);
    }
    return false;
  };
}

/** The fast paths of the client that validates every method (see NotificationShortcuts). */
export const electrumShortcuts: NotificationShortcuts = {
  fastCheck: fastNotificationCheck,
  statusShape: scripthashStatusShape,
  book: () => new HexKeyedBook(),
  lineReader: statusLineReading,
  pendingTable: () => new PendingRing(),
};
