// What a command may touch of the outside world, passed in so the commands run in-process in tests.
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Fires when the user interrupts (Ctrl-C); long-running commands stop cleanly on it. */
  readonly interrupt: AbortSignal;
  /** Whether stderr is a terminal, for progress lines that rewrite themselves. */
  readonly isTty?: boolean;
}

/** A command-line mistake: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** JSON for humans and for `jq` alike. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
