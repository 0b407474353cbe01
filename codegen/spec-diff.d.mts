// Types for tests and tools that run the spec diff in-process.

export type Side = 'client' | 'server';
export type Section = 'method' | 'params' | 'result' | 'notification';

export interface Change {
  readonly section: Section;
  /** "method", "params[1] verbose", "result (verbose = true, protocol 1.4+)", "notification params[0] status", "errors". */
  readonly where: string;
  /**
   * method-added, method-removed, deprecated, undeprecated, versions-moved, kind-changed, direction-changed,
   * status-changed, errors-changed, param-added, param-removed, param-reordered, param-required,
   * param-optional, param-default-changed, additional-params-changed, result-added, result-removed,
   * result-variants-changed, result-shape-added, result-shape-removed, notification-added,
   * notification-removed, session-facts-changed (subscriptionKey, ends, optionalReply, sessionState); and for schemas: retyped, type-widened, type-narrowed, made-nullable,
   * made-non-nullable, enum-widened, enum-narrowed, enum-changed, field-added, field-removed,
   * field-required, field-optional, constraint-tightened, constraint-relaxed, constraint-changed, schema-changed.
   */
  readonly kind: string;
  /** Inside the schema: ".height", "[]", "[1]"; absent at the top. */
  readonly path?: string;
  readonly message: string;
  readonly breaking: { readonly client: boolean; readonly server: boolean };
}

export interface MethodDiff {
  readonly protocol: 'electrum' | 'mining';
  readonly method: string;
  readonly status: 'added' | 'removed' | 'changed';
  readonly changes: readonly Change[];
}

export interface SpecDiffReport {
  readonly old: string;
  readonly new: string;
  readonly summary: {
    readonly methodsAdded: number;
    readonly methodsRemoved: number;
    readonly methodsChanged: number;
    readonly changes: number;
    readonly breakingForClients: number;
    readonly breakingForServers: number;
    readonly nonBreaking: number;
  };
  readonly methods: readonly MethodDiff[];
}

export interface LoadedSpec {
  readonly label: string;
  readonly definitions: unknown;
  readonly methods: Readonly<Record<string, ReadonlyMap<string, unknown>>>;
}

export type FailOn = 'breaking' | 'client-breaking' | 'server-breaking' | 'any';

export declare class SpecSourceError extends Error {
  readonly code: 'SPEC_SOURCE';
}

/** A spec folder, or the spec/ tree of a git revision (read with git, nothing checked out). */
export declare function loadSpecSource(ref: string, options?: { cwd?: string; specPath?: string }): LoadedSpec;
export declare function diffSpecs(before: LoadedSpec, after: LoadedSpec): SpecDiffReport;
export declare function fails(report: SpecDiffReport, failOn: FailOn): boolean;
export declare function formatReport(report: SpecDiffReport): string;

interface Writable {
  write(text: string): unknown;
}
/** The command line, in-process; returns the exit status (0, 1 for --fail-on, 2 for bad input). */
export declare function main(argv: readonly string[], io?: { stdout?: Writable; stderr?: Writable; cwd?: string }): number;
