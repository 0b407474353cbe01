// The `proxy` option of both clients, parsed when the client is made so a mistake in it is reported there. The
// parsing is the platform module's: Node's reads the URL (proxy.ts), the browser's refuses any proxy.
import { ConnectError } from '../runtime/errors.js';
import { parseProxy } from './platform.js';
import type { ProxyTarget } from './proxy.js';

/**
 * The `proxy` option of a client, parsed; undefined without one. A proxy with a `connector` is refused rather
 * than one silently ignored: a connection that was meant to go through Tor must not go out directly.
 */
export function proxyOption(options: { readonly proxy?: string | undefined; readonly connector?: unknown }): ProxyTarget | undefined {
  if (options.proxy === undefined) return undefined;
  if (options.connector !== undefined) throw new ConnectError('give either `proxy` or `connector`, not both: a connector makes its own connections and would bypass the proxy');
  return parseProxy(options.proxy);
}
