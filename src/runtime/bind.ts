// Turns a generated tree of wire names into callable wrappers, so no method needs hand-written code.
import type { MethodTable } from './registry.js';

/** As generated: { blockchain: { transaction: { get: 'blockchain.transaction.get' } } }. */
export interface MethodTree {
  readonly [accessor: string]: string | MethodTree;
}

export type CallFunction = (method: string, params: unknown[]) => Promise<unknown>;

/**
 * Each leaf becomes `(...params) => call(wireName, params)`. Trailing `undefined` arguments are dropped:
 * `get(txid, undefined)` means "verbose not given", and JSON would otherwise send it as null.
 */
export function bindMethodTree(tree: MethodTree, call: CallFunction): unknown {
  const out: Record<string, unknown> = {};
  for (const [accessor, node] of Object.entries(tree)) {
    out[accessor] =
      typeof node === 'string'
        ? (...params: unknown[]) => call(node, trimmed(params))
        : bindMethodTree(node, call);
  }
  return Object.freeze(out);
}

/** The params without their trailing `undefined`s (the array itself when there are none). */
function trimmed(params: unknown[]): unknown[] {
  let n = params.length;
  while (n > 0 && params[n - 1] === undefined) n--;
  return n === params.length ? params : params.slice(0, n);
}

/**
 * The tree of the requests a client sends (every method but notifications and server-to-client requests), from
 * the method table: each wire name's segments, camelCased, are its path ("blockchain.transaction.get_merkle" is
 * blockchain.transaction.getMerkle), as codegen/names.mjs names the typed wrappers. The generated client tree
 * holds the same (test/runtime/bind.test.ts): made from the table a client carries anyway, its wire names are
 * not a second time in a bundle.
 */
export function clientRequestTree(table: MethodTable): MethodTree {
  return requestTree(
    Object.keys(table).filter((method) => {
      const def = table[method] as MethodTable[string];
      return def.kind !== 'notification' && def.direction !== 'server-to-client';
    }),
  );
}

/** The tree of these wire names, each under its camelCased segments (see clientRequestTree). */
function requestTree(names: readonly string[]): MethodTree {
  const root: Record<string, string | MethodTree> = {};
  for (const method of [...names].sort()) {
    const path = method.split('.').map((s) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    const leaf = path.pop() as string;
    let node = root;
    for (const seg of path) node = (node[seg] ??= {}) as Record<string, string | MethodTree>;
    node[leaf] = method;
  }
  return root;
}

/**
 * The wrappers of the smallest client, with no list of names to carry: each property read is one more
 * segment of a wire name (`getMerkle` is `get_merkle`, as codegen/names.mjs's `wireNameOf` has it, the
 * inverse of the generated accessors; the generator refuses a wire name this would not give back), and a call
 * sends it. Read on demand, so `Object.keys` sees none of them. The language's own names keep their meaning:
 * Function.prototype's methods (`call`, `apply`, `bind`, `toString`, ...), symbols, and `then` and `toJSON`,
 * which `await` and JSON.stringify look up, are not wire names.
 */
export function wireTree(roots: readonly string[], call: CallFunction): Record<string, unknown> {
  const node = (method: string): unknown =>
    new Proxy(() => undefined, {
      get: (target, key) =>
        typeof key !== 'string' || typeof (Function.prototype as unknown as Record<string, unknown>)[key] === 'function'
          ? Reflect.get(target, key)
          : key === 'then' || key === 'toJSON'
            ? undefined
            : node(`${method}.${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`),
      apply: (_target, _this, params: unknown[]) => call(method, trimmed(params)),
    });
  return Object.fromEntries(roots.map((root) => [root, node(root)]));
}
