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
        ? (...params: unknown[]) => {
            let n = params.length;
            while (n > 0 && params[n - 1] === undefined) n--;
            return call(node, n === params.length ? params : params.slice(0, n));
          }
        : bindMethodTree(node, call);
  }
  return Object.freeze(out);
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
export function requestTree(names: readonly string[]): MethodTree {
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
