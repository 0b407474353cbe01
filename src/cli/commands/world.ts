// stratum-sdk world (npm start): the regtest world with a built-in miner mining through Stratum and a
// wallet-side Electrum client watching the payout address, narrated as it happens.
import { availableParallelism } from 'node:os';
import { ElectrumClient } from '../../clients/electrum-client.js';
import { MiningClient } from '../../clients/mining-client.js';
import { COINBASE_MATURITY } from '../../regtest/chain.js';
import { startWorld } from '../../regtest/world.js';
import type { StratumSdkError } from '../../runtime/errors.js';
import { parseCommand } from '../args.js';
import { UsageError, type CliIo } from '../io.js';
import { maturityNote, printWorld, publicCertificateFile, WORLD_HELP, WORLD_OPTIONS, worldOptions } from '../world-options.js';
import { runMiner } from './mine.js';

export const WORLD_COMMAND_HELP = `Usage: stratum-sdk world [options]      (npm start)

Starts the regtest world on 127.0.0.1 (an in-memory chain, an Electrum server on TCP, TLS, WebSocket and
secure WebSocket, a Stratum pool on TCP and TLS), a built-in CPU miner mining through the pool, and a
wallet-side Electrum client subscribed to the payout address, and prints what happens: versions negotiated,
jobs, accepted shares, new blocks, header notifications, the address's status changes and its balance.
Point your own wallet or miner at the printed URLs. Ctrl-C stops it cleanly.

To be paid yourself, give your wallet's regtest address: npm start -- --address <bcrt1...>. A coinbase can
be spent once it has ${COINBASE_MATURITY} confirmations, which the narration counts down.

${WORLD_HELP}
  --blocks <n>              stop after the chain has n new blocks, and print the payout balance (default: run until Ctrl-C)
  --threads <n>             miner threads (default ${availableParallelism()}, this machine's cores)
  --quiet                   no hashrate lines from the miner`;

const sats = (n: number) => `${(n / 1e8).toFixed(8)} BTC`;

export async function world(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(args, { ...WORLD_OPTIONS, blocks: { type: 'string' }, threads: { type: 'string', short: 't' }, quiet: { type: 'boolean', short: 'q' } }, { positionals: false });
  if (values.help) {
    io.stdout(WORLD_COMMAND_HELP);
    return 0;
  }
  const maxBlocks = values.blocks === undefined ? Infinity : Number(values.blocks);
  if (!(maxBlocks >= 1) || (maxBlocks !== Infinity && !Number.isInteger(maxBlocks))) throw new UsageError(`--blocks must be a whole number of at least 1, got ${JSON.stringify(values.blocks)}`);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 1024)) throw new UsageError(`--threads must be a whole number from 1 to 1024, got ${JSON.stringify(values.threads)}`);
  const cli = await worldOptions(values);
  const ownAddress = values.address !== undefined;

  const w = await startWorld(cli.options);
  const certFile = cli.certFile === undefined && w.tls ? await publicCertificateFile(w.tls) : undefined;
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  io.interrupt.addEventListener('abort', onInterrupt, { once: true });
  let wallet: ElectrumClient | undefined;
  try {
    if (cli.wroteCertificate) io.stdout(`wrote a new certificate to ${cli.wroteCertificate.cert} and its key to ${cli.wroteCertificate.key}; later starts with the same flags present it again`);
    printWorld(w, io, { certFile: cli.certFile ?? certFile?.path, ownAddress });
    io.stdout('');
    const startHeight = w.chain.height;
    w.chain.events.on('block', (block) => {
      io.stdout(`[chain]  block ${block.height} ${block.hash} (${block.txids.length} tx)`);
      // Counted on the chain itself, as blocks are made: the miner stops before the pool can take another share.
      if (block.height - startHeight >= maxBlocks) stop.abort();
    });
    w.pool.events.on('block', (_block, worker) => io.stdout(`[pool]   ${worker}'s share is a block`));

    wallet = new ElectrumClient(w.urls.electrumTcp, { clientName: 'stratum-sdk wallet', keepAlive: false, genesisHash: w.chain.genesisHash });
    const client = wallet;
    client.on('connect', ({ serverVersion, protocolVersion }) => io.stdout(`[wallet] connected to ${serverVersion}, protocol ${protocolVersion} negotiated (asked 1.4-1.6), genesis checked`));
    await client.connect();
    let tipSeen = startHeight;
    client.on('blockchain.headers.subscribe', (header) => {
      tipSeen = Math.max(tipSeen, header.height);
      io.stdout(`[wallet] header notification: height ${header.height}, ${header.hex.slice(0, 24)}…`);
    });
    const who = ownAddress ? 'your address' : 'payout address';
    client.on('blockchain.scripthash.subscribe', (scripthash, status) => {
      io.stdout(`[wallet] ${who} status changed: ${status ?? 'null'}`);
      if (stop.signal.aborted) return; // the final balance follows
      // The balance is asked for at once; with fast blocks it may already include the next one.
      void client.blockchain.scripthash.getBalance(scripthash).then(
        (b) => io.stdout(`[wallet] ${who} balance: ${sats(b.confirmed)} confirmed, ${sats(b.unconfirmed)} unconfirmed${ownAddress ? `; ${maturityNote(w.chain.height, COINBASE_MATURITY)}` : ''}`),
        (e: StratumSdkError) => e.code !== 'CLOSED' && io.stdout(`[wallet] balance unavailable: ${e.message}`),
      );
    });
    const tip = await client.blockchain.headers.subscribe();
    io.stdout(`[wallet] tip: height ${tip.height}`);
    const status = await client.blockchain.scripthash.subscribe(w.payoutScripthash);
    io.stdout(`[wallet] subscribed to ${ownAddress ? 'your address' : 'the payout address'} ${w.payoutAddress}: status ${status ?? 'null (no history yet)'}`);
    if (ownAddress) io.stdout(`[wallet] ${maturityNote(w.chain.height, COINBASE_MATURITY)}`);

    if (!stop.signal.aborted) {
      const miner = await MiningClient.connect(w.urls.stratum, { agent: 'stratum-sdk cpu miner' });
      const minerIo: CliIo = { ...io, interrupt: stop.signal };
      await runMiner(
        miner,
        { user: 'world.miner', password: 'x', shares: Infinity, versionRolling: true, prefix: '[miner]  ', ...(threads === undefined ? {} : { threads }), statusEvery: values.quiet ? 0 : 5 },
        minerIo,
      );
    }
    const mined = w.chain.height - startHeight;
    if (maxBlocks !== Infinity) {
      // The wallet's own view, once its server has told it of the last block.
      await until(() => tipSeen >= w.chain.height, 5_000);
      const b = await client.blockchain.scripthash.getBalance(w.payoutScripthash);
      io.stdout(`[wallet] final balance of ${ownAddress ? 'your address ' : ''}${w.payoutAddress} after ${mined} block${mined === 1 ? '' : 's'}: ${sats(b.confirmed)} confirmed, ${sats(b.unconfirmed)} unconfirmed`);
      io.stdout(`[wallet] ${maturityNote(w.chain.height, COINBASE_MATURITY)}`);
    }
    io.stdout('stopped cleanly');
    return 0;
  } finally {
    io.interrupt.removeEventListener('abort', onInterrupt);
    wallet?.close();
    await w.close();
    await certFile?.remove();
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
