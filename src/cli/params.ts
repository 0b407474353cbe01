// Positional params from the command line: JSON where the text is JSON, a string otherwise, so that
// `5`, `true`, `null`, `[1,2]` and `{"a":1}` mean what they say and hex needs no quotes.
export function parseParam(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function parseParams(texts: readonly string[]): unknown[] {
  return texts.map(parseParam);
}
