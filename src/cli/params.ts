// Positional params from the command line: JSON where the text is JSON, a string otherwise, so that
// `5`, `true`, `null`, `[1,2]` and `{"a":1}` mean what they say and hex needs no quotes.
import { nestsDeeperThan } from '../runtime/bounded-json.js';
import { DEFAULT_MAX_DEPTH } from '../runtime/messages.js';
import { UsageError } from './io.js';

export function parseParam(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return text;
  }
  // What no server would accept either, and what would overflow the stack when the request is encoded.
  if (nestsDeeperThan(value, DEFAULT_MAX_DEPTH)) throw new UsageError(`a param is nested more than ${DEFAULT_MAX_DEPTH} levels deep`);
  return value;
}

export function parseParams(texts: readonly string[]): unknown[] {
  return texts.map(parseParam);
}
