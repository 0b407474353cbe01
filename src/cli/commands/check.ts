// stratum-sdk check <transcript...>: recorded traffic validated offline, the same way the proxy and
// `serve --check-clients` validate it live, with a summary per method and per connection.
import { createReadStream } from 'node:fs';
import { formatFinding } from '../../conformance/traffic/findings.js';
import type { TrafficProtocol } from '../../conformance/traffic/findings.js';
import { formatSummary } from '../../conformance/traffic/format.js';
import { trafficReport } from '../../conformance/traffic/report.js';
import { TranscriptCheck, type TranscriptCheckResult } from '../../conformance/traffic/transcript-check.js';
import { parseCommand } from '../args.js';
import { UsageError, type CliIo } from '../io.js';
import { EXIT_CODES_HELP, failOnOf, finishReport, REPORT_OPTIONS } from '../report-options.js';

export const CHECK_HELP = `Usage: stratum-sdk check <transcript.jsonl...> [options]

Validates recorded traffic against the spec: each connection's version negotiation is followed, replies are
matched to requests by id, and every message (params, results for the negotiated version and the params
sent, notifications, error shapes) is checked. Transcripts are what \`stratum-sdk proxy --record\` and
\`stratum-sdk serve --record\` write: one JSON object per line, {"t", "conn", "dir": "c2s"|"s2c", "line"}
(see README, "Transcripts"). Lines that are not transcript lines are listed with their numbers.

Options:
  --protocol <p>            electrum or stratum for every connection (default: the transcript's header, or
                            told per connection from its first message)
  --json                    print the report as JSON (the shared conformance report: a check per method and
                            one for the transcript's lines, with each file's traffic summary and findings)
  --junit <file>            also write the report as JUnit XML (a testcase per method)
  --fail-on error|deviation error (default): exit 1 on a violation or a malformed line; deviation: also on a
                            documented deviation

Requests still awaiting their reply when a transcript ends are listed as unanswered (not a violation).

${EXIT_CODES_HELP} A file that cannot be read is bad usage.`;

export interface CheckFileResult extends TranscriptCheckResult {
  readonly file: string;
}

export async function check(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    protocol: { type: 'string' },
    ...REPORT_OPTIONS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(CHECK_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one transcript file');
  const protocol = values.protocol;
  if (protocol !== undefined && protocol !== 'electrum' && protocol !== 'stratum') throw new UsageError(`--protocol must be electrum or stratum, got ${JSON.stringify(protocol)}`);
  const failOn = failOnOf(values['fail-on']);

  const results: CheckFileResult[] = [];
  for (const file of positionals) results.push({ file, ...(await checkFile(file, protocol)) });
  const report = trafficReport(
    { target: positionals.join(', '), kind: 'transcript' },
    results.map((r) => ({ source: r.file, header: r.header, summary: r.summary, malformed: r.malformed, malformedCount: r.malformedCount })),
  );
  return finishReport(report, values, failOn, io, () => results.map(formatFile).join('\n'));
}

function formatFile(r: CheckFileResult): string {
  const out = [`== ${r.file}${r.header?.source ? ` (${r.header.source})` : ''}`];
  for (const f of r.summary.findings) out.push(formatFinding(f));
  for (const m of r.malformed) out.push(`MALFORMED line ${m.lineNumber}: ${m.reason}`);
  if (r.malformedCount > r.malformed.length) out.push(`... and ${r.malformedCount - r.malformed.length} more malformed lines`);
  out.push(formatSummary(r.summary));
  if (r.malformedCount > 0) out.push(`${r.malformedCount} malformed line${r.malformedCount === 1 ? '' : 's'}`);
  out.push('');
  return out.join('\n');
}

/** Reads a transcript in chunks (any size of file, bounded memory) and checks it. */
export async function checkFile(file: string, protocol?: TrafficProtocol): Promise<TranscriptCheckResult> {
  const checker = new TranscriptCheck(protocol === undefined ? {} : { protocol });
  try {
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) checker.push(chunk as string);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return checker.end();
}
