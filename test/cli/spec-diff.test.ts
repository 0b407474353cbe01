// `stratum-sdk spec-diff <old> <new>` and the 'stratum-sdk/spec-diff' library export: the diff is a tool of
// the package, not only of this repository. The command prints the report (or JSON), exits 1 when the
// --fail-on condition is met, and makes every mistake one line and exit 2. The library loads without the
// generator's dependencies, and type-checks as a package user imports it.
import fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/spec-files.js';
import { removeBuiltPackage, typecheckAsPackage } from '../helpers/typecheck.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'spec-diff');
const OVERLAY = path.join(ROOT, 'test', 'fixtures', 'overlay-project', 'spec');
const pair = (name: string) => [path.join(FIXTURES, name, 'old'), path.join(FIXTURES, name, 'new')];

async function usageError(args: string[]): Promise<string> {
  const r = await runCli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^stratum-sdk spec-diff: .* \(see `stratum-sdk spec-diff --help`\)$/);
  return r.stderr;
}

describe('stratum-sdk spec-diff', () => {
  it('prints the report: each method, whom its changes break, and the release they need', async () => {
    const r = await runCli(['spec-diff', ...pair('param-added-required')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/major/i);
    const deprecated = await runCli(['spec-diff', ...pair('method-deprecated')]);
    expect(deprecated.code).toBe(0);
    expect(deprecated.stdout).toMatch(/Release: minor/);
  });

  it('--json prints the structured report', async () => {
    const r = await runCli(['spec-diff', ...pair('param-added-required'), '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { summary: { release: string; breakingForServers: number }; methods: { status: string }[] };
    expect(report.summary.release).toBe('major');
    expect(report.methods.length).toBeGreaterThan(0);
  });

  it('--fail-on exits 1 when the release needed reaches it, 0 when it does not', async () => {
    expect((await runCli(['spec-diff', ...pair('param-added-required'), '--fail-on', 'major'])).code).toBe(1);
    expect((await runCli(['spec-diff', ...pair('method-deprecated'), '--fail-on', 'major'])).code).toBe(0);
    expect((await runCli(['spec-diff', ...pair('method-deprecated'), '--fail-on', 'minor'])).code).toBe(1);
    expect((await runCli(['spec-diff', ...pair('no-change'), '--fail-on', 'patch'])).code).toBe(0);
    expect((await runCli(['spec-diff', ...pair('param-added-required'), '--fail-on', 'breaking'])).code).toBe(1);
  });

  it('reads git revisions of the repository it runs in', async () => {
    const r = await runCli(['spec-diff', 'HEAD', 'HEAD', '--json', '--fail-on', 'patch']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { summary: { changes: number } }).summary.changes).toBe(0);
  });

  it('refuses mistakes in one line with exit 2', async () => {
    expect(await usageError(['spec-diff'])).toMatch(/needs two specs to compare \(old and new\), got 0/);
    expect(await usageError(['spec-diff', FIXTURES])).toMatch(/got 1/);
    expect(await usageError(['spec-diff', ...pair('no-change'), '--fail-on', 'huge'])).toMatch(/--fail-on must be one of .*major, minor, patch, not "huge"/);
    expect(await usageError(['spec-diff', ...pair('no-change'), '--bogus'])).toMatch(/unknown option --bogus/);
    expect(await usageError(['spec-diff', path.join(FIXTURES, 'does-not-exist'), FIXTURES])).toMatch(/neither a folder nor a git revision/);
    expect(await usageError(['spec-diff', FIXTURES, path.join(FIXTURES, 'no-change', 'old')])).toMatch(/not a spec folder \(no definitions\.json\)/);
  });

  it('--overlay compares two overlays, each merged over the package spec', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stratum-sdk-overlay-diff-'));
    try {
      const before = path.join(dir, 'before');
      const after = path.join(dir, 'after');
      fs.cpSync(OVERLAY, before, { recursive: true });
      fs.cpSync(OVERLAY, after, { recursive: true });
      // The new method's id becomes a number: old clients send strings the new server refuses.
      const file = path.join(after, 'electrum', 'blockchain.example.get_thing.json');
      const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { params: { schema: unknown }[] };
      (doc.params[0] as { schema: unknown }).schema = { type: 'integer' };
      fs.writeFileSync(file, JSON.stringify(doc));
      const r = await runCli(['spec-diff', before, after, '--overlay', '--json', '--fail-on', 'major']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { methods: { method: string; changes: { kind: string; breaking: { client: boolean } }[] }[] };
      expect(report.methods.map((m) => m.method)).toEqual(['blockchain.example.get_thing']);
      expect(report.methods[0]?.changes).toContainEqual(expect.objectContaining({ kind: 'retyped', breaking: expect.objectContaining({ client: true }) }));

      // Against itself, and at git revisions of the repository (the fixture's own tree): nothing changed.
      expect((await runCli(['spec-diff', before, before, '--overlay', '--fail-on', 'patch'])).code).toBe(0);
      const git = await runCli(['spec-diff', 'HEAD', 'HEAD', '--overlay', '--spec-path', 'test/fixtures/overlay-project/spec', '--json', '--fail-on', 'patch']);
      expect(git.stderr).toBe('');
      expect(git.code).toBe(0);
      expect((JSON.parse(git.stdout) as { summary: { changes: number } }).summary.changes).toBe(0);

      // An overlay that does not merge is a bad argument, with its file, pointer and reason.
      fs.writeFileSync(path.join(after, 'electrum', 'server.ping.json'), JSON.stringify({ method: 'server.ping', protocol: 'electrum', params: [] }));
      expect(await usageError(['spec-diff', before, after, '--overlay'])).toMatch(/the overlay does not merge over the package's spec: electrum\/server\.ping\.json: \/method: electrum method "server\.ping" is already in the package's spec/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a spec file nested deeper than it may be, before walking it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stratum-sdk-deep-spec-'));
    try {
      fs.cpSync(path.join(FIXTURES, 'no-change', 'old'), path.join(dir, 'deep'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'deep', 'definitions.json'), `{"$defs":{"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`);
      expect(await usageError(['spec-diff', path.join(FIXTURES, 'no-change', 'old'), path.join(dir, 'deep')])).toMatch(/definitions\.json: nested 50002 deep, more than the 64 a spec file may be/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('has a --help that names the exit statuses', async () => {
    const r = await runCli(['spec-diff', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Exit status: 0 compared, 1 the --fail-on condition was met, 2 bad arguments/);
    expect((await runCli(['--help'])).stdout).toMatch(/spec-diff/);
  });
});

describe("'stratum-sdk/spec-diff', the library", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
    files: string[];
    dependencies: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };

  it('is an export of the package, shipped with its types', () => {
    expect(pkg.exports['./spec-diff']).toEqual({ types: './codegen/spec-diff.d.mts', default: './codegen/spec-diff.mjs' });
    expect(pkg.files).toContain('codegen');
    expect(fs.existsSync(path.join(ROOT, 'codegen', 'spec-diff.d.mts'))).toBe(true);
  });

  it('imports nothing but Node built-ins and the package own files: no generator dependency is loaded', () => {
    // Every static import reachable from codegen/spec-diff.mjs; esbuild, optional, is imported dynamically.
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1] as string;
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
        else if (!spec.startsWith('node:')) bare.add(spec);
      }
    };
    visit(path.join(ROOT, 'codegen', 'spec-diff.mjs'));
    expect(seen.size).toBeGreaterThan(5);
    expect([...bare]).toEqual([]);
  });

  it('type-checks as a package user calls it, and gives the typed report', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stratum-sdk-spec-diff-'));
    try {
      await writeFile(
        path.join(dir, 'gate.ts'),
        [
          "import { fails, specDiff, type SpecDiffReport } from 'stratum-sdk/spec-diff';",
          "const report: SpecDiffReport = specDiff('old-spec', 'spec', { cwd: process.cwd() });",
          "const release: 'major' | 'minor' | 'patch' | 'none' = report.summary.release;",
          "if (fails(report, 'major')) process.exitCode = 1;",
          'for (const m of report.methods) for (const c of m.changes) console.log(m.method, c.verdict.client, c.verdict.server, release);',
          "// @ts-expect-error: not a --fail-on value",
          "fails(report, 'huge');",
        ].join('\n'),
      );
      expect(await typecheckAsPackage(dir, ['gate.ts'])).toBe('');
      // And it runs: the module the export names, on two fixture specs.
      const lib = (await import(path.join(ROOT, 'codegen', 'spec-diff.mjs'))) as typeof import('../../codegen/spec-diff.mjs');
      const [before, after] = pair('param-added-required') as [string, string];
      const report = lib.specDiff(before, after);
      expect(report.summary.release).toBe('major');
      expect(lib.fails(report, 'major')).toBe(true);
      expect(() => lib.specDiff(path.join(dir, 'nothing-here'), after)).toThrow(lib.SpecSourceError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// The package built for the type checks above lives in a temporary folder of its own.
afterAll(removeBuiltPackage);
