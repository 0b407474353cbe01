// Runs the stratum-sdk command in-process and captures what it prints.
import { main } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `stratum-sdk ...args`; `interrupt` lets a test press Ctrl-C; onStdout/onStderr see each line as it comes. */
export async function runCli(args: string[], interrupt: AbortSignal = new AbortController().signal, onStdout?: (line: string) => void, onStderr?: (line: string) => void): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (t) => {
      out.push(t);
      onStdout?.(t);
    },
    stderr: (t) => {
      err.push(t);
      onStderr?.(t);
    },
    interrupt,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
