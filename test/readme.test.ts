// The README's TypeScript compiles: every ```ts block, as a module of its own, against the built package
// (its entry points resolved through its "exports" to dist/*.d.ts, see helpers/typecheck.ts), with the free names the snippets leave to the reader (a txid, a client,
// a job) declared once in globals of the right types. A README example that no longer matches the API
// fails here, not in a user's editor.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeBuiltPackage, repo, sdkFilesRead, typecheckAsPackage } from './helpers/typecheck.js';


/** What the snippets use without defining it: a module's own declaration of the same name shadows these. */
const GLOBALS = `
declare const txid: string;
declare const scripthash: string;
declare const signal: AbortSignal;
declare const client: import('stratum-sdk/electrum').ElectrumClient;
declare const ca: string;
declare const ntime: string;
declare const nonce: string;
declare const versionBits: string;
declare function statusOf(scripthash: string): string | null;
declare const newStatus: string | null;
declare const scriptPubKeyHex: string;
declare const rawHex: string;
declare const height: number;
declare const CP_HEIGHT: number;
declare const CP_ROOT: string;
declare const headers: readonly string[];
declare const lastKnownHash: string;
declare const notifyParams: readonly unknown[];
`;

/** The ```ts blocks of a Markdown text, with the line each starts on. */
export function typeScriptBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? '')) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? '')) end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await removeBuiltPackage();
});

describe('README.md', () => {
  it('has TypeScript examples, and every one of them compiles against the package', { timeout: 60_000 }, async () => {
    const blocks = typeScriptBlocks(await readFile(path.join(repo, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    dir = await mkdtemp(path.join(os.tmpdir(), 'stratum-sdk-readme-'));
    const names = blocks.map((b) => `readme-line-${b.line}.ts`);
    await Promise.all(blocks.map((b, i) => writeFile(path.join(dir!, names[i]!), `${b.code}\nexport {};\n`)));
    await writeFile(path.join(dir, 'globals.d.ts'), GLOBALS);
    const output = await typecheckAsPackage(dir, ['globals.d.ts', ...names]);
    // Errors name the block by the README line it starts on.
    expect(output.replaceAll(`${dir}${path.sep}`, '')).toBe('');
    // What was checked is the build, not the sources.
    const read = await sdkFilesRead(dir);
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((f) => !f.endsWith('.d.ts'))).toEqual([]);
  });
});
