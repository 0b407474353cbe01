// The traffic checker's results as the report every conformance command shares (../report.ts), so that
// `check`, `proxy` and `serve --check-clients` write the same --json, --junit and --fail-on as
// `conformance`. One check per method seen (fail on a violation, deviation on a documented deviation only,
// pass otherwise), one for the transcript's lines when a transcript was read, and a skip when the checker
// had to give up on part of the traffic (its limits). The report keeps the traffic's own summaries too.
import { boundBytes, buildReport, type CheckResult, type ConformanceReport, type ReportInfo } from '../report.js';
import type { TranscriptHeader } from '../transcript.js';
import type { TrafficFinding, TrafficSummary } from './findings.js';
import type { MalformedLine } from './transcript-check.js';

/** One stream of checked traffic: a transcript file, or what a proxy or server watched. */
export interface TrafficSource {
  /** The transcript's file name, or what was watched (the proxy's upstream, the world). */
  readonly source: string;
  readonly summary: TrafficSummary;
  /** A transcript's header, when it had one. */
  readonly header?: TranscriptHeader | undefined;
  /** For a transcript: the lines that were not transcript lines (the first few) and how many. */
  readonly malformed?: readonly MalformedLine[] | undefined;
  readonly malformedCount?: number | undefined;
}

/** The shared report, with the traffic checker's summaries (per method, per connection, the findings) kept. */
export interface TrafficReport extends ConformanceReport {
  readonly traffic: readonly TrafficSource[];
}

/** Findings quoted in one check's reason: the rest are in the traffic summary. */
const FINDINGS_QUOTED = 3;

export function trafficReport(info: ReportInfo, sources: readonly TrafficSource[]): TrafficReport {
  const checks: CheckResult[] = [];
  for (const s of sources) {
    // Several sources (transcript files) in one report: each check says which.
    const prefix = sources.length > 1 ? `${s.source}: ` : '';
    const idPrefix = sources.length > 1 ? `${s.source}#` : '';
    if (s.malformedCount !== undefined) checks.push(linesCheck(s, prefix, idPrefix));
    const methods = Object.entries(s.summary.methods);
    if (methods.length === 0) checks.push({ id: `${idPrefix}traffic`, title: `${prefix}traffic`, status: 'skip', reason: 'no messages to check' });
    for (const [method, tally] of methods) {
      const findings = s.summary.findings.filter((f) => (f.method ?? '(unknown)') === method);
      checks.push(methodCheck(`${idPrefix}traffic.${method}`, `${prefix}${method}`, tally, findings));
    }
    if (s.summary.notes.length > 0) {
      checks.push({ id: `${idPrefix}traffic.limits`, title: `${prefix}checker limits`, status: 'skip', reason: boundBytes(`part of the traffic was not checked: ${s.summary.notes.join('; ')}`, 1000) });
    }
  }
  return { ...buildReport(info, checks), traffic: sources };
}

function methodCheck(id: string, title: string, tally: TrafficSummary['methods'][string], findings: readonly TrafficFinding[]): CheckResult {
  const counts = [
    `${tally.messages} message${tally.messages === 1 ? '' : 's'}`,
    tally.violations && `${tally.violations} violation${tally.violations === 1 ? '' : 's'}`,
    tally.deviations && `${tally.deviations} documented deviation${tally.deviations === 1 ? '' : 's'}`,
    tally.unanswered && `${tally.unanswered} unanswered`,
  ]
    .filter(Boolean)
    .join(', ');
  const quote = (kind: TrafficFinding['kind']) =>
    findings
      .filter((f) => f.kind === kind)
      .slice(0, FINDINGS_QUOTED)
      .map(where);
  if (tally.violations > 0) {
    const first = findings.find((f) => f.kind === 'violation');
    return { id, title, status: 'fail', reason: boundBytes(`${counts}: ${quote('violation').join('; ')}`, 1000), ...(first ? { bytes: boundBytes(first.excerpt) } : {}) };
  }
  if (tally.deviations > 0) {
    const documented = [...new Set(findings.filter((f) => f.kind === 'deviation' && f.reference).map((f) => f.reference as string))];
    return { id, title, status: 'deviation', reason: boundBytes(`${counts}: ${quote('deviation').join('; ')}`, 1000), documented: documented.join(' | ') || 'the spec documents it' };
  }
  const unanswered = quote('unanswered');
  return { id, title, status: 'pass', reason: boundBytes(unanswered.length ? `${counts}: ${unanswered.join('; ')}` : counts, 1000) };
}

function linesCheck(s: TrafficSource, prefix: string, idPrefix: string): CheckResult {
  const id = `${idPrefix}transcript.lines`;
  const title = `${prefix}transcript lines`;
  const count = s.malformedCount ?? 0;
  if (count === 0) return { id, title, status: 'pass', reason: 'every line is a transcript line' };
  const listed = (s.malformed ?? []).slice(0, FINDINGS_QUOTED).map((m) => `line ${m.lineNumber}: ${m.reason}`);
  return { id, title, status: 'fail', reason: boundBytes(`${count} line${count === 1 ? ' is' : 's are'} not transcript lines: ${listed.join('; ')}`, 1000) };
}

/** Where a finding is and what it says, short. */
function where(f: TrafficFinding): string {
  const line = f.line === undefined ? '' : `line ${f.line} `;
  return `${line}conn ${f.conn} ${f.dir === 'c2s' ? 'client->server' : 'server->client'} ${f.path}: ${f.message}`;
}
