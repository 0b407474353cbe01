// The spec's `deviations` (spec/<protocol>/<method>.json, shipped with the package): what known servers do
// differently from the protocol documents. A check that sees one of them reports a deviation, quoting the
// spec's text, instead of a failure; behaviour the spec does not document stays a failure.
import { readFile } from 'node:fs/promises';
import { deviation, fail, type Verdict } from './report.js';

// src/conformance and dist/conformance both sit two levels below the package root, next to spec/.
const SPEC_DIR = new URL('../../spec/', import.meta.url);

const cache = new Map<string, Promise<readonly string[]>>();

/** The deviations the spec lists for a method ([] when the file or the list is missing). */
export function specDeviations(protocol: 'electrum' | 'mining', method: string): Promise<readonly string[]> {
  const key = `${protocol}/${method}`;
  let found = cache.get(key);
  if (!found) {
    found = readFile(new URL(`${protocol}/${method}.json`, SPEC_DIR), 'utf8').then(
      (text) => {
        const list = (JSON.parse(text) as { deviations?: unknown }).deviations;
        return Array.isArray(list) ? list.filter((d): d is string => typeof d === 'string') : [];
      },
      () => [],
    );
    cache.set(key, found);
  }
  return found;
}

/** The spec's deviation of `method` that contains `needle`, or undefined. */
export async function findDeviation(protocol: 'electrum' | 'mining', method: string, needle: string): Promise<string | undefined> {
  return (await specDeviations(protocol, method)).find((d) => d.includes(needle));
}

/**
 * A deviation verdict when the spec documents the behaviour (its text contains `needle`), a failure
 * otherwise: what the spec does not document is a violation, whoever does it.
 */
export async function documented(protocol: 'electrum' | 'mining', method: string, needle: string, reason: string, bytes?: string): Promise<Verdict> {
  const text = await findDeviation(protocol, method, needle);
  return text ? deviation(reason, `${method}: ${text}`, bytes) : fail(`${reason} (not a deviation the spec documents)`, bytes);
}
