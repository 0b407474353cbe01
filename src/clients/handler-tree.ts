// Handlers for what a peer sends, given in the shape of a generated tree of wire names (the way the wrappers
// are named: `mining.set_difficulty` is `mining.setDifficulty`) and looked up by wire name, so a client
// dispatches what it handles without naming a method by hand.
import type { MethodTree } from '../runtime/bind.js';

export type InboundHandler = (params: unknown[]) => unknown;

/** The functions in `handlers` (shaped like `tree`) by the wire names `tree` gives them; `into` collects several. */
export function handlersByWireName(tree: MethodTree, handlers: object, into: Map<string, InboundHandler> = new Map()): Map<string, InboundHandler> {
  for (const [accessor, node] of Object.entries(tree)) {
    const given: unknown = (handlers as Record<string, unknown>)[accessor];
    if (typeof node === 'string') {
      if (typeof given === 'function') into.set(node, given as InboundHandler);
    } else if (typeof given === 'object' && given !== null) handlersByWireName(node, given, into);
  }
  return into;
}
