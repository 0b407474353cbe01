// Walking JSON values a peer sent, within bounds. A parsed message can be nested as deep as its bytes
// allow (V8's JSON.parse does not recurse), and JSON.stringify, structuredClone or a caller's own walk
// of such a value overflows the stack. So depth is measured once, where messages are decoded, by a
// recursion that stops at the limit; and excerpts for errors and logs are written by one that stops at a
// length, whatever the value's size or depth.

/**
 * Whether a value nests containers deeper than `maxDepth` (a bare object or array is depth 1). The
 * recursion goes at most maxDepth frames deep, so it is safe on any value; it visits each container
 * once and stops at the first that is too deep.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  return typeof value === 'object' && value !== null && deeper(value, maxDepth);
}

function deeper(container: object, left: number): boolean {
  if (left <= 0) return true;
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) {
      const item: unknown = container[i];
      if (typeof item === 'object' && item !== null && deeper(item, left - 1)) return true;
    }
    return false;
  }
  const record = container as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (typeof item === 'object' && item !== null && deeper(item, left - 1)) return true;
  }
  return false;
}

/** A string cut at `max` characters, marked with "…" when cut: for text a peer sent, which may be any length. */
export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Longest excerpt by default: enough to recognise a message, short enough for a log line. */
export const DEFAULT_EXCERPT_LENGTH = 200;

// Deeper than this an excerpt writes "…" instead of recursing further, whatever length it was asked for: far
// from the stack's end on every platform.
const MAX_EXCERPT_DEPTH = 500;

/**
 * JSON text of a value, cut at `max` characters (and marked with "…" when cut). It stops writing as soon as
 * it has enough, so neither size nor depth matters: each container it opens adds a character, so it recurses
 * at most `max` levels (and never past MAX_EXCERPT_DEPTH). Values JSON has no text for (undefined, functions,
 * bigints, cycles) are shown as JSON.stringify would not fail on them.
 */
export function excerpt(value: unknown, max: number = DEFAULT_EXCERPT_LENGTH): string {
  let out = '';
  const seen = new Set<object>();
  const write = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null) out += scalar(v, max);
    else if (seen.has(v)) out += '"[cycle]"';
    else if (depth >= MAX_EXCERPT_DEPTH) out += '…';
    else {
      seen.add(v);
      if (Array.isArray(v)) {
        out += '[';
        for (let i = 0; i < v.length && out.length <= max; i++) {
          if (i > 0) out += ',';
          write(v[i], depth + 1);
        }
        out += ']';
      } else {
        out += '{';
        let first = true;
        for (const key in v) {
          if (out.length > max) break;
          if (!Object.hasOwn(v, key)) continue;
          out += `${first ? '' : ','}${scalar(key, max)}:`;
          first = false;
          write((v as Record<string, unknown>)[key], depth + 1);
        }
        out += '}';
      }
    }
  };
  write(value, 0);
  return cut(out, max);
}

/** A value that is not a container, as JSON text; a long string is cut before it is quoted. */
function scalar(value: unknown, max: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > max ? value.slice(0, max) : value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}`;
    case 'undefined':
      return 'null';
    default:
      return value === null ? 'null' : `"[${typeof value}]"`;
  }
}
