// The package as a plain `npm install stratum-sdk` leaves it: the files package.json ships ("files"), compiled, with
// only its runtime dependencies beside it (no esbuild, ajv, handlebars, json-schema-to-typescript or prettier).
// `stratum-sdk spec-diff` works there (the version comparison comes from dist/), 'stratum-sdk/spec-diff' imports,
// and `stratum-sdk generate` says in one line what to install.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/spec-files.js';

const run = promisify(execFile);
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  files: string[];
  dependencies: Record<string, string>;
  bin: Record<string, string>;
};

let dir: string;
let installed: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stratum-sdk-plain-install-'));
  installed = path.join(dir, 'node_modules', 'stratum-sdk');
  fs.mkdirSync(installed, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(installed, 'package.json'));
  // What "files" ships, dist/ compiled here rather than taken from a build that may be stale.
  for (const entry of pkg.files) if (entry !== 'dist') fs.cpSync(path.join(ROOT, entry), path.join(installed, entry), { recursive: true });
  await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(installed, 'dist'), '--declarationMap', 'false', '--sourceMap', 'false'], { cwd: ROOT });
  // Only the runtime dependencies, as npm installs them (optional peers are not installed).
  for (const dep of Object.keys(pkg.dependencies)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'node_modules', dep)), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(dir, 'node_modules', dep), 'dir');
  }
}, 180_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const bin = () => path.join(installed, pkg.bin['stratum-sdk'] as string);
const cli = (args: string[]) =>
  run(process.execPath, [bin(), ...args], { cwd: dir, timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
const fixture = (name: string, side: string) => path.join(ROOT, 'test', 'fixtures', 'spec-diff', name, side);

describe('a plain install of the package', () => {
  it('reaches codegen/ only from the two commands that need it, never from an entry point a client or server imports', () => {
    const reaching: string[] = [];
    const walk = (folder: string) => {
      for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
        const file = path.join(folder, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.name.endsWith('.ts') && /(?:from\s+|import\(|new URL\()\s*['"`][^'"`]*codegen\//.test(fs.readFileSync(file, 'utf8'))) reaching.push(path.relative(ROOT, file));
      }
    };
    walk(path.join(ROOT, 'src'));
    expect(reaching.sort()).toEqual(['src/cli/codegen.ts', 'src/cli/commands/generate.ts', 'src/cli/commands/spec-diff.ts']);
    // And the CLI loads those commands lazily, by import() in its command table.
    expect(fs.readFileSync(path.join(ROOT, 'src', 'cli', 'main.ts'), 'utf8')).toMatch(/await import\('\.\/commands\/generate\.js'\)[\s\S]*await import\('\.\/commands\/spec-diff\.js'\)/);
  });

  it('has no generator dependency to find', () => {
    for (const name of ['esbuild', 'ajv', 'handlebars', 'json-schema-to-typescript', 'prettier']) {
      expect(fs.existsSync(path.join(dir, 'node_modules', name)), name).toBe(false);
    }
  });

  it('runs stratum-sdk spec-diff, and --fail-on exits by the release needed', { timeout: 60_000 }, async () => {
    const r = await cli(['spec-diff', fixture('param-added-required', 'old'), fixture('param-added-required', 'new'), '--fail-on', 'major']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Release: major/);
    expect((await cli(['spec-diff', fixture('method-deprecated', 'old'), fixture('method-deprecated', 'new'), '--fail-on', 'major'])).code).toBe(0);
  });

  it("imports 'stratum-sdk/spec-diff' by the package's exports", { timeout: 60_000 }, async () => {
    const script = path.join(dir, 'gate.mjs');
    fs.writeFileSync(
      script,
      `import { specDiff } from 'stratum-sdk/spec-diff';\nconsole.log(specDiff(${JSON.stringify(fixture('method-deprecated', 'old'))}, ${JSON.stringify(fixture('method-deprecated', 'new'))}).summary.release);\n`,
    );
    const { stdout } = await run(process.execPath, [script], { cwd: dir, timeout: 60_000 });
    expect(stdout.trim()).toBe('minor');
  });

  it('refuses stratum-sdk generate in one line naming what to install', { timeout: 60_000 }, async () => {
    const r = await cli(['generate', '--spec', path.join(ROOT, 'test', 'fixtures', 'overlay-project', 'spec'), '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^stratum-sdk generate: generate needs the generator's dependencies, and (ajv|handlebars|json-schema-to-typescript|prettier) is not installed: npm install --save-dev ajv handlebars json-schema-to-typescript prettier \(see `stratum-sdk generate --help`\)$/,
    );
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });
});

describe('the same install with the generator dependencies added', () => {
  it('runs stratum-sdk generate, and writes what the repository generates', { timeout: 180_000 }, async () => {
    for (const dep of ['ajv', 'handlebars', 'json-schema-to-typescript', 'prettier']) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(dir, 'node_modules', dep), 'dir');
    const spec = path.join(ROOT, 'test', 'fixtures', 'overlay-project', 'spec');
    const out = path.join(dir, 'out');
    const r = await cli(['generate', '--spec', spec, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { generateOverlay } = await import('../../codegen/overlay.mjs');
    const { files } = await generateOverlay(spec);
    for (const [name, text] of files) expect(fs.readFileSync(path.join(out, name), 'utf8'), name).toBe(text);
  });
});
