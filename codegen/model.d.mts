// Types for tests and tools that read the generator's model (codegen/model.mjs). The model is plain data;
// only the parts tests read are typed closely.
export interface MethodModel {
  readonly method: string;
  readonly protocol: 'electrum' | 'mining';
  readonly kind: 'request' | 'subscription' | 'notification';
  readonly direction: 'client-to-server' | 'server-to-client' | 'both';
  readonly params: readonly { readonly name: string; readonly required: boolean; readonly hasDefault: boolean; readonly default?: unknown }[];
  readonly optionalReply: { readonly when: 'always' | 'repeated'; readonly reason: string; readonly source: string } | null;
  readonly sessionState: { readonly sets: string; readonly onReconnect: 'replay' | 'replay-each' | 'resume'; readonly resumeParam?: string } | null;
  readonly subscriptionKey: { readonly params: number; readonly inNotifications: 'as-sent' | 'script-hash' } | null;
  readonly ends: string | null;
  readonly endedBy: string | null;
  /** The spec's `deviations`: a plain string has id null and no software; methods null where the spec names none. */
  readonly deviations: readonly { readonly id: string | null; readonly software: readonly string[]; readonly text: string; readonly methods: readonly string[] | null }[];
  /**
   * What the method is at each named protocol version (codegen/eras.mjs), consecutive versions alike merged
   * into one era; TypeScript text. Empty for Stratum V1.
   */
  readonly eras: {
    readonly requests: readonly {
      readonly at: readonly string[];
      readonly params: string;
      readonly named: string;
      readonly result: string;
      readonly overloads: readonly { readonly name: string; readonly params: string; readonly result: string }[];
    }[];
    readonly notifications: readonly { readonly at: readonly string[]; readonly params: string }[];
  };
  /** The versions from which some result shapes end (codegen/eras.mjs resultFloors): the shapes that go on, and those that ended. */
  readonly floors: readonly { readonly version: string; readonly variants: readonly string[]; readonly dropped: readonly string[] }[];
  readonly [field: string]: unknown;
}
export interface ProtocolModel {
  readonly protocol: 'electrum' | 'mining';
  readonly title: string;
  readonly methods: readonly MethodModel[];
  readonly versions: readonly string[];
  readonly referencedDefinitions: readonly string[];
  readonly [field: string]: unknown;
}
export interface SpecModel {
  readonly definitions: Record<string, unknown>;
  readonly protocols: readonly ProtocolModel[];
  /** spec/share-rejections.json, modelled (codegen/share-rejections.mjs); null when the spec folder has none. */
  readonly shareRejections?: {
    readonly method: string;
    readonly reasons: readonly { readonly name: string; readonly description: string }[];
    readonly fallback: string;
    readonly codes: readonly { readonly code: number; readonly reason: string; readonly meaning: string }[];
    readonly exact: readonly { readonly message: string; readonly reason: string }[];
    readonly prefixes: readonly { readonly message: string; readonly reason: string }[];
  } | null;
}
/** Reads spec/, validates it and builds the model; on a problem, `model` is null and `errors` says why. */
export declare function loadModel(specDir: string): { model: SpecModel; errors: [] } | { model: null; errors: string[] };
