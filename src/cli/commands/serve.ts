// stratum-sdk serve: the regtest world alone (chain, Electrum server, pool), for testing your own wallet or miner.
import { parseArgs } from 'node:util';
import { addressToScriptPubKey } from '../../bitcoin/address.js';
import { startWorld, type World } from '../../regtest/world.js';
import { UsageError, type CliIo } from '../io.js';
import { WORLD_HELP, WORLD_OPTIONS, worldOptions } from '../world-options.js';

export const SERVE_HELP = `Usage: stratum-sdk serve [options]

Starts the regtest world on 127.0.0.1 and waits for your wallet or miner: an in-memory chain from the real
regtest genesis block, an Electrum server (protocol 1.4 to 1.6, TCP and WebSocket) over it, and a Stratum
pool whose blocks pay --address. Stops cleanly on Ctrl-C.

${WORLD_HELP}
  --blocks <n>            mine n blocks to the payout address first (default 0)`;

export async function serve(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { ...WORLD_OPTIONS, blocks: { type: 'string' } }, strict: true });
  if (values.help) {
    io.stdout(SERVE_HELP);
    return 0;
  }
  const blocks = values.blocks === undefined ? 0 : Number(values.blocks);
  if (!Number.isInteger(blocks) || blocks < 0 || blocks > 100_000) throw new UsageError(`--blocks must be a whole number, got ${JSON.stringify(values.blocks)}`);
  const world = await startWorld(worldOptions(values));
  try {
    const script = addressToScriptPubKey(world.payoutAddress, 'regtest');
    for (let i = 0; i < blocks; i++) world.chain.mine(script);
    printWorld(world, io);
    world.chain.events.on('block', (block) => io.stdout(`block ${block.height} ${block.hash}`));
    if (!io.interrupt.aborted) await new Promise<void>((resolve) => io.interrupt.addEventListener('abort', () => resolve(), { once: true }));
    io.stdout('stopping');
    return 0;
  } finally {
    await world.close();
  }
}

/** The URLs, and how to point real software at them. */
export function printWorld(world: World, io: CliIo): void {
  const tcp = new URL(world.urls.electrumTcp);
  const stratum = new URL(world.urls.stratum.replace('stratum+tcp:', 'http:'));
  io.stdout(`stratum-sdk regtest world, chain height ${world.chain.height} (genesis ${world.chain.genesisHash})`);
  io.stdout(`  Electrum  ${world.urls.electrumTcp}   ${world.urls.electrumWs}`);
  io.stdout(`  Stratum   ${world.urls.stratum}`);
  io.stdout(`  payout    ${world.payoutAddress}`);
  io.stdout('Point your own software at it:');
  io.stdout(`  electrum --regtest --oneserver --server ${tcp.hostname}:${tcp.port}:t`);
  io.stdout(`  cpuminer -a sha256d -o stratum+tcp://${stratum.hostname}:${stratum.port} -u you -p x`);
  io.stdout(`  npx stratum-sdk subscribe ${world.urls.electrumTcp} blockchain.headers.subscribe`);
}
