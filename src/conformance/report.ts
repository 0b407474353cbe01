// The report model every conformance command shares (Electrum servers, pools, client checks, transcripts),
// and its writers. The API, in the order a command uses it:
//
//   const runner = new CheckRunner(onProgress);      // collects checks; progress events for stderr
//   runner.expect(3);                                 // checks planned (for "how many left"); optional
//   await runner.run('pool.subscribe', 'mining.subscribe [agent]', async () => pass('…', bytes));
//   const report = buildReport({ target: url, kind: 'pool' }, runner.results());
//   io.stdout(formatTable(report)) | formatJson(report);  writeFile(junit, formatJunit(report));
//   return exitCode(report, failOn);                  // 0, or 1 when a check breaks the --fail-on rule
//
// A check is { id, title, status, reason, bytes?, documented? }. Its status is one of
//   pass       it does what the spec says;
//   fail       a spec violation: reason says what, bytes shows what came back (bounded);
//   skip       not checked, and reason says why (a pool that never answers mining.configure);
//   deviation  not what the spec says, but what the spec's `deviations` document a known server doing
//              (ckpool's `"result": false` + "reject-reason"): `documented` quotes the spec's text.
// `--fail-on error` (the default) exits 1 on a fail; `--fail-on deviation` on a deviation too, for a CI
// that wants the strict protocol.
import { excerpt } from '../runtime/bounded-json.js';

export type CheckStatus = 'pass' | 'fail' | 'skip' | 'deviation';
export const CHECK_STATUSES: readonly CheckStatus[] = ['pass', 'fail', 'skip', 'deviation'];

/** Most characters of received bytes a check keeps: enough to see a reply, bounded whatever the peer sends. */
export const MAX_BYTES_EXCERPT = 400;

export interface CheckResult {
  /** Stable id for machines: `server.version`, `basics.batch`, `pool.submit.duplicate`. */
  readonly id: string;
  /** What a person reads in the table: the method, or what was checked. */
  readonly title: string;
  readonly status: CheckStatus;
  /** Why it failed, was skipped or deviates; for a pass, what was checked. */
  readonly reason: string;
  /** What came back on the wire, cut to MAX_BYTES_EXCERPT characters. */
  readonly bytes?: string;
  /** For a deviation: the spec's text documenting it (`<method> (<software>): <deviation>`). */
  readonly documented?: string;
  /** For a deviation: the id of the spec's deviation (SPEC_DEVIATIONS in src/generated/deviations.ts). */
  readonly deviationId?: string;
}

/** A check's outcome before it is named. */
export type Verdict = Omit<CheckResult, 'id' | 'title'>;

const withBytes = (bytes: string | undefined): { bytes?: string } => (bytes === undefined || bytes === '' ? {} : { bytes: boundBytes(bytes) });

export const pass = (reason: string, bytes?: string): Verdict => ({ status: 'pass', reason, ...withBytes(bytes) });
export const fail = (reason: string, bytes?: string): Verdict => ({ status: 'fail', reason, ...withBytes(bytes) });
export const skip = (reason: string, bytes?: string): Verdict => ({ status: 'skip', reason, ...withBytes(bytes) });
/** Not the spec, but a documented deviation (see deviations.ts for looking one up). */
export const deviation = (reason: string, documented: string, bytes?: string): Verdict => ({ status: 'deviation', reason, documented, ...withBytes(bytes) });

/** Received text cut to a bound, so a report never carries a flood. */
export function boundBytes(text: string, max = MAX_BYTES_EXCERPT): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface ReportInfo {
  /** What was checked: a URL, or a transcript's file name. */
  readonly target: string;
  /** electrum, pool, client, transcript: what kind of thing was checked. */
  readonly kind: string;
  /** The peer's software, when it said (server.version, client.get_version). */
  readonly software?: string | undefined;
  /** The Electrum protocol version negotiated. */
  readonly protocolVersion?: string | undefined;
}

export interface ConformanceReport extends ReportInfo {
  readonly checks: readonly CheckResult[];
  readonly counts: Readonly<Record<CheckStatus, number>>;
  /** No check failed (deviations allowed). */
  readonly ok: boolean;
}

export function buildReport(info: ReportInfo, checks: readonly CheckResult[]): ConformanceReport {
  const counts = { pass: 0, fail: 0, skip: 0, deviation: 0 };
  for (const c of checks) counts[c.status]++;
  return { ...info, checks, counts, ok: counts.fail === 0 };
}

/** What fails a run: a spec violation only (`error`), or a documented deviation too. */
export type FailOn = 'error' | 'deviation';

export function exitCode(report: ConformanceReport, failOn: FailOn = 'error'): number {
  if (report.counts.fail > 0) return 1;
  return failOn === 'deviation' && report.counts.deviation > 0 ? 1 : 0;
}

// ---- running checks ------------------------------------------------------------------------------

export type ProgressEvent =
  | { readonly phase: 'start'; readonly id: string; readonly title: string; readonly done: number; readonly total: number }
  | { readonly phase: 'done'; readonly check: CheckResult; readonly done: number; readonly total: number };

/** Runs one check, reporting its start and result; an unexpected exception is a failure of that check. */
export type RunCheck = (id: string, title: string, check: () => Promise<Verdict>) => Promise<CheckResult>;

/**
 * Collects checks that may run concurrently: results() lists them in the order they were started, whatever
 * order they finished in, so a pipelined run prints the same table as a sequential one.
 */
export class CheckRunner {
  readonly #onProgress: ((event: ProgressEvent) => void) | undefined;
  readonly #results: { order: number; result: CheckResult }[] = [];
  #started = 0;
  #done = 0;
  #expected = 0;

  constructor(onProgress?: (event: ProgressEvent) => void) {
    this.#onProgress = onProgress;
  }

  /** Announces checks about to be run, so progress can say how many are left. */
  expect(count: number): void {
    this.#expected += count;
  }

  get total(): number {
    return Math.max(this.#expected, this.#started);
  }

  readonly run: RunCheck = async (id, title, check) => {
    const order = this.#started++;
    this.#onProgress?.({ phase: 'start', id, title, done: this.#done, total: this.total });
    let verdict: Verdict;
    try {
      verdict = await check();
    } catch (e) {
      verdict = fail(e instanceof Error ? e.message : String(e));
    }
    const result: CheckResult = { id, title, ...verdict };
    this.#results.push({ order, result });
    this.#done++;
    this.#onProgress?.({ phase: 'done', check: result, done: this.#done, total: this.total });
    return result;
  };

  results(): CheckResult[] {
    return [...this.#results].sort((a, b) => a.order - b.order).map((r) => r.result);
  }
}

// ---- writers -------------------------------------------------------------------------------------

/** The table for people: one row per check; a deviation's documentation and failure bytes indented below it. */
export function formatTable(report: ConformanceReport): string {
  const rows = [['check', 'result', 'reason'], ...report.checks.map((c) => [c.title, c.status, c.reason])];
  const width = (i: number) => Math.max(...rows.map((r) => (r[i] as string).length));
  const [w0, w1] = [width(0), width(1)];
  const line = (r: readonly string[]) => `${(r[0] as string).padEnd(w0)} | ${(r[1] as string).padEnd(w1)} | ${r[2] as string}`;
  const pad = `${' '.repeat(w0)} | ${' '.repeat(w1)} |   `;
  const out = [line(rows[0] as string[]), `${'-'.repeat(w0)}-+-${'-'.repeat(w1)}-+-${'-'.repeat(6)}`];
  for (const c of report.checks) {
    out.push(line([c.title, c.status, c.reason]));
    if (c.status === 'deviation' && c.documented) out.push(`${pad}documented: ${oneLine(c.documented, 160)}`);
    if (c.status === 'fail' && c.bytes) out.push(`${pad}bytes: ${oneLine(c.bytes, 160)}`);
  }
  return `${out.join('\n')}\n\n${formatSummary(report)}`;
}

export function formatSummary(report: ConformanceReport): string {
  const { counts } = report;
  const about = [report.software, report.protocolVersion && `protocol ${report.protocolVersion}`].filter(Boolean).join(', ');
  return (
    `${report.ok ? 'PASS' : 'FAIL'}: ${report.checks.length} checks, ${counts.pass} passed, ${counts.fail} failed, ` +
    `${counts.skip} skipped, ${counts.deviation} deviations${about ? ` (${about})` : ''}`
  );
}

/** The report as JSON (stable field names: the CheckResult and ConformanceReport members). */
export function formatJson(report: ConformanceReport): string {
  return JSON.stringify(report, null, 2);
}

/**
 * JUnit XML, as CI systems read it: one testsuite, one testcase per check; a fail is a <failure>, a skip
 * <skipped>, a deviation passes with its documentation in <system-out> unless failOn is 'deviation', where
 * it is a <failure> of type "deviation".
 */
export function formatJunit(report: ConformanceReport, failOn: FailOn = 'error'): string {
  const failing = (c: CheckResult) => c.status === 'fail' || (c.status === 'deviation' && failOn === 'deviation');
  const failures = report.checks.filter(failing).length;
  const cases = report.checks.map((c) => {
    const open = `    <testcase classname="${xml(`conformance.${report.kind}`)}" name="${xml(c.title)}" id="${xml(c.id)}">`;
    const detail = [c.reason, c.documented && `documented: ${c.documented}`, c.bytes && `bytes: ${c.bytes}`].filter(Boolean).join('\n');
    let body = '';
    if (failing(c)) body = `\n      <failure type="${c.status}" message="${xml(oneLine(c.reason, 300))}">${xml(detail)}</failure>`;
    else if (c.status === 'skip') body = `\n      <skipped message="${xml(oneLine(c.reason, 300))}"/>`;
    else if (detail) body = `\n      <system-out>${xml(`${c.status}: ${detail}`)}</system-out>`;
    return `${open}${body}\n    </testcase>`;
  });
  const skipped = report.counts.skip;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="stratum-sdk conformance" tests="${report.checks.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${xml(`${report.kind} ${report.target}`)}" tests="${report.checks.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Text as XML character data or attribute: escaped, and without the control characters XML 1.0 forbids. */
function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function oneLine(text: string, max: number): string {
  return boundBytes(text.replace(/\s*\n\s*/g, ' '), max);
}

/** A value shown in a reason: JSON, bounded. */
export function show(value: unknown, max = 100): string {
  return excerpt(value, max);
}

// ---- progress ------------------------------------------------------------------------------------

export interface ProgressSink {
  /** Writes one line (the sink adds the newline), e.g. to stderr. */
  readonly write: (line: string) => void;
  /** A terminal: one line rewritten in place instead of one line per check. */
  readonly isTty?: boolean | undefined;
}

/** Progress for stderr: which check is running and how many are left. */
export function progressPrinter(sink: ProgressSink): { onEvent(event: ProgressEvent): void; finish(report: ConformanceReport): void } {
  let failed = 0;
  let drawn = false;
  // The sink ends every write with a newline, so rewriting means going back up one line first.
  const redraw = (text: string) => {
    sink.write(`${drawn ? '\x1b[1A\x1b[2K' : ''}${text}`);
    drawn = true;
  };
  const left = (done: number, total: number) => `${done} done, ${Math.max(0, total - done)} left${failed ? `, ${failed} failed` : ''}`;
  return {
    onEvent(event) {
      if (event.phase === 'start') {
        if (sink.isTty) redraw(`checking ${event.title}… (${left(event.done, event.total)})`);
        return;
      }
      if (event.check.status === 'fail') failed++;
      if (!sink.isTty) sink.write(`${event.check.status.padEnd(4)} ${event.check.title} (${left(event.done, event.total)})`);
    },
    finish(report) {
      if (sink.isTty) redraw(`checked ${report.checks.length}: ${report.counts.fail ? `${report.counts.fail} failed` : 'none failed'}`);
    },
  };
}
