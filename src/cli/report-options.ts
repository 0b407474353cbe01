// --json, --junit <file> and --fail-on error|deviation: the same for every conformance command (conformance,
// check, proxy, serve --check-clients), over the one report model (src/conformance/report.ts).
import { writeFile } from 'node:fs/promises';
import { exitCode, formatJson, formatJunit, type ConformanceReport, type FailOn } from '../conformance/report.js';
import { UsageError, type CliIo } from './io.js';

export const REPORT_OPTIONS = {
  json: { type: 'boolean' },
  junit: { type: 'string' },
  'fail-on': { type: 'string' },
} as const;

export const EXIT_CODES_HELP = 'Exit codes: 0 nothing to fail on, 1 a spec violation (or, with --fail-on deviation, a documented deviation), 2 bad usage.';

export function failOnOf(text: string | undefined): FailOn {
  if (text === undefined || text === 'error' || text === 'deviation') return text ?? 'error';
  throw new UsageError(`--fail-on must be error or deviation, got ${JSON.stringify(text)}`);
}

/**
 * The io a long-running command prints its running lines to: with --json, stdout is kept for the report
 * alone (so `| jq` reads it), and everything else goes to stderr.
 */
export function runningIo(io: CliIo, json: boolean | undefined): CliIo {
  return json ? { ...io, stdout: io.stderr } : io;
}

/** Writes the JUnit file when asked; a file that cannot be written is a usage error. */
export async function writeJunit(file: string | undefined, report: ConformanceReport, failOn: FailOn): Promise<void> {
  if (file === undefined) return;
  try {
    await writeFile(file, formatJunit(report, failOn));
  } catch (e) {
    throw new UsageError(`--junit ${file}: ${(e as Error).message}`);
  }
}

/** The end of every conformance command: --junit written, --json printed (else `table`), the exit code. */
export async function finishReport(report: ConformanceReport, values: { json?: boolean | undefined; junit?: string | undefined }, failOn: FailOn, io: CliIo, table: () => string): Promise<number> {
  await writeJunit(values.junit, report, failOn);
  io.stdout(values.json ? formatJson(report) : table());
  return exitCode(report, failOn);
}
