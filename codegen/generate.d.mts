// Types for tests and tools that call the generator in-process.
import type { SpecModel } from './model.mjs';

export declare const BANNER: string;
/** The folders under docs/ that the generator owns. */
export declare const DOCS_FOLDERS: readonly string[];
export interface GenerateOptions {
  /** How generated code under <out>/<protocol>/ imports src/runtime; default '../../runtime' (right for src/generated). */
  readonly runtimeImport?: string;
  /** Import the runtime from this package's public entry point instead ('stratum-sdk'): code generated outside the package. */
  readonly packageImport?: string;
}
/**
 * Validates the spec and renders every output file; writes nothing. `files`: paths relative to
 * src/generated/; `docs`: paths relative to docs/ (openrpc/<protocol>.openrpc.json, reference/<protocol>.md).
 */
export declare function generate(
  specDir: string,
  options?: GenerateOptions,
): Promise<{ files: Map<string, string>; docs: Map<string, string>; errors: string[] }>;
/** Every output file from a model (what `generate` does once the spec is loaded, validated and modelled); the model is only read. */
export declare function emitAll(
  model: SpecModel,
  options?: GenerateOptions,
): Promise<{ files: Map<string, string>; docs: Map<string, string>; errors: string[] }>;
