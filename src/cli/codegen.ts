// The generator's modules (codegen/*.mjs, shipped in the package beside dist/ and spec/), loaded only by
// the commands that need them, `spec-diff` and `generate`: nothing a client or server imports reaches
// them. The path is the same from src/cli/ in the repository and from dist/cli/ in an installed package.
// `generate` needs ajv, handlebars, json-schema-to-typescript and prettier, which the package lists as
// optional peer dependencies: a plain install does not bring them, and their absence is one clear line.
import { UsageError } from './io.js';

/** The generator's npm dependencies, which `stratum-sdk generate` needs installed beside the package. */
export const GENERATOR_PACKAGES = ['ajv', 'handlebars', 'json-schema-to-typescript', 'prettier'] as const;

/** Thrown when a generator dependency is not installed; names the command that installs them all. */
export class MissingGeneratorError extends UsageError {
  constructor(command: string, missing: string) {
    super(
      `${command} needs the generator's dependencies, and ${missing} is not installed: npm install --save-dev ${GENERATOR_PACKAGES.join(' ')}`,
    );
    this.name = 'MissingGeneratorError';
  }
}

/** codegen/<name>, found relative to this file: src/cli/ and dist/cli/ both sit two levels below the package. */
export function codegenUrl(name: string): URL {
  return new URL(`../../codegen/${name}`, import.meta.url);
}

/** Imports codegen/<name>; a missing npm dependency of it becomes a MissingGeneratorError. */
export async function importCodegen<T>(command: string, name: string, url: URL = codegenUrl(name)): Promise<T> {
  try {
    return (await import(url.href)) as T;
  } catch (e) {
    const code = (e as { code?: unknown } | undefined)?.code;
    const message = e instanceof Error ? e.message : String(e);
    if (code === 'ERR_MODULE_NOT_FOUND') {
      const missing = GENERATOR_PACKAGES.find((p) => message.includes(`'${p}'`) || message.includes(`"${p}"`) || message.includes(`/${p}/`));
      if (missing) throw new MissingGeneratorError(command, missing);
    }
    throw e;
  }
}
