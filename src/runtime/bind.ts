// Turns a generated tree of wire names into callable wrappers, so no method needs hand-written code.

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
