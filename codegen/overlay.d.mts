// Types for the overlay generator (codegen/overlay.mjs), which `stratum-sdk generate` runs.

export declare const PACKAGE_SPEC: string;
export declare const OVERLAY_LIMITS: Readonly<{ maxFiles: number; maxFileBytes: number; maxDepth: number }>;
export declare const EXTENSION_FIELDS: readonly string[];

export interface OverlayOptions {
  /** The spec merged over (default: the package's own, spec/ beside codegen/). */
  readonly baseDir?: string;
  readonly limits?: Partial<typeof OVERLAY_LIMITS>;
  /** The package the generated code imports the runtime from (default 'stratum-sdk'). */
  readonly packageName?: string;
}

/** Merges an overlay over the base spec; `errors` are "<file>: <JSON pointer>: <reason>", and then `spec` is null. */
export declare function mergeOverlay(
  overlayDir: string,
  options?: OverlayOptions,
): { spec: { meta: object; definitions: object; files: object[] } | null; errors: string[]; touched: string[] };

/** Merges, models and emits; writes nothing. `files`: paths relative to the output folder. */
export declare function generateOverlay(
  overlayDir: string,
  options?: OverlayOptions,
): Promise<{ files: Map<string, string>; errors: string[]; protocols: string[] }>;

/** Writes the files into `outDir`, removing what an earlier run wrote there and this one does not. */
export declare function writeGenerated(outDir: string, files: ReadonlyMap<string, string>): void;

export declare class OverlayOutputError extends Error {
  readonly code: 'OVERLAY_OUTPUT';
}

/** The deepest nesting of arrays and objects in JSON text, found without recursion. */
export declare function jsonDepth(text: string): number;
