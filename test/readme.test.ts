// The README's TypeScript compiles: every ```ts block, as a module of its own, against the package's
// entry points (mapped to src/), with the free names the snippets leave to the reader (a txid, a client,
// a job) declared once in globals of the right types. A README example that no longer matches the API
// fails here, not in a user's editor.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(fileURLToPath(import.meta.url), '../..');
const run = promisify(execFile);

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
});

describe('README.md', () => {
  it('has TypeScript examples, and every one of them compiles against the package', { timeout: 60_000 }, async () => {
    const blocks = typeScriptBlocks(await readFile(path.join(repo, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    dir = await mkdtemp(path.join(os.tmpdir(), 'stratum-sdk-readme-'));
    const names = blocks.map((b) => `readme-line-${b.line}.ts`);
    await Promise.all(blocks.map((b, i) => writeFile(path.join(dir!, names[i]!), `${b.code}\nexport {};\n`)));
    await writeFile(path.join(dir, 'globals.d.ts'), GLOBALS);
    await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    const src = path.join(repo, 'src');
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [path.join(repo, 'node_modules/@types')],
          paths: { 'stratum-sdk': [path.join(src, 'index.ts')], 'stratum-sdk/*': [path.join(src, '*.ts')] },
        },
        files: ['globals.d.ts', ...names],
      }),
    );
    const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
    const output = await run(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir }).then(
      () => '',
      (e: { stdout?: string }) => e.stdout ?? String(e),
    );
    // Errors name the block by the README line it starts on.
    expect(output.replaceAll(`${dir}${path.sep}`, '')).toBe('');
  });
});
