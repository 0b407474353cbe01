// Checking a transcript: its text in chunks, split into bounded lines, each line read as the transcript
// format says and its message fed to a TrafficChecker. Lines that are not transcript lines are listed with
// their numbers, and the check goes on.
import { DEFAULT_MAX_TRANSCRIPT_LINE, parseTranscriptLine, type TranscriptHeader } from '../transcript.js';
import { TrafficChecker, type TrafficCheckerOptions } from './checker.js';
import type { TrafficSummary } from './findings.js';
import { LineSplitter } from './lines.js';

export interface MalformedLine {
  readonly lineNumber: number;
  readonly reason: string;
}

export interface TranscriptCheckResult {
  readonly header: TranscriptHeader | undefined;
  readonly summary: TrafficSummary;
  /** Lines that were not transcript lines (the first MAX_MALFORMED_KEPT); `malformedCount` counts them all. */
  readonly malformed: readonly MalformedLine[];
  readonly malformedCount: number;
  /** No violations and no malformed lines. */
  readonly ok: boolean;
}

export interface TranscriptCheckOptions extends TrafficCheckerOptions {
  /** Longest transcript line read (default DEFAULT_MAX_TRANSCRIPT_LINE). */
  readonly maxLineLength?: number | undefined;
}

/** A file of garbage is listed by its first lines, not line by line. */
export const MAX_MALFORMED_KEPT = 100;

export class TranscriptCheck {
  readonly #options: TranscriptCheckOptions;
  #checker: TrafficChecker;
  readonly #splitter: LineSplitter;
  #header: TranscriptHeader | undefined;
  #seenMessage = false;
  readonly #malformed: MalformedLine[] = [];
  #malformedCount = 0;

  constructor(options: TranscriptCheckOptions = {}) {
    this.#options = options;
    this.#checker = new TrafficChecker(options);
    this.#splitter = new LineSplitter({
      maxLineLength: options.maxLineLength ?? DEFAULT_MAX_TRANSCRIPT_LINE,
      onLine: (text, n) => this.#line(text, n),
      onOverlong: (n, length) => this.#bad(n, `longer than ${options.maxLineLength ?? DEFAULT_MAX_TRANSCRIPT_LINE} characters (at least ${length}); skipped`),
    });
  }

  push(chunk: string): void {
    this.#splitter.push(chunk);
  }

  end(): TranscriptCheckResult {
    this.#splitter.end();
    // What is still awaiting a reply when the recording stops is reported, as at a connection's close.
    this.#checker.finish();
    const summary = this.#checker.summary();
    return { header: this.#header, summary, malformed: [...this.#malformed], malformedCount: this.#malformedCount, ok: summary.ok && this.#malformedCount === 0 };
  }

  #line(text: string, lineNumber: number): void {
    const parsed = parseTranscriptLine(text, lineNumber);
    switch (parsed.type) {
      case 'blank':
        return;
      case 'malformed':
        this.#bad(lineNumber, parsed.reason);
        return;
      case 'header':
        if (this.#seenMessage || this.#header) {
          this.#bad(lineNumber, 'a header after the first line');
          return;
        }
        this.#header = parsed.header;
        // The header's protocol holds for every connection: a checker that knows it from the start.
        if (parsed.header.protocol !== undefined && this.#options.protocol === undefined) {
          this.#checker = new TrafficChecker({ ...this.#options, protocol: parsed.header.protocol });
        }
        return;
      case 'message':
        this.#seenMessage = true;
        this.#checker.feed(parsed.message);
        return;
    }
  }

  #bad(lineNumber: number, reason: string): void {
    this.#malformedCount++;
    if (this.#malformed.length < MAX_MALFORMED_KEPT) this.#malformed.push({ lineNumber, reason });
  }
}

/** Checks a whole transcript held as text. */
export function checkTranscriptText(text: string, options?: TranscriptCheckOptions): TranscriptCheckResult {
  const check = new TranscriptCheck(options);
  check.push(text);
  return check.end();
}
