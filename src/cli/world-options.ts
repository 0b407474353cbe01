// Options of the commands that start the regtest world (world, serve).
import type { ParseArgsConfig } from 'node:util';
import { DEFAULT_WORLD_PORTS, type WorldOptions } from '../regtest/world.js';
import { UsageError } from './io.js';

export const WORLD_OPTIONS = {
  host: { type: 'string' },
  'electrum-port': { type: 'string' },
  'ws-port': { type: 'string' },
  'stratum-port': { type: 'string' },
  address: { type: 'string' },
  difficulty: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const WORLD_HELP = `World options:
  --host <ip>             interface to listen on (default 127.0.0.1)
  --electrum-port <n>     Electrum TCP port (default ${DEFAULT_WORLD_PORTS.electrumTcp}; 0 for any free port)
  --ws-port <n>           Electrum WebSocket port (default ${DEFAULT_WORLD_PORTS.electrumWs})
  --stratum-port <n>      Stratum pool port (default ${DEFAULT_WORLD_PORTS.stratum})
  --address <bcrt1...>    regtest address the block rewards pay (default: a fixed one)
  --difficulty <d>        pool share difficulty (default 1/4096: a share every few seconds per CPU core)`;

export interface WorldValues {
  host?: string | undefined;
  'electrum-port'?: string | undefined;
  'ws-port'?: string | undefined;
  'stratum-port'?: string | undefined;
  address?: string | undefined;
  difficulty?: string | undefined;
}

export function worldOptions(values: WorldValues): WorldOptions {
  const port = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number from 0 to 65535, got ${JSON.stringify(text)}`);
    return n;
  };
  const ports = {
    ...optional('electrumTcp', port('--electrum-port', values['electrum-port'])),
    ...optional('electrumWs', port('--ws-port', values['ws-port'])),
    ...optional('stratum', port('--stratum-port', values['stratum-port'])),
  };
  let difficulty: number | undefined;
  if (values.difficulty !== undefined) {
    const [a, b] = values.difficulty.split('/');
    difficulty = b === undefined ? Number(a) : Number(a) / Number(b);
    if (!(difficulty > 0) || !Number.isFinite(difficulty)) throw new UsageError(`--difficulty must be a positive number or a fraction like 1/4096, got ${JSON.stringify(values.difficulty)}`);
  }
  return {
    ports,
    ...optional('host', values.host),
    ...optional('payoutAddress', values.address),
    ...optional('shareDifficulty', difficulty),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
