// Its own module: the lite client compares a renewal's answer with the last value delivered, and must not
// carry the subscription book's tables to do it.

/**
 * Whether two JSON values are the same (a status string, a header object), whatever their key order. It
 * recurses once per level: the values it is given were parsed within the session's depth limit.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
