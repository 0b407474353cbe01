// The params of the spec's own examples (spec/electrum/<method>.json, shipped with the package), for
// methods whose params cannot be derived from the server's data.
import { readFile } from 'node:fs/promises';
import { electrumProtocol } from '../generated/electrum/methods.js';

// src/conformance and dist/conformance both sit two levels below the package root, next to spec/.
const SPEC_DIR = new URL('../../spec/electrum/', import.meta.url);

/** The first example's params that are valid at this version, or undefined when there is none. */
export async function specExampleParams(method: string, protocolVersion: string): Promise<readonly unknown[] | undefined> {
  let examples: unknown;
  try {
    examples = (JSON.parse(await readFile(new URL(`${method}.json`, SPEC_DIR), 'utf8')) as { examples?: unknown }).examples;
  } catch {
    return undefined;
  }
  if (!Array.isArray(examples)) return undefined;
  for (const example of examples) {
    const params = (example as { params?: unknown } | null)?.params;
    if (Array.isArray(params) && electrumProtocol.validateParams(method, params, { protocolVersion }).valid) return params;
  }
  return undefined;
}
