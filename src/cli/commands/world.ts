// stratum-sdk world (npm start): the regtest world with a built-in miner mining through Stratum and a
// wallet-side Electrum client watching the payout address, narrated as it happens.
import { parseArgs } from 'node:util';
import { ElectrumClient } from '../../clients/electrum-client.js';
import { MiningClient } from '../../clients/mining-client.js';
import { startWorld } from '../../regtest/world.js';
import type { StratumSdkError } from '../../runtime/errors.js';
import { UsageError, type CliIo } from '../io.js';
import { WORLD_HELP, WORLD_OPTIONS, worldOptions } from '../world-options.js';
import { runMiner } from './mine.js';
import { printWorld } from './serve.js';

export const WORLD_COMMAND_HELP = `Usage: stratum-sdk world [options]      (npm start)

Starts the regtest world on 127.0.0.1 (an in-memory chain, an Electrum server, a Stratum pool), a built-in CPU
miner mining through the pool, and a wallet-side Electrum client subscribed to the payout address, and prints
what happens: versions negotiated, jobs, accepted shares, new blocks, header notifications, the address's status
changes and its balance. Point your own wallet or miner at the printed URLs. Ctrl-C stops it cleanly.

${WORLD_HELP}
  --blocks <n>            stop after n blocks (default: run until Ctrl-C)`;

const sats = (n: number) => `${(n / 1e8).toFixed(8)} BTC`;

export async function world(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { ...WORLD_OPTIONS, blocks: { type: 'string' } }, strict: true });
  if (values.help) {
    io.stdout(WORLD_COMMAND_HELP);
    return 0;
  }
  const maxBlocks = values.blocks === undefined ? Infinity : Number(values.blocks);
  if (!(maxBlocks >= 1) || (maxBlocks !== Infinity && !Number.isInteger(maxBlocks))) throw new UsageError(`--blocks must be a whole number of at least 1, got ${JSON.stringify(values.blocks)}`);

  const w = await startWorld(worldOptions(values));
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  io.interrupt.addEventListener('abort', onInterrupt, { once: true });
  let wallet: ElectrumClient | undefined;
  try {
    printWorld(w, io);
    io.stdout('');
    w.chain.events.on('block', (block) => {
      io.stdout(`[chain]  block ${block.height} ${block.hash} (${block.txids.length} tx)`);
    });
    w.pool.events.on('block', (_block, worker) => io.stdout(`[pool]   ${worker}'s share is a block`));

    wallet = new ElectrumClient(w.urls.electrumTcp, { clientName: 'stratum-sdk wallet', keepAlive: false, genesisHash: w.chain.genesisHash });
    const client = wallet;
    client.on('connect', ({ serverVersion, protocolVersion }) => io.stdout(`[wallet] connected to ${serverVersion}, protocol ${protocolVersion} negotiated (asked 1.4-1.6), genesis checked`));
    await client.connect();
    let blocksSeen = 0;
    client.on('blockchain.headers.subscribe', (header) => {
      if ('hex' in header) io.stdout(`[wallet] header notification: height ${header.height}, ${header.hex.slice(0, 24)}…`);
      if (++blocksSeen >= maxBlocks) stop.abort();
    });
    client.on('blockchain.scripthash.subscribe', (scripthash, status) => {
      io.stdout(`[wallet] payout address status changed: ${status ?? 'null'}`);
      // The balance is asked for at once; with fast blocks it may already include the next one.
      void client.blockchain.scripthash.getBalance(scripthash).then(
        (b) => io.stdout(`[wallet] payout balance: ${sats(b.confirmed)} confirmed, ${sats(b.unconfirmed)} unconfirmed`),
        (e: StratumSdkError) => e.code !== 'CLOSED' && io.stdout(`[wallet] balance unavailable: ${e.message}`),
      );
    });
    const tip = await client.blockchain.headers.subscribe();
    io.stdout(`[wallet] tip: height ${'height' in tip ? tip.height : '?'}`);
    const status = await client.blockchain.scripthash.subscribe(w.payoutScripthash);
    io.stdout(`[wallet] subscribed to the payout address ${w.payoutAddress}: status ${status ?? 'null (no history yet)'}`);

    const miner = await MiningClient.connect(w.urls.stratum, { agent: 'stratum-sdk cpu miner' });
    const minerIo: CliIo = { ...io, interrupt: stop.signal };
    await runMiner(miner, { user: 'world.miner', password: 'x', shares: Infinity, versionRolling: true, prefix: '[miner]  ' }, minerIo);
    io.stdout('stopped cleanly');
    return 0;
  } finally {
    io.interrupt.removeEventListener('abort', onInterrupt);
    wallet?.close();
    await w.close();
  }
}
