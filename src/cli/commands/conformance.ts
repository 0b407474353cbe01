// stratum-sdk conformance <url>: checks an Electrum server or a Stratum V1 pool against the spec and prints
// pass, fail, skip or deviation per check with the reason; the exit code follows --fail-on.
import {
  formatTable,
  progressPrinter,
  runConformance,
  runPoolConformance,
  DEFAULT_POOL_STEP_TIMEOUT,
  type ConformanceReport,
} from '../../conformance/index.js';
import { UsageError, type CliIo } from '../io.js';
import { parseCommand } from '../args.js';
import { otherProtocolAnswers, wrongServer } from '../diagnose.js';
import { SHARED_HELP, SHARED_OPTIONS, sharedOptions } from '../options.js';
import { EXIT_CODES_HELP, failOnOf, finishReport, REPORT_OPTIONS } from '../report-options.js';
import { checkServerUrl } from '../urls.js';

export const CONFORMANCE_HELP = `Usage: stratum-sdk conformance <url> [--all] [--json] [--junit <file>] [--fail-on error|deviation]
       stratum-sdk conformance stratum+tcp://host:port --user <worker> [--password <p>] [--mine <seconds>]

Electrum servers (tcp://, tls://, ws://, wss://): version negotiation, the protocol basics (ids, error
codes for unknown methods and bad params, batches, malformed JSON), and every standard and legacy method
of the negotiated version, with params taken from the server's own chain or from the spec's examples.
Every answer is validated against the spec. Nothing is changed on the server: broadcast is sent an
invalid transaction, server.add_peer is skipped. Independent checks run at once.

Pools (stratum+tcp://, stratum+ssl://): mining.configure (version rolling), mining.subscribe with one and
two params, mining.extranonce.subscribe, mining.authorize for a good and a bad worker, the first
mining.set_difficulty and mining.notify (shape and consistency: a coinbase that parses), then shares that
are wrong in one way each (unknown job, extranonce2 size, ntime, version bits, duplicate, low difficulty,
before authorize), reporting how each refusal came back. Every step has a timeout; a silent pool is
reported, not waited on.

Each check is pass, fail (a spec violation, with the bytes), skip (with why) or deviation (not the spec,
but what the spec documents a known server doing). Progress goes to stderr, the table to stdout.

Options:
  --all                          Electrum: also check implementation-specific and experimental methods
  --user <worker>                pools: the worker to authorize (required for a pool)
  --password <p>                 pools: its password (default "x")
  --bad-user <worker>            pools: a worker the pool should refuse (default a made-up name)
  --mine <seconds>               pools: also mine one share with the SDK's miner, for at most this long
  --json                         print the report as JSON instead of a table
  --junit <file>                 also write the report as JUnit XML to this file
  --fail-on error|deviation      exit 1 on a failed check (default), or on a deviation too

${EXIT_CODES_HELP}

Examples:
  stratum-sdk conformance tcp://127.0.0.1:50001
  stratum-sdk conformance tls://electrum.example.org:50002 --protocol-version 1.4 --json
  stratum-sdk conformance stratum+tcp://127.0.0.1:3333 --user me --mine 30 --junit pool.xml

${SHARED_HELP}
For pools --timeout is the wait for each step (default ${DEFAULT_POOL_STEP_TIMEOUT}).
(--no-validate has no effect here: conformance always validates.)`;

const OPTIONS = {
  ...SHARED_OPTIONS,
  all: { type: 'boolean' },
  ...REPORT_OPTIONS,
  user: { type: 'string' },
  password: { type: 'string' },
  'bad-user': { type: 'string' },
  mine: { type: 'string' },
} as const;

const POOL_ONLY = ['user', 'password', 'bad-user', 'mine'] as const;

export async function conformance(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS);
  if (values.help) {
    io.stdout(CONFORMANCE_HELP);
    return 0;
  }
  const [url, ...extra] = positionals;
  if (!url) throw new UsageError('conformance needs a URL');
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const server = checkServerUrl(url);
  const failOn = failOnOf(values['fail-on']);
  const options = sharedOptions(values);
  const progress = progressPrinter({ write: io.stderr, isTty: io.isTty });

  let report: ConformanceReport;
  if (server.protocol === 'mining') {
    if (values.all) throw new UsageError('--all is for Electrum servers; a pool probe always runs every check');
    if (values.user === undefined || values.user === '') throw new UsageError('a pool probe needs --user <worker> (the worker to authorize)');
    const mine = values.mine === undefined ? undefined : seconds(values.mine);
    try {
      report = await runPoolConformance(url, { user: values.user, password: values.password, badUser: values['bad-user'], tls: options.tls, proxy: options.proxy, timeout: options.timeout, mine }, progress.onEvent);
    } catch (e) {
      throw (await wrongServer(server, e, options.tls, options.proxy)) ?? e;
    }
  } else {
    const misplaced = POOL_ONLY.find((name) => values[name] !== undefined);
    if (misplaced) throw new UsageError(`--${misplaced} is for pools (stratum+tcp:// or stratum+ssl://), not Electrum servers`);
    try {
      report = await runConformance(url, { protocolVersion: options.protocolVersion, tls: options.tls, proxy: options.proxy, timeout: options.timeout, all: values.all ?? false }, progress.onEvent);
    } catch (e) {
      throw (await wrongServer(server, e, options.tls, options.proxy)) ?? e;
    }
    // A pool refuses server.version as an unknown method: say so rather than list every method as failed.
    if (report.checks.find((c) => c.id === 'server.version')?.status === 'fail') {
      const hint = await otherProtocolAnswers(server, options.tls, options.proxy);
      if (hint) {
        progress.finish(report);
        throw hint;
      }
    }
  }
  progress.finish(report);
  return finishReport(report, values, failOn, io, () => formatTable(report));
}

function seconds(text: string): number {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--mine must be a number of seconds above 0, got ${JSON.stringify(text)}`);
  return n;
}
