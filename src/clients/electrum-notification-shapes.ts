// A hand-written check of the hottest notification's shape, for the path a wallet's client takes
// thousands of times a block: the script hash subscription's [scripthash, status | null]. It only ever
// accepts: whatever it does not accept goes to the generated validator, which gives the verdict and the
// errors. It is offered for a notification whose params the spec names scripthash and status, and used
// only where the generated check agrees with it on every probe below (the spec's schema at that protocol
// version); test/clients/notification-shapes.test.ts holds it to the generated validator over the spec's
// examples and seeded mutations of them. A StatusLineReader (below) goes further for the same
// notification: it reads its line, in the exact form servers write it, without JSON.parse.
import type { ValidationOutcome } from '../runtime/validation.js';

/** True when the value is of the shape; false sends it to the generated validator. */
export type ShapeCheck = (params: unknown) => boolean;

// 1 for the characters of a hex digit, either case; a table read is about twice as fast as comparisons here.
const HEX_DIGIT = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX_DIGIT[c.charCodeAt(0)] = 1;

/** 64 hex digits, either case: the spec's `^[0-9a-fA-F]{64}$` (a hash or a status). */
export function isHex64(value: unknown): boolean {
  if (typeof value !== 'string' || value.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f || HEX_DIGIT[c] === 0) return false;
  }
  return true;
}

/** The script hash subscription's notification: [scripthash, status or null], exactly two items. */
export function scripthashStatusShape(params: unknown): boolean {
  if (!Array.isArray(params) || params.length !== 2) return false;
  const status: unknown = params[1];
  return isHex64(params[0]) && (status === null || isHex64(status));
}

/** The fast checks by the spec's names of the notification's params, joined by commas. */
const SHAPES: Readonly<Record<string, ShapeCheck>> = { 'scripthash,status': scripthashStatusShape };

const H = '0123456789abcdef'.repeat(4);
const U = H.toUpperCase();
/** Values on both sides of the shape's every edge; the generated check must agree on each. */
export const SHAPE_PROBES: readonly unknown[] = [
  [H, H], [H, null], [U, U], [`${H.slice(0, 32)}${U.slice(32)}`, H], ['0'.repeat(64), 'f'.repeat(64)],
  [], [H], [H, H, H], [H, null, null], [null, H], [H, undefined], [H, 5], [5, H], [H, ''], [H, [H]], [H, {}], [[H], H],
  [`${H}0`, H], [H.slice(1), H], [H, `${H}0`], [H, H.slice(1)], [`${H.slice(1)}g`, H], [H, `${H.slice(1)}G`], [H, `${H.slice(1)}\n`],
  [H, `${H.slice(1)} `], [`${H.slice(1)}\u0660`, H], { 0: H, 1: H, length: 2 }, H, null, 'x', 5,
];

/**
 * The fast check for a notification whose params the spec names `paramNames` (MethodInfo.notificationParams),
 * where one exists and `check` (the generated notification check at the connection's version) agrees with
 * it on every probe; otherwise undefined, and the generated one runs alone.
 */
export function fastNotificationCheck(paramNames: readonly string[], check: (value: unknown) => ValidationOutcome): ShapeCheck | undefined {
  const names = paramNames.join(',');
  const shape = Object.hasOwn(SHAPES, names) ? SHAPES[names] : undefined;
  if (shape === undefined) return undefined;
  // The probes run once per check (a registry keeps one per method and version): a client whose server
  // alternates notification methods works out its plan again at each switch.
  let verdict = probed.get(check);
  if (verdict?.shape !== shape) {
    verdict = { shape, agreed: SHAPE_PROBES.every((probe) => shape(probe) === check(probe).valid) };
    probed.set(check, verdict);
  }
  return verdict.agreed ? shape : undefined;
}

/** Whether each generated check agreed with a fast one on every probe. */
const probed = new WeakMap<(value: unknown) => ValidationOutcome, { readonly shape: ShapeCheck; readonly agreed: boolean }>();

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

/** Whether the spec's notification params are those a StatusLineReader reads. */
export function readsStatusLines(paramNames: readonly string[]): boolean {
  const names = paramNames.join(',');
  return Object.hasOwn(SHAPES, names) && SHAPES[names] === scripthashStatusShape;
}
