// A hand-written check of the hottest notification's shape, for the path a wallet's client takes
// thousands of times a block: the script hash subscription's [scripthash, status | null]. It only ever
// accepts: whatever it does not accept goes to the generated validator, which gives the verdict and the
// errors. It is offered for a notification whose params the spec names scripthash and status, and used
// only where the generated check agrees with it on every probe below (the spec's schema at that protocol
// version); test/clients/notification-shapes.test.ts holds it to the generated validator over the spec's
// examples and seeded mutations of them. A StatusLineReader (electrum-status-lines.ts) goes further for the same
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

/** Whether the spec's notification params are those a StatusLineReader reads. */
export function readsStatusLines(paramNames: readonly string[]): boolean {
  const names = paramNames.join(',');
  return Object.hasOwn(SHAPES, names) && SHAPES[names] === scripthashStatusShape;
}
