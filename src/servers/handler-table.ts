// Turns a typed handler object into the table the dispatcher looks methods up in.
import type { RequestHandler } from '../runtime/server/dispatch.js';

/**
 * The handlers for the registry's method names, bound to their object, so a class instance's methods
 * work as well as a plain object's. The generated handler types take each method's own params tuple;
 * the dispatcher validates params against the same spec before calling, which is what makes the
 * widening to `unknown[]` here safe.
 */
export function bindHandlers<S>(names: readonly string[], handlers: object): Record<string, RequestHandler<S> | undefined> {
  const table: Record<string, RequestHandler<S> | undefined> = {};
  const source = handlers as Readonly<Record<string, unknown>>;
  for (const method of names) {
    const handler = source[method];
    if (typeof handler === 'function') table[method] = (handler as RequestHandler<S>).bind(handlers);
  }
  return table;
}
