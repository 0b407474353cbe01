// The traffic checker and the transcript format, for the proxy, `serve --check-clients` and `check`.
export { TrafficChecker, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_FINDINGS, DEFAULT_MAX_PENDING, MAX_METHOD_NAMES } from './checker.js';
export type { TrafficCheckerOptions, TrafficMessage } from './checker.js';
export { formatFinding } from './findings.js';
export type { ConnectionTally, FindingKind, Tally, TrafficDirection, TrafficFinding, TrafficProtocol, TrafficSummary } from './findings.js';
export { formatSummary } from './format.js';
export { LineSplitter, type LineSplitterOptions } from './lines.js';
export { checkTranscriptText, MAX_MALFORMED_KEPT, TranscriptCheck } from './transcript-check.js';
export type { MalformedLine, TranscriptCheckOptions, TranscriptCheckResult } from './transcript-check.js';
