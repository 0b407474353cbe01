// Newline-delimited text from a stream of chunks, with a bound on a line's length: what the proxy uses to
// see the messages inside the bytes it forwards, and `check` to read transcripts. A line past the bound
// is not kept: it is reported once (with its number) and skipped up to its newline.

export interface LineSplitterOptions {
  /** Longest line kept, in characters (without the newline). */
  readonly maxLineLength: number;
  readonly onLine: (line: string, lineNumber: number) => void;
  /** A line longer than maxLineLength was skipped; `length` is how much of it had been seen when it passed the bound. */
  readonly onOverlong: (lineNumber: number, length: number) => void;
}

export class LineSplitter {
  readonly #options: LineSplitterOptions;
  #parts: string[] = [];
  #length = 0;
  #skipping = false;
  #lineNumber = 1;

  constructor(options: LineSplitterOptions) {
    this.#options = options;
  }

  /** Whether a line has begun and not ended yet (kept, or being skipped as overlong): what a partial-message timeout times. */
  get midLine(): boolean {
    return this.#length > 0 || this.#skipping;
  }

  /** Characters of the unfinished line kept so far (0 while one is skipped). */
  get pendingLength(): number {
    return this.#length;
  }

  /** Text as it arrives; a line may span any number of chunks. */
  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf('\n', start);
      const end = newline === -1 ? chunk.length : newline;
      this.#append(chunk, start, end);
      if (newline === -1) return;
      this.#finishLine();
      start = newline + 1;
    }
  }

  /** The end of the stream: a last line without its newline counts too. */
  end(): void {
    if (this.#length > 0 || this.#skipping) this.#finishLine();
  }

  #append(chunk: string, start: number, end: number): void {
    if (this.#skipping || start === end) return;
    const piece = end - start;
    if (this.#length + piece > this.#options.maxLineLength) {
      this.#options.onOverlong(this.#lineNumber, this.#length + piece);
      this.#skipping = true;
      this.#parts = [];
      this.#length = 0;
      return;
    }
    this.#parts.push(start === 0 && end === chunk.length ? chunk : chunk.slice(start, end));
    this.#length += piece;
  }

  #finishLine(): void {
    const number = this.#lineNumber++;
    if (this.#skipping) {
      this.#skipping = false;
      return;
    }
    const line = this.#parts.length === 1 ? (this.#parts[0] as string) : this.#parts.join('');
    this.#parts = [];
    this.#length = 0;
    // A CR before the newline is part of the framing, as the SDK's framer treats it.
    this.#options.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, number);
  }
}
