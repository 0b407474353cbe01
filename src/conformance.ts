// stratum-sdk/conformance: checking recorded or live traffic against the spec, with no Node APIs (a browser
// extension, a React Native app or a server of your own can run it). The traffic checker (fed each message of
// a conversation, it follows version negotiation and the JSON-RPC dialect, matches replies to requests and
// validates every message), the transcript format and its reader, the report model every `stratum-sdk`
// conformance command writes (JSON, JUnit, --fail-on), and the spec's deviations the checks cite.
export { TrafficChecker, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_FINDINGS, DEFAULT_MAX_PENDING, MAX_METHOD_NAMES } from './conformance/traffic/checker.js';
export type { TrafficCheckerOptions, TrafficMessage } from './conformance/traffic/checker.js';
export { formatFinding } from './conformance/traffic/findings.js';
export type { ConnectionTally, FindingKind, Tally, TrafficDirection, TrafficFinding, TrafficProtocol, TrafficSummary } from './conformance/traffic/findings.js';
export { formatSummary as formatTrafficSummary } from './conformance/traffic/format.js';
export { LineSplitter, type LineSplitterOptions } from './conformance/traffic/lines.js';
export { checkTranscriptText, MAX_MALFORMED_KEPT, TranscriptCheck } from './conformance/traffic/transcript-check.js';
export type { MalformedLine, TranscriptCheckOptions, TranscriptCheckResult } from './conformance/traffic/transcript-check.js';
export { trafficReport, type TrafficReport, type TrafficSource } from './conformance/traffic/report.js';
export {
  DEFAULT_MAX_TRANSCRIPT_LINE,
  MAX_CONN_LENGTH,
  parseTranscriptLine,
  TRANSCRIPT_FORMAT,
  TRANSCRIPT_VERSION,
  transcriptHeader,
  transcriptLine,
  type TranscriptEntry,
  type TranscriptHeader,
  type TranscriptLine,
} from './conformance/transcript.js';
export {
  buildReport,
  CHECK_STATUSES,
  exitCode,
  formatJson,
  formatJunit,
  formatSummary,
  formatTable,
  type CheckResult,
  type CheckStatus,
  type ConformanceReport,
  type FailOn,
  type ReportInfo,
} from './conformance/report.js';
export { deviationText, isSpecDeviationId, SPEC_DEVIATIONS, type SpecDeviation, type SpecDeviationId } from './conformance/deviations.js';
