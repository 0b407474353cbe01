// Compiling code as a user of the package would: against the built package, installed the way npm would
// install it (node_modules/stratum-sdk with its package.json and dist/), so 'stratum-sdk' and
// 'stratum-sdk/*' resolve through the package's own "exports" to dist/*.d.ts, under the settings the
// package itself uses. The build is made here, once per test file, into a temporary folder: `npm test`
// runs before `npm run build` in CI, and a dist/ left from an older build must not stand in for the
// sources. Shared by the README and examples tests.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repo = path.resolve(fileURLToPath(import.meta.url), '../../..');
const run = promisify(execFile);
const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');

let built: Promise<{ root: string; modules: string }> | undefined;

/**
 * The package built from src/ with tsconfig.build.json (declarations only: that is all a type check
 * reads) into <tmp>/node_modules/stratum-sdk, beside its package.json; its own dependencies come from
 * this repository's node_modules. Resolves with that node_modules folder.
 */
export async function builtPackage(): Promise<string> {
  built ??= (async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'stratum-sdk-built-'));
    const modules = path.join(root, 'node_modules');
    const pkg = path.join(modules, 'stratum-sdk');
    await mkdir(pkg, { recursive: true });
    const args = [tsc, '-p', path.join(repo, 'tsconfig.build.json'), '--outDir', path.join(pkg, 'dist'), '--emitDeclarationOnly', '--pretty', 'false'];
    await run(process.execPath, args, { cwd: repo }).catch((e: { stdout?: string }) => {
      throw new Error(`the package does not build:\n${e.stdout ?? String(e)}`);
    });
    await cp(path.join(repo, 'package.json'), path.join(pkg, 'package.json'));
    // The one entry point outside dist/: the spec diff, shipped as codegen/ with its own types.
    await symlink(path.join(repo, 'codegen'), path.join(pkg, 'codegen'), 'dir');
    await symlink(path.join(repo, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
    return { root, modules };
  })();
  return (await built).modules;
}

/** Removes the build made by builtPackage (call it in afterAll). */
export async function removeBuiltPackage(): Promise<void> {
  const done = built;
  built = undefined;
  if (done) await rm((await done).root, { recursive: true, force: true });
}

/**
 * Writes a tsconfig for `files` (relative to `dir`, or absolute paths inside it) into `dir`, links
 * `dir/node_modules` to the built package and runs tsc: its diagnostics, or '' when everything compiles.
 * `dir` must not have a node_modules of its own.
 */
export async function typecheckAsPackage(dir: string, files: readonly string[]): Promise<string> {
  await symlink(await builtPackage(), path.join(dir, 'node_modules'), 'dir');
  await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
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
      },
      files,
    }),
  );
  return run(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir }).then(
    () => '',
    (e: { stdout?: string }) => e.stdout ?? String(e),
  );
}

/** The files tsc read for the last tsconfig written into `dir` that belong to the SDK: each under dist/ of the built package, never src/. */
export async function sdkFilesRead(dir: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, [tsc, '-p', dir, '--listFilesOnly'], { cwd: dir });
  return stdout
    .split('\n')
    .map((f) => f.trim())
    .filter((f) => f.includes(`${path.sep}stratum-sdk${path.sep}dist${path.sep}`) || f.startsWith(path.join(repo, 'src')));
}
