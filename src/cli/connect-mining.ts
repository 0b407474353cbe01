// The mining side of connectCli: a MiningClient behind the same small interface as an Electrum client.
import { MiningClient } from '../clients/mining-client.js';
import { miningProtocol } from '../generated/mining/methods.js';
import type { MiningServerNotifications } from '../generated/mining/types.js';
import type { CliConnection, ConnectOptions } from './connect.js';
import { UsageError } from './io.js';

export async function connectMiningCli(url: string, options: ConnectOptions): Promise<CliConnection> {
  const client = await MiningClient.connect(url, { timeout: options.timeout, tls: options.tls, proxy: options.proxy, validate: options.validate });
  // Every server-to-client notification of the spec, so a new one needs no change here.
  const names = miningProtocol.names.filter((n) => {
    const info = miningProtocol.get(n);
    return info?.hasNotification === true && info.notificationDirection !== 'client-to-server';
  }) as (keyof MiningServerNotifications)[];
  return {
    protocol: 'mining',
    describe: `pool ${client.host}:${client.port}`,
    request: (method, params, requestOptions) => {
      const info = miningProtocol.get(method);
      if (!info || info.direction === 'server-to-client') throw new UsageError(`unknown Stratum request ${JSON.stringify(method)} (see docs/reference/mining.md)`);
      return client.request(method as never, params as never, requestOptions);
    },
    onNotification: (listener) => {
      const removers = names.map((name) => client.on(name, (...params: readonly unknown[]) => listener(name, params)));
      return () => removers.forEach((off) => off());
    },
    onClose: (listener) => void client.on('close', (error) => listener(error)),
    close: () => client.close(),
  };
}
