// One connection for a command, whatever the URL's protocol: a request function, a notification feed and close.
import { ElectrumClient } from '../clients/electrum-client.js';
import { electrumProtocol } from '../generated/electrum/methods.js';
import type { ElectrumServerNotifications } from '../generated/electrum/types.js';
import type { RequestOptions } from '../runtime/session.js';
import { wrongServer } from './diagnose.js';
import type { SharedOptions } from './options.js';
import { UsageError } from './io.js';
import { checkServerUrl, type CheckedUrl } from './urls.js';

export interface CliConnection {
  readonly protocol: 'electrum' | 'mining';
  /** "ElectrumX 1.16.0, protocol 1.4" or the pool's equivalent. */
  readonly describe: string;
  request(method: string, params: unknown[], options?: RequestOptions): Promise<unknown>;
  /** Every notification the server sends, by wire name. Returns the remover. */
  onNotification(listener: (method: string, params: readonly unknown[]) => void): () => void;
  /** The connection ended (not by close()). */
  onClose(listener: (error: Error | undefined) => void): void;
  close(): void;
}

export interface ConnectOptions extends SharedOptions {
  readonly reconnect?: boolean;
  readonly clientName?: string;
}

/**
 * Connects for a command: the URL is checked first (a mistake in it is a UsageError), and a server of the
 * other protocol at that address is recognised and named (a UsageError saying which URL to use).
 */
export async function connectCli(text: string | CheckedUrl, options: ConnectOptions): Promise<CliConnection> {
  const url = typeof text === 'string' ? checkServerUrl(text) : text;
  if (url.protocol === 'mining') {
    const { connectMiningCli } = await import('./connect-mining.js');
    const conn = await connectMiningCli(url.url, options);
    // A pool's first answer tells whether it is one: an Electrum server refuses mining.* as unknown methods.
    let first = true;
    return {
      ...conn,
      request: async (method, params, requestOptions) => {
        const wasFirst = first;
        first = false;
        try {
          return await conn.request(method, params, requestOptions);
        } catch (e) {
          throw (wasFirst && (await wrongServer(url, e, options.tls, options.proxy))) || e;
        }
      },
    };
  }
  try {
    return await connectElectrum(url.url, options);
  } catch (e) {
    throw (await wrongServer(url, e, options.tls, options.proxy)) ?? e;
  }
}

async function connectElectrum(url: string, options: ConnectOptions): Promise<CliConnection> {
  const client = await ElectrumClient.connect(url, {
    clientName: options.clientName ?? 'stratum-sdk-cli',
    protocolVersion: options.protocolVersion,
    timeout: options.timeout,
    tls: options.tls,
    proxy: options.proxy,
    validate: options.validate,
    reconnect: options.reconnect ?? false,
  });
  return {
    protocol: 'electrum',
    describe: `${client.serverVersion}, protocol ${client.protocolVersion}`,
    request: (method, params, requestOptions) => {
      if (!electrumProtocol.has(method)) throw new UsageError(`unknown Electrum method ${JSON.stringify(method)} (see docs/reference/electrum.md)`);
      return client.request(method as never, params as never, requestOptions);
    },
    onNotification: (listener) => {
      const removers = (Object.keys(notificationNames()) as (keyof ElectrumServerNotifications)[]).map((name) =>
        client.on(name, (...params: readonly unknown[]) => listener(name, params)),
      );
      return () => removers.forEach((off) => off());
    },
    onClose: (listener) => void client.on('close', (error) => listener(error)),
    close: () => client.close(),
  };
}

/** The Electrum methods that notify, from the registry (so a new subscription in the spec needs no CLI change). */
function notificationNames(): Record<string, true> {
  return Object.fromEntries(electrumProtocol.names.filter((n) => electrumProtocol.get(n)?.hasNotification).map((n) => [n, true]));
}
