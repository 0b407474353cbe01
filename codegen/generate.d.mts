// Types for tests and tools that call the generator in-process.
export declare const BANNER: string;
/** Validates spec/ and renders every output file (paths relative to src/generated/); writes nothing. */
export declare function generate(specDir: string): Promise<{ files: Map<string, string>; errors: string[] }>;
