// Compiling code as a user of the package would: the package's entry points ('stratum-sdk', 'stratum-sdk/*')
// mapped to src/, under the settings the package itself uses. Shared by the README and examples tests.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repo = path.resolve(fileURLToPath(import.meta.url), '../../..');
const run = promisify(execFile);

/** Writes a tsconfig for `files` into `dir` and runs tsc: its diagnostics, or '' when everything compiles. */
export async function typecheckAsPackage(dir: string, files: readonly string[]): Promise<string> {
  const src = path.join(repo, 'src');
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
        paths: {
          'stratum-sdk': [path.join(src, 'index.ts')],
          // The one entry point outside src/: the spec diff, shipped as codegen/ with its own types.
          'stratum-sdk/spec-diff': [path.join(repo, 'codegen', 'spec-diff.d.mts')],
          'stratum-sdk/*': [path.join(src, '*.ts')],
        },
      },
      files,
    }),
  );
  const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
  return run(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir }).then(
    () => '',
    (e: { stdout?: string }) => e.stdout ?? String(e),
  );
}
