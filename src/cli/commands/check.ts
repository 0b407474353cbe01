// stratum-sdk check <transcript...>: recorded traffic validated offline, the same way the proxy and
// `serve --check-clients` validate it live, with a summary per method and per connection.
import { createReadStream } from 'node:fs';
import { formatFinding } from '../../conformance/traffic/findings.js';
import type { TrafficProtocol } from '../../conformance/traffic/findings.js';
import { formatSummary } from '../../conformance/traffic/format.js';
import { TranscriptCheck, type TranscriptCheckResult } from '../../conformance/traffic/transcript-check.js';
import { parseCommand } from '../args.js';
import { json, UsageError, type CliIo } from '../io.js';

export const CHECK_HELP = `Usage: stratum-sdk check <transcript.jsonl...> [options]

Validates recorded traffic against the spec: each connection's version negotiation is followed, replies are
matched to requests by id, and every message (params, results for the negotiated version and the params
sent, notifications, error shapes) is checked. Transcripts are what \`stratum-sdk proxy --record\` and
\`stratum-sdk serve --record\` write: one JSON object per line, {"t", "conn", "dir": "c2s"|"s2c", "line"}
(see README, "Transcripts"). Lines that are not transcript lines are listed with their numbers.

Options:
  --protocol <p>            electrum or stratum for every connection (default: the transcript's header, or
                            told per connection from its first message)
  --json                    print the results as JSON
  --fail-on <what>          error (default): exit 1 on a violation or a malformed line; deviation: also on a
                            documented deviation

Exit codes: 0 nothing to fail on, 1 something to fail on, 2 bad usage (a file that cannot be read).`;

export interface CheckFileResult extends TranscriptCheckResult {
  readonly file: string;
}

export async function check(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    protocol: { type: 'string' },
    json: { type: 'boolean' },
    'fail-on': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(CHECK_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one transcript file');
  const protocol = values.protocol;
  if (protocol !== undefined && protocol !== 'electrum' && protocol !== 'stratum') throw new UsageError(`--protocol must be electrum or stratum, got ${JSON.stringify(protocol)}`);
  const failOn = values['fail-on'] ?? 'error';
  if (failOn !== 'error' && failOn !== 'deviation') throw new UsageError(`--fail-on must be error or deviation, got ${JSON.stringify(failOn)}`);

  const results: CheckFileResult[] = [];
  for (const file of positionals) results.push({ file, ...(await checkFile(file, protocol)) });
  const failed = results.some((r) => !r.ok || (failOn === 'deviation' && r.summary.deviations > 0));

  if (values.json) {
    io.stdout(json({ ok: !failed, failOn, files: results }));
    return failed ? 1 : 0;
  }
  for (const r of results) {
    io.stdout(`== ${r.file}${r.header?.source ? ` (${r.header.source})` : ''}`);
    for (const f of r.summary.findings) io.stdout(formatFinding(f));
    for (const m of r.malformed) io.stdout(`MALFORMED line ${m.lineNumber}: ${m.reason}`);
    if (r.malformedCount > r.malformed.length) io.stdout(`... and ${r.malformedCount - r.malformed.length} more malformed lines`);
    io.stdout(formatSummary(r.summary));
    if (r.malformedCount > 0) io.stdout(`${r.malformedCount} malformed line${r.malformedCount === 1 ? '' : 's'}`);
    io.stdout('');
  }
  return failed ? 1 : 0;
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
