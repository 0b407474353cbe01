// The spec diff as a library: 'stratum-sdk/spec-diff' (codegen/spec-diff.mjs). It needs none of the
// generator's dependencies. A project that keeps its own spec gates its CI on it:
//   const report = specDiff('spec-at-last-release', 'spec');
//   if (fails(report, 'major')) process.exit(1);

export type Side = 'client' | 'server';
export type Section = 'method' | 'params' | 'result' | 'notification' | 'definition';
/** breaking: fails against the SDK; strict: fails only against a receiver that refuses what the spec leaves open; ok. */
export type Verdict = 'breaking' | 'strict' | 'ok';
/** The semver release a change needs: major (breaks someone), minor (anything else but words), patch (words only). */
export type Release = 'major' | 'minor' | 'patch' | 'none';
export type Flow = 'client-to-server' | 'server-to-client' | 'both';

export interface Change {
  readonly section: Section;
  /** "method", "params[1] verbose", "result (verbose = true, protocol 1.4+)", "notification params[0] status", "errors", "definition". */
  readonly where: string;
  /**
   * method-added, method-removed, deprecated, undeprecated, versions-moved, kind-changed, direction-changed,
   * status-changed, errors-changed, param-added, param-removed, param-reordered, param-required,
   * param-optional, param-default-changed, additional-params-changed, result-added, result-removed,
   * result-variants-changed, result-shape-added, result-shape-removed, notification-added,
   * notification-removed, session-facts-changed (subscriptionKey, ends, optionalReply, sessionState),
   * documentation-changed, definition-added, definition-removed; and for schemas: retyped, type-widened,
   * type-narrowed, made-nullable, made-non-nullable, enum-widened, enum-narrowed, enum-changed, field-added,
   * field-removed, field-required, field-optional, constraint-tightened, constraint-relaxed,
   * constraint-changed, schema-changed.
   */
  readonly kind: string;
  /** Inside the schema: ".height", "[]", "[1]"; absent at the top. */
  readonly path?: string;
  readonly message: string;
  /** Whether the change breaks client or server code written for the old spec (verdict "breaking"). */
  readonly breaking: { readonly client: boolean; readonly server: boolean };
  readonly verdict: { readonly client: Verdict; readonly server: Verdict };
  /** The rule it falls under: an id of RULES (codegen/diff/README.md). */
  readonly rule: string;
  /** Which way the message holding the change goes; absent for a shared definition's own changes. */
  readonly flow?: Flow;
  readonly release: Release;
}

export interface MethodDiff {
  readonly protocol: 'electrum' | 'mining';
  readonly method: string;
  readonly status: 'added' | 'removed' | 'changed';
  readonly changes: readonly Change[];
}

export interface DefinitionDiff {
  readonly name: string;
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
    readonly definitionsChanged: number;
    readonly changes: number;
    readonly breakingForClients: number;
    readonly breakingForServers: number;
    /** Changes breaking neither side (strict ones included). */
    readonly nonBreaking: number;
    readonly strictForClients: number;
    readonly strictForServers: number;
    /** Strict for some side, breaking for none. */
    readonly strictOnly: number;
    readonly documentationOnly: number;
    /** The release the whole change needs. */
    readonly release: Release;
  };
  readonly methods: readonly MethodDiff[];
  /** Shared definitions added, removed or reworded (what they change is reported at the methods using them). */
  readonly definitions: readonly DefinitionDiff[];
}

/** One rule of the diff: a kind of change and what it means for the sender's and the receiver's code. */
export interface Rule {
  readonly id: string;
  readonly group: string;
  readonly change: string;
  readonly sender: Verdict;
  readonly receiver: Verdict;
  readonly kinds: readonly string[];
  readonly electrumOnly?: boolean;
  readonly release?: Release;
}

export interface LoadedSpec {
  readonly label: string;
  readonly definitions: unknown;
  readonly methods: Readonly<Record<string, ReadonlyMap<string, unknown>>>;
}

export type FailOn = 'breaking' | 'client-breaking' | 'server-breaking' | 'strict' | 'any' | 'major' | 'minor' | 'patch';

export declare class SpecSourceError extends Error {
  readonly code: 'SPEC_SOURCE';
}

/** A spec folder, or the spec/ tree of a git revision (read with git, nothing checked out). */
export declare function loadSpecSource(ref: string, options?: { cwd?: string; specPath?: string }): LoadedSpec;
/**
 * The diff of two specs by where they are (folders, or git revisions of the repository at `cwd`); with
 * `overlay`, two overlays, each merged over the package's spec.
 */
export declare function specDiff(oldRef: string, newRef: string, options?: { cwd?: string; specPath?: string; overlay?: boolean }): SpecDiffReport;
/** An overlay (the folder `stratum-sdk generate --spec` takes), or its tree at a git revision, merged over the package's spec. */
export declare function loadOverlaySource(ref: string, options?: { cwd?: string; specPath?: string; baseDir?: string }): LoadedSpec;
export declare function diffSpecs(before: LoadedSpec, after: LoadedSpec): SpecDiffReport;
export declare function fails(report: SpecDiffReport, failOn: FailOn): boolean;
export declare function formatReport(report: SpecDiffReport): string;
export declare const FAIL_ON: readonly FailOn[];
export declare const RULES: readonly Rule[];
/** The rule table as Markdown, as codegen/diff/README.md holds it. */
export declare function rulesTable(): string;

interface Writable {
  write(text: string): unknown;
}
/** The command line, in-process; returns the exit status (0, 1 for --fail-on, 2 for bad input). */
export declare function main(argv: readonly string[], io?: { stdout?: Writable; stderr?: Writable; cwd?: string }): number;
