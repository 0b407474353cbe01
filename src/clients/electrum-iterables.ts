// The Electrum client's async iterables, as channels its subscription book feeds: a subscription's later
// notifications (`subscribe`, with the answer it was subscribed with and an unsubscribe that ends it) and
// every notification of one kind (`notifications`).
import type { Connection } from '../runtime/connection.js';
import type { Channel } from '../runtime/channel.js';
import { ClosedError, ValidationError } from '../runtime/errors.js';
import type { ClientRegistry } from '../runtime/registry.js';
import { NO_OPTIONS, type RequestOptions } from '../runtime/session.js';
import { subscriptionKey } from '../runtime/subscriptions.js';
import type { ElectrumSubscriptions } from './electrum-subscriptions.js';
import type { ElectrumConnectionInfo, IterateOptions } from './electrum-types.js';

/** What the iterables need of their client. */
export interface IterableClient {
  readonly core: Connection<ElectrumConnectionInfo, ElectrumConnectionInfo>;
  readonly protocol: ClientRegistry<string>;
  readonly subs: ElectrumSubscriptions;
  /** The client's own request path: params checked, script hashes worked out. */
  call(method: string, params: readonly unknown[], options: RequestOptions): Promise<unknown>;
}


/** Subscribes; the channel of its later notifications, with `method`, `params`, `initial` and `unsubscribe()`. */
export async function subscribeIterable(client: IterableClient, method: string, params: readonly unknown[], options: RequestOptions): Promise<unknown> {
  const info = client.protocol.get(method);
  if (!info || info.kind !== 'subscription') throw new ValidationError(method, 'params', [`${method} is not a subscription`]);
  // Listening starts before the request goes out, so a notification right after the answer is not lost.
  const channel = openChannel(client, method, subscriptionKey(params.slice(0, info.subscriptionKey ?? 0)));
  let initial: unknown;
  try {
    initial = await client.call(method, params, options);
  } catch (e) {
    channel.end();
    throw e;
  }
  return Object.assign(channel, {
    method,
    params,
    initial,
    async unsubscribe(): Promise<void> {
      channel.end();
      await unsubscribe(client, method, params);
    },
  });
}

/** Every later notification of `method` (all script hashes, say), until the signal aborts. */
export function notificationIterable(client: IterableClient, method: string, options: IterateOptions): Channel<unknown[]> {
  const channel = openChannel(client, method, '*');
  if (options.signal) {
    if (options.signal.aborted) channel.end();
    else options.signal.addEventListener('abort', () => channel.end(), { once: true });
  }
  return channel;
}

async function unsubscribe(client: IterableClient, method: string, params: readonly unknown[]): Promise<void> {
  const { core, protocol, subs } = client;
  const info = protocol.get(method);
  if (!info) return;
  const arity = info.subscriptionKey ?? 0;
  if (!subs.has(method, arity, params)) return;
  const unsub = info.endedBy === undefined ? undefined : protocol.get(info.endedBy);
  const version = core.info?.protocolVersion;
  if (unsub && version && unsub.isAvailable(version) && core.state === 'open') {
    await client.call(unsub.method, params.slice(0, unsub.params.length), NO_OPTIONS);
  }
  // Without an unsubscribe method at this version the server keeps sending; the client stops renewing it.
  subs.remove(method, arity, params);
}

function openChannel(client: IterableClient, method: string, key: string): Channel<unknown[]> {
  if (client.core.state === 'closed') throw client.core.closeError ?? new ClosedError('the client is closed');
  return client.subs.openChannel(method, key);
}
