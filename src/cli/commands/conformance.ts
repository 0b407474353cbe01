// stratum-sdk conformance <url>: checks an Electrum server against the spec and prints pass or fail per
// method with the reason; exit 1 on any failure.
import { runConformance, type CheckResult, type ConformanceReport, type ProgressEvent } from '../../conformance/index.js';
import { json, UsageError, type CliIo } from '../io.js';
import { parseCommand } from '../args.js';
import { otherProtocolAnswers, wrongServer } from '../diagnose.js';
import { SHARED_HELP, SHARED_OPTIONS, sharedOptions } from '../options.js';
import { checkServerUrl } from '../urls.js';

export const CONFORMANCE_HELP = `Usage: stratum-sdk conformance <url> [--all] [--json]

Checks whether an Electrum server follows the spec: version negotiation, the protocol basics (ids,
error codes for unknown methods and bad params, batches, malformed JSON), and every standard and
legacy method of the negotiated version, with params taken from the server's own chain (its tip,
its transactions) or from the spec's examples. Every answer is validated against the spec.
Nothing is changed on the server: broadcast is sent an invalid transaction, server.add_peer is skipped.
Prints a table of pass, fail and skip with the reason, and exits 1 if anything failed.

Options:
  --all                          also check implementation-specific and experimental methods
  --json                         print the report as JSON instead of a table

Examples:
  stratum-sdk conformance tcp://127.0.0.1:50001
  stratum-sdk conformance tls://electrum.example.org:50002 --protocol-version 1.4 --json

${SHARED_HELP}
(--no-validate has no effect here: conformance always validates.)`;

export async function conformance(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, { ...SHARED_OPTIONS, all: { type: 'boolean' }, json: { type: 'boolean' } });
  if (values.help) {
    io.stdout(CONFORMANCE_HELP);
    return 0;
  }
  const [url, ...extra] = positionals;
  if (!url) throw new UsageError('conformance needs a URL');
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const server = checkServerUrl(url);
  if (server.protocol === 'mining') throw new UsageError('conformance checks Electrum servers (tcp://, tls://, ws://, wss://); Stratum mining pools are not covered');
  const options = sharedOptions(values);

  const progress = progressPrinter(io);
  let report: ConformanceReport;
  try {
    report = await runConformance(url, { protocolVersion: options.protocolVersion, tls: options.tls, proxy: options.proxy, timeout: options.timeout, all: values.all ?? false }, progress.onEvent);
  } catch (e) {
    throw (await wrongServer(server, e, options.tls, options.proxy)) ?? e;
  }
  // A pool refuses server.version as an unknown method: say so rather than list every method as failed.
  if (report.checks.find((c) => c.name === 'server.version')?.status === 'fail') {
    const hint = await otherProtocolAnswers(server, options.tls, options.proxy);
    if (hint) {
      progress.finish(report);
      throw hint;
    }
  }
  progress.finish(report);
  io.stdout(values.json ? json(report) : `${table(report.checks)}\n\n${summary(report)}`);
  return report.ok ? 0 : 1;
}

/** One line per finished check; on a terminal, one line rewritten in place instead. */
function progressPrinter(io: CliIo) {
  let done = 0;
  let failed = 0;
  let drawn = false;
  // io.stderr ends every write with a newline, so rewriting means going back up one line first.
  const redraw = (text: string) => {
    io.stderr(`${drawn ? '\x1b[1A\x1b[2K' : ''}${text}`);
    drawn = true;
  };
  return {
    onEvent(event: ProgressEvent) {
      if (event.phase === 'start') {
        if (io.isTty) redraw(`checking ${event.name}… (${done} done${failed ? `, ${failed} failed` : ''})`);
        return;
      }
      done++;
      if (event.check.status === 'fail') failed++;
      if (!io.isTty) io.stderr(`${event.check.status.padEnd(4)} ${event.check.name}`);
    },
    finish(report: ConformanceReport) {
      if (io.isTty) redraw(`checked ${report.checks.length}: ${report.failed ? `${report.failed} failed` : 'none failed'}`);
    },
  };
}

export function table(checks: readonly CheckResult[]): string {
  const rows = [['method', 'result', 'reason'], ...checks.map((c) => [c.name, c.status, c.reason])];
  const width = (i: number) => Math.max(...rows.map((r) => (r[i] as string).length));
  const [w0, w1] = [width(0), width(1)];
  const line = (r: readonly string[]) => `${(r[0] as string).padEnd(w0)} | ${(r[1] as string).padEnd(w1)} | ${r[2] as string}`;
  const [head, ...body] = rows;
  return [line(head as string[]), `${'-'.repeat(w0)}-+-${'-'.repeat(w1)}-+-${'-'.repeat(6)}`, ...body.map(line)].join('\n');
}

export function summary(report: ConformanceReport): string {
  const server = report.serverSoftware ? ` (${report.serverSoftware}, protocol ${report.protocolVersion})` : '';
  return `${report.failed ? 'FAIL' : 'PASS'}: ${report.checks.length} checks, ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped${server}`;
}
