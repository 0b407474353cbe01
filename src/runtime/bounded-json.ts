// Walking JSON values a peer sent, within bounds. A parsed message can be nested as deep as its bytes
// allow (V8's JSON.parse does not recurse), and JSON.stringify, structuredClone or a caller's own walk
// of such a value overflows the stack. So depth is measured once, where messages are decoded, by a
// recursion that stops at the limit; and excerpts for errors and logs are written by a loop that stops
// at a length, whatever the value's size or depth.

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

type Frame =
  | { readonly kind: 'array'; readonly items: readonly unknown[]; index: number }
  | { readonly kind: 'object'; readonly keys: Iterator<string>; readonly record: Record<string, unknown>; first: boolean };

/**
 * JSON text of a value, cut at `max` characters (and marked with "…" when cut). Written by a loop with
 * its own stack, so neither depth nor size matters: it stops as soon as it has enough. Values JSON has
 * no text for (undefined, functions, bigints, cycles) are shown as JSON.stringify would not fail on them.
 */
export function excerpt(value: unknown, max: number = DEFAULT_EXCERPT_LENGTH): string {
  let out = '';
  const stack: Frame[] = [];
  const seen = new Set<object>();
  let next: { value: unknown } | undefined = { value };
  for (;;) {
    if (out.length > max) return cut(out, max);
    if (next !== undefined) {
      const v = next.value;
      next = undefined;
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) out += '"[cycle]"';
        else if (Array.isArray(v)) {
          seen.add(v);
          out += '[';
          stack.push({ kind: 'array', items: v, index: 0 });
        } else {
          seen.add(v);
          out += '{';
          stack.push({ kind: 'object', keys: ownKeys(v as Record<string, unknown>), record: v as Record<string, unknown>, first: true });
        }
      } else out += scalar(v, max);
      continue;
    }
    const frame = stack.at(-1);
    if (frame === undefined) return out;
    if (frame.kind === 'array') {
      if (frame.index < frame.items.length) {
        if (frame.index > 0) out += ',';
        next = { value: frame.items[frame.index++] };
      } else {
        out += ']';
        stack.pop();
      }
    } else {
      const key = frame.keys.next();
      if (key.done) {
        out += '}';
        stack.pop();
      } else {
        out += `${frame.first ? '' : ','}${scalar(key.value, max)}:`;
        frame.first = false;
        next = { value: frame.record[key.value] };
      }
    }
  }
}

function* ownKeys(record: Record<string, unknown>): Iterator<string> {
  for (const key in record) if (Object.hasOwn(record, key)) yield key;
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
