// stratum-sdk serve: the regtest world alone (chain, Electrum server, pool), for testing your own wallet or miner.
import { addressToScriptPubKey } from '../../bitcoin/address.js';
import { COINBASE_MATURITY } from '../../regtest/chain.js';
import { startWorld } from '../../regtest/world.js';
import { parseCommand } from '../args.js';
import { UsageError, type CliIo } from '../io.js';
import { formatSummary } from '../../conformance/traffic/format.js';
import { trafficReport } from '../../conformance/traffic/report.js';
import { EXIT_CODES_HELP, failOnOf, finishReport, REPORT_OPTIONS, runningIo } from '../report-options.js';
import { maturityNote, printWorld, publicCertificateFile, TRAFFIC_HELP, TRAFFIC_OPTIONS, watchWorldTraffic, WORLD_HELP, WORLD_OPTIONS, worldOptions } from '../world-options.js';

export const SERVE_HELP = `Usage: stratum-sdk serve [options]

Starts the regtest world on 127.0.0.1 and waits for your wallet or miner: an in-memory chain from the real
regtest genesis block, an Electrum server (protocol 1.4 to 1.6; TCP, TLS, WebSocket and secure WebSocket)
over it, and a Stratum pool (TCP and TLS) whose blocks pay --address. The TLS ports present a self-signed
certificate made at start (or --tls-cert/--tls-key); its SHA-256 fingerprint is printed with the commands
that pin it. Stops cleanly on Ctrl-C.

${WORLD_HELP}

${TRAFFIC_HELP}
  --json                    with --check-clients: at exit, print the report as JSON (the shared conformance
                            report: a check per method, with the traffic summary and findings); stdout holds
                            the report alone, everything else goes to stderr
  --junit <file>            with --check-clients: at exit, also write the report as JUnit XML
  --fail-on error|deviation with --check-clients: exit 1 on a violation (default), or on a documented
                            deviation too. ${EXIT_CODES_HELP}

  --blocks <n>              mine n blocks to the payout address first (default 0; a coinbase is spendable
                            with ${COINBASE_MATURITY} confirmations, so --blocks ${COINBASE_MATURITY} gives one spendable coin)

Example (your own Electrum wallet, paid and able to spend):
  stratum-sdk serve --address $(electrum --regtest getunusedaddress) --blocks ${COINBASE_MATURITY}

Example (does my miner follow the spec?):
  stratum-sdk serve --check-clients --record session.jsonl`;

const sats = (n: number) => `${(n / 1e8).toFixed(8)} BTC`;

export async function serve(args: readonly string[], out: CliIo): Promise<number> {
  const { values } = parseCommand(args, { ...WORLD_OPTIONS, ...TRAFFIC_OPTIONS, ...REPORT_OPTIONS, blocks: { type: 'string' } }, { positionals: false });
  if (values.help) {
    out.stdout(SERVE_HELP);
    return 0;
  }
  const failOn = failOnOf(values['fail-on']);
  const reportFlag = (['json', 'junit', 'fail-on'] as const).find((name) => values[name] !== undefined);
  if (reportFlag && !values['check-clients']) throw new UsageError(`--${reportFlag} reports on --check-clients; give --check-clients too`);
  const io = runningIo(out, values.json);
  const blocks = values.blocks === undefined ? 0 : Number(values.blocks);
  if (!Number.isInteger(blocks) || blocks < 0 || blocks > 100_000) throw new UsageError(`--blocks must be a whole number from 0 to 100000, got ${JSON.stringify(values.blocks)}`);
  const cli = await worldOptions(values);
  const world = await startWorld(cli.options);
  const certFile = cli.certFile === undefined && world.tls ? await publicCertificateFile(world.tls) : undefined;
  let traffic: Awaited<ReturnType<typeof watchWorldTraffic>> | undefined;
  try {
    traffic = await watchWorldTraffic(world, values, io);
    const script = addressToScriptPubKey(world.payoutAddress, 'regtest');
    for (let i = 0; i < blocks; i++) world.chain.mine(script);
    if (cli.wroteCertificate) io.stdout(`wrote a new certificate to ${cli.wroteCertificate.cert} and its key to ${cli.wroteCertificate.key}; later starts with the same flags present it again`);
    printWorld(world, io, { certFile: cli.certFile ?? certFile?.path, ownAddress: values.address !== undefined });
    if (values.address !== undefined) {
      const balance = world.chain.balance(world.payoutScripthash);
      io.stdout(`your address ${world.payoutAddress}: ${sats(balance.confirmed)} from ${blocks} block${blocks === 1 ? '' : 's'}; ${maturityNote(world.chain.height, COINBASE_MATURITY)}`);
    }
    if (values['check-clients']) io.stdout('checking every client message against the spec: violations go to stderr as they happen, a summary when the world stops');
    if (values.record !== undefined) io.stdout(`recording every message to ${values.record}`);
    world.chain.events.on('block', (block) => io.stdout(`block ${block.height} ${block.hash}`));
    if (!io.interrupt.aborted) await new Promise<void>((resolve) => io.interrupt.addEventListener('abort', () => resolve(), { once: true }));
    io.stdout('stopping');
    const summary = await traffic.stop();
    traffic = undefined;
    if (summary) {
      const report = trafficReport({ target: 'stratum-sdk serve --check-clients', kind: 'client' }, [{ source: 'the world\'s servers', summary }]);
      return await finishReport(report, values, failOn, out, () => formatSummary(summary));
    }
    return 0;
  } finally {
    await traffic?.stop();
    await world.close();
    await certFile?.remove();
  }
}
