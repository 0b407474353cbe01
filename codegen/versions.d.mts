// Types for tests of the generator's version helpers (codegen/versions.mjs), whose comparison is the runtime's.
/** Where the comparison comes from: src/runtime/versions.ts, run as it is. */
export declare const RUNTIME_VERSIONS_SOURCE: URL;
export declare function compareVersions(a: string, b: string): -1 | 0 | 1;
export declare function inVersionRange(version: string, range: { readonly since?: string | undefined; readonly until?: string | undefined } | undefined): boolean;
export declare function isVersion(value: unknown): value is string;
export declare function inVersions(version: string, versions: { readonly since: string; readonly removed?: string | undefined } | undefined): boolean;
export declare function namedVersions(docs: readonly unknown[]): string[];
export declare function sortVersions(versions: readonly string[]): string[];
