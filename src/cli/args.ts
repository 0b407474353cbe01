// Command-line parsing for every command: Node's parseArgs, with its errors turned into one-line usage errors
// ("unknown option --bogus (did you mean --timeout?)") instead of Node's own wording.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs({ strict: true, allowPositionals: true }), throwing UsageError for any mistake. */
export function parseCommand<const O extends Options>(args: readonly string[], options: O, { positionals = true }: { positionals?: boolean } = {}) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw usageFromParseError(e, options);
  }
}

function usageFromParseError(e: unknown, options: Options): unknown {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) return e;
  const message = (e as Error).message;
  // "Unknown option '--bogus'", "Option '-u, --user <value>' argument missing": the long name where there is one.
  const flag = /'[^']*?(--[^' =,]+)/.exec(message)?.[1] ?? /'(-[^' =,]+)/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const near = closest(flag, Object.keys(options).map((n) => `--${n}`));
      return new UsageError(`unknown option ${flag}${near ? ` (did you mean ${near}?)` : ''}`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      if (/does not take an argument/.test(message)) return new UsageError(`${flag} takes no value`);
      return new UsageError(`${flag} needs a value`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const extra = /'([^']*)'/.exec(message)?.[1];
      return new UsageError(`unexpected argument${extra === undefined ? '' : ` ${JSON.stringify(extra)}`}`);
    }
    default:
      return new UsageError(message.split('\n')[0] ?? message);
  }
}

/** The known option nearest to a mistyped one, if it is near enough to be a typo. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] as number;
}
